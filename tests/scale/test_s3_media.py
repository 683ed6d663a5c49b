"""Media in a private S3 bucket (moto's server, started by the tests), configured by S3_*.

Owners' image views redirect to a presigned URL that works, then expires; strangers get a
404 and never a URL; share links stream through our view so the token is checked each time.
"""

import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from email.message import Message
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from sselfie.gallery.models import ShareLink
from sselfie.gallery.tests.factories import make_images, png_bytes, webp_bytes
from sselfie.selfies.models import Selfie

pytestmark = pytest.mark.django_db


def fetch(url: str) -> tuple[int, bytes, Message]:
    """GET without our credentials, as a browser following a redirect would."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def object_url(bucket, name: str) -> str:
    return f"{bucket.endpoint_url}/{bucket.name}/{name}"


def test_media_round_trips_through_the_private_bucket(s3_media):
    name = default_storage.save("images/photo.png", ContentFile(png_bytes()))
    with default_storage.open(name) as fh:
        assert fh.read() == png_bytes()
    stored = s3_media.client.get_object(Bucket=s3_media.name, Key=name)["Body"].read()
    assert stored == png_bytes()
    # Private: only the owner account holds a grant, and nobody without a signature reads it.
    grants = s3_media.client.get_object_acl(Bucket=s3_media.name, Key=name)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
    assert "URI" not in grants[0]["Grantee"]  # no AllUsers / AuthenticatedUsers group
    status, _, _ = fetch(object_url(s3_media, name))
    assert status == 403
    # A taken name is never overwritten.
    again = default_storage.save("images/photo.png", ContentFile(b"other"))
    assert again != name
    with default_storage.open(name) as fh:
        assert fh.read() == png_bytes()
    default_storage.delete(again)
    assert not default_storage.exists(again)


def test_presigned_urls_work_then_expire(s3_media):
    name = default_storage.save("images/photo.png", ContentFile(png_bytes()))
    url = default_storage.url(name)
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["300"]  # S3_PRESIGN_SECONDS
    status, body, _ = fetch(url)
    assert (status, body) == (200, png_bytes())
    # The same URL, signed 301 seconds ago, has outlived its 300.
    with time_machine.travel(timezone.now() - timedelta(seconds=301), tick=False):
        old = default_storage.url(name)
    status, body, _ = fetch(old)
    assert status == 403 and b"Request has expired" in body


def test_owner_is_redirected_to_a_short_lived_url_and_a_stranger_gets_404(
        s3_media, owner_client, stranger_client, owner):
    photo = make_images(owner, 1)[0]
    for kind, body, content_type in [("full", png_bytes(), "image/png"),
                                     ("thumb", webp_bytes(), "image/webp"),
                                     ("download", png_bytes(), "image/png")]:
        url = f"/images/{photo.id}/{kind}/"
        response = owner_client.get(url)
        assert response.status_code == 302, kind
        location = response["Location"]
        assert location.startswith(f"{s3_media.endpoint_url}/{s3_media.name}/")
        assert parse_qs(urlsplit(location).query)["X-Amz-Expires"] == ["300"]
        # The browser may reuse the redirect for at most half the URL's life.
        assert response["Cache-Control"] == "private, max-age=150"
        status, got, headers = fetch(location)
        assert (status, got) == (200, body), kind
        assert headers["Content-Type"] == content_type
        assert headers["Cache-Control"] == "private, max-age=86400"
        disposition = headers.get("Content-Disposition", "")
        assert disposition.startswith("attachment;" if kind == "download" else "inline")
        assert photo.image.rsplit("/", 1)[-1] not in disposition  # never the storage name
        assert stranger_client.get(url).status_code == 404
        assert Client().get(url).status_code == 302  # anonymous: to the login page
        assert "/accounts/login/" in Client().get(url)["Location"]


def test_selfie_photos_redirect_for_their_owner_only(s3_media, owner_client, stranger_client,
                                                     owner):
    image = default_storage.save(f"selfies/{uuid.uuid4().hex}.jpg", ContentFile(b"jpeg bytes"))
    selfie = Selfie.objects.create(
        owner=owner, image=image, thumbnail=image, width=1024, height=1024,
        face_box=[0.3, 0.2, 0.7, 0.6], embedding=[0.0] * 128, phash="0" * 16, sharpness=100.0,
        brightness=0.5, pose="frontal", framing="close-up")
    response = owner_client.get(f"/selfies/{selfie.id}/full/")
    assert response.status_code == 302
    status, body, headers = fetch(response["Location"])
    assert (status, body, headers["Content-Type"]) == (200, b"jpeg bytes", "image/jpeg")
    assert stranger_client.get(f"/selfies/{selfie.id}/full/").status_code == 404


def test_share_links_stream_through_our_view_and_never_hand_out_a_bucket_url(s3_media, owner):
    photo = make_images(owner, 1)[0]
    link = ShareLink.create_for(photo, None)
    response = Client().get(f"/s/{link.token}/image/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == 'inline; filename="sselfie-photo.png"'
    assert "Location" not in response
    page = Client().get(f"/s/{link.token}/").content.decode()
    assert s3_media.endpoint_url not in page and "X-Amz-" not in page
    link.revoke()
    assert Client().get(f"/s/{link.token}/image/").status_code == 404


def test_health_checks_the_bucket(s3_media, client, settings):
    assert client.get("/health/").json() == {"database": "ok", "storage": "ok"}
    # A bucket that does not exist (a typo in S3_BUCKET) makes the process unhealthy.
    media = settings.STORAGES["default"]
    settings.STORAGES = {**settings.STORAGES, "default": {
        **media, "OPTIONS": {**media["OPTIONS"], "bucket_name": f"{s3_media.name}-typo"}}}
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["storage"].startswith("error")
