"""The scale-out settings, read the way start-up reads them: sselfie/settings.py run afresh."""

from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from storages.backends.s3 import S3Storage

from tests.scale.conftest import KEYS

S3_ENV = {"S3_BUCKET": "studio-media", "S3_REGION": "eu-west-1", **KEYS}


def test_defaults_keep_the_embedded_studio(load_settings):
    loaded = load_settings({})
    assert loaded["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")
    assert loaded["CACHES"]["default"]["BACKEND"].endswith("DatabaseCache")
    assert (loaded["S3_PRESIGN_SECONDS"], loaded["TASK_STALE_SECONDS"]) == (300, 900)


@pytest.mark.parametrize("endpoint", ["", "http://127.0.0.1:9000", "https://acc.r2.example.com"])
@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_s3_media_is_private_and_its_signed_urls_are_allowed_by_the_csp(load_settings,
                                                                         endpoint, region):
    env = {**S3_ENV, "S3_REGION": region, "S3_ENDPOINT_URL": endpoint,
           "S3_PRESIGN_SECONDS": "120"}
    loaded = load_settings(env)
    media = loaded["STORAGES"]["default"]
    assert media["BACKEND"] == "storages.backends.s3.S3Storage"
    options = media["OPTIONS"]
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["file_overwrite"] is False and options["querystring_expire"] == 120
    # Signing needs no network: the URL the owner is sent to, built as the view builds it.
    url = S3Storage(**options).url("images/photo.png", expire=120)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    assert origin in loaded["SECURE_CSP"]["img-src"]
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=120" in url


@pytest.mark.parametrize(("env", "names"), [
    ({"S3_BUCKET": "studio-media"}, ["S3_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]),
    ({**S3_ENV, "AWS_SECRET_ACCESS_KEY": ""}, ["AWS_SECRET_ACCESS_KEY"]),
    ({"S3_ENDPOINT_URL": "http://127.0.0.1:9000"}, ["S3_BUCKET"]),
    ({**S3_ENV, "S3_ENDPOINT_URL": "127.0.0.1:9000"}, ["S3_ENDPOINT_URL"]),
    ({"S3_PRESIGN_SECONDS": "0"}, ["S3_PRESIGN_SECONDS"]),
    ({"S3_PRESIGN_SECONDS": "864000"}, ["S3_PRESIGN_SECONDS"]),
    ({"TASK_STALE_SECONDS": "5"}, ["TASK_STALE_SECONDS"]),
])
def test_incomplete_settings_stop_start_up_naming_what_to_set(load_settings, env, names):
    with pytest.raises(ImproperlyConfigured) as raised:
        load_settings(env)
    for name in names:
        assert name in str(raised.value)
