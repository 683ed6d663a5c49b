"""Request-size limits fail early (before or while the body is read) and kindly (413 with a
page that says what to do); refused requests are logged as warnings, real faults as errors.
"""

import logging
import socket

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from sselfie.selfies.models import Selfie

pytestmark = pytest.mark.django_db
MiB = 1024 * 1024


def multipart_head(boundary: str, name: str) -> bytes:
    return (f"--{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; "
            f"filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n").encode()


@pytest.mark.parametrize(("url", "declared"), [
    ("/selfies/upload/", 150 * MiB),  # the reported body, over a (5-photo) set's worth
    ("/selfies/upload/", 400 * MiB),
    ("/selfies/", 400 * MiB),
    ("/profile/", 5 * MiB),  # not an upload URL: form fields only
])
def test_a_body_over_its_urls_cap_is_refused_unread(owner_client, url, declared, settings):
    """The test client's request body is a few bytes; the declared length is what counts.
    Reading past those bytes would fail the test (FakePayload refuses), so a 413 here
    proves nothing was read."""
    settings.SELFIE_MAX_COUNT = 5  # a set's worth: 5 x 25 MB
    response = owner_client.post(url, b"tiny", content_type="multipart/form-data; boundary=x",
                                 CONTENT_LENGTH=str(declared))
    assert response.status_code == 413
    page = response.content.decode()
    assert "That upload is too large" in page
    assert "Photos can be at most 25 MB each, and at most 5 at a time." in page
    assert 'href="/selfies/"' in page


def test_replace_takes_one_photo_and_caps_its_body_at_one_photo(owner_client, owner):
    response = owner_client.post(
        "/selfies/00000000-0000-0000-0000-000000000000/replace/", b"tiny",
        content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=str(30 * MiB))
    assert response.status_code == 413


def test_htmx_upload_gets_a_plain_413_the_uploader_can_show(owner_client):
    response = owner_client.post("/selfies/upload/", b"tiny", HTTP_HX_REQUEST="true",
                                 content_type="multipart/form-data; boundary=x",
                                 CONTENT_LENGTH=str(400 * MiB))
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")
    assert "at most 25 MB each" in response.content.decode()


def _raw_post(server_url: str, cookies: dict[str, str], head: bytes, declared: int,
              send: bytes) -> bytes:
    """POST `send` (part of a body declared `declared` bytes long) and read the answer
    without sending the rest."""
    host, port = server_url.removeprefix("http://").split(":")
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    request = (f"POST /selfies/upload/ HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n"
               f"X-CSRFToken: {cookies['csrftoken']}\r\nHX-Request: true\r\n"
               f"Content-Type: multipart/form-data; boundary=b0undary\r\n"
               f"Content-Length: {declared}\r\n\r\n").encode()
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(request + head + send)
        sock.shutdown(socket.SHUT_WR)  # the rest of the body never comes
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.django_db(transaction=True)
def test_an_oversized_photo_is_refused_while_it_streams_through_a_real_server(
        live_server, settings):
    """A real HTTP server: the body declares 150 MiB (under the set's cap) for one file.
    The server answers 413 after the first 25 MB, and never waits for the rest."""
    from conftest import make_user

    user = make_user("streamer@example.com")
    client = Client()
    client.force_login(user)
    client.get("/selfies/")  # sets the CSRF cookie
    cookies = {k: v.value for k, v in client.cookies.items()}
    head = multipart_head("b0undary", "huge.jpg")
    answer = _raw_post(live_server.url, cookies, head, 150 * MiB,
                                b"\xff\xd8\xff" + b"\0" * (26 * MiB))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert "“huge.jpg” is larger than 25 MB.".encode() in answer
    assert not Selfie.objects.exists()


@pytest.fixture
def refusals(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def _only_warnings(caplog, logger: str) -> None:
    records = [r for r in caplog.records if r.name.startswith("django.")]
    assert records, "nothing was logged"
    mine = [r for r in records if r.name == logger]
    assert mine, [r.name for r in records]
    for record in records:
        assert record.levelno == logging.WARNING, (record.name, record.levelname)
        assert record.exc_info is None and not record.exc_text


def test_a_foreign_host_is_a_warning_without_traceback(client, refusals):
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
    _only_warnings(refusals, "django.security.DisallowedHost")


def test_too_many_fields_is_a_warning_without_traceback(owner_client, refusals):
    fields = {f"f{i}": "x" for i in range(1001)}
    assert owner_client.post("/selfies/", fields).status_code == 400
    _only_warnings(refusals, "django.security.TooManyFieldsSent")


def test_too_many_files_beyond_the_ceiling_is_a_kind_400_and_a_warning(owner_client, refusals):
    uploads = [SimpleUploadedFile(f"{i}.jpg", b"x") for i in range(101)]
    response = owner_client.post("/selfies/", {"photos": uploads})
    assert response.status_code == 400
    assert "That was more than 15 photos." in response.content.decode()
    _only_warnings(refusals, "django.security.TooManyFilesSent")


def test_a_form_field_over_the_memory_limit_is_a_413_and_a_warning(owner_client, refusals):
    response = owner_client.post("/selfies/upload/", {"note": "x" * (3 * MiB)})
    assert response.status_code == 413
    _only_warnings(refusals, "django.security.RequestDataTooBig")


def test_an_oversized_photo_is_a_warning_without_traceback(owner_client, refusals, settings):
    settings.SELFIE_MAX_BYTES = MiB
    upload = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"\0" * (2 * MiB))
    assert owner_client.post("/selfies/", {"photos": upload}).status_code == 413
    _only_warnings(refusals, "django.security.RequestTooLarge")


@login_not_required
def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a real fault")


urlpatterns = [path("boom/", boom)]  # this module is the URLconf of the test below


def test_an_unexpected_5xx_is_still_an_error_with_its_traceback(settings, refusals):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    [record] = [r for r in refusals.records if r.name == "django.request"]
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert record.exc_info[0] is RuntimeError
