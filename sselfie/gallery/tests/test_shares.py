"""Share links: random, revocable, optionally expiring, and showing one photo only."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from sselfie.gallery.models import ShareLink
from sselfie.gallery.tests.factories import png_bytes
from sselfie.studio.models import GeneratedImage

PRIVATE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def share_urls(link: ShareLink) -> list[str]:
    return [f"/s/{link.token}/", f"/s/{link.token}/image/"]


def assert_gone(link: ShareLink) -> None:
    for url in share_urls(link):
        assert Client().get(url).status_code == 404, url


def test_owner_creates_a_link_with_a_long_random_token(owner_client, photo):
    response = owner_client.post(f"/gallery/{photo.id}/share/", {"expires": ""})
    assert response["Location"] == f"/gallery/{photo.id}/#share"
    link = ShareLink.objects.get()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", link.token)  # token_urlsafe(32): 256 bits
    assert link.expires_at is None
    body = owner_client.get(f"/gallery/{photo.id}/").content.decode()
    assert f"http://testserver/s/{link.token}/" in body and "Never expires" in body


def test_tokens_are_unique(photo):
    tokens = {ShareLink.create_for(photo, None).token for _ in range(50)}
    assert len(tokens) == 50


@pytest.mark.parametrize("days", [1, 7, 30])
def test_expiry_choices(owner_client, photo, days):
    owner_client.post(f"/gallery/{photo.id}/share/", {"expires": str(days)})
    link = ShareLink.objects.get()
    assert abs(link.expires_at - (timezone.now() + timedelta(days=days))) < timedelta(minutes=1)


@pytest.mark.parametrize("bad", ["2", "-1", "0", "99999999999999999999", "abc", "7 days",
                                 "2030-01-01", "1; DROP TABLE"])
def test_bad_expiry_values_are_refused(owner_client, photo, bad):
    response = owner_client.post(f"/gallery/{photo.id}/share/", {"expires": bad})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ShareLink.objects.exists()


def test_unsaved_photos_cannot_be_shared(owner_client, owner):
    from sselfie.gallery.tests.factories import make_images

    photo = make_images(owner, saved=False)[0]
    owner_client.post(f"/gallery/{photo.id}/share/", {"expires": ""})
    assert not ShareLink.objects.exists()


def test_public_page_shows_the_photo_and_nothing_else(link, photo, owner):
    response = Client().get(f"/s/{link.token}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<meta property="og:image" content="http://testserver/s/{link.token}/image/">' in body
    assert '<meta property="og:type" content="website">' in body
    assert '<meta property="og:title" content="A photo from SSELFIE Studio">' in body
    for secret in [owner.email, photo.prompt, str(photo.id), photo.image, photo.thumbnail,
                   "trigger", "Likeness"]:
        assert secret not in body, secret


def test_og_image_uses_public_url_when_set(link, settings):
    settings.PUBLIC_URL = "https://studio.example.com"
    body = Client().get(f"/s/{link.token}/").content.decode()
    assert f'content="https://studio.example.com/s/{link.token}/image/"' in body


def test_public_image_is_the_photo_with_a_neutral_name(link):
    response = Client().get(f"/s/{link.token}/image/")
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="sselfie-photo.png"'


@pytest.mark.parametrize("which", [0, 1])
def test_share_responses_are_unlisted_and_uncached(link, which):
    response = Client().get(share_urls(link)[which])
    for header, value in PRIVATE_HEADERS.items():
        assert response[header] == value
    assert "noindex" in response["X-Robots-Tag"]


def test_logged_in_visitors_see_it_too(link, stranger_client):
    assert stranger_client.get(f"/s/{link.token}/").status_code == 200


def test_revoked_link_is_gone_at_once(owner_client, link):
    response = owner_client.post(f"/gallery/shares/{link.id}/revoke/")
    assert response["Location"] == f"/gallery/{link.image_id}/#share"
    assert_gone(link)
    assert link.token not in owner_client.get(f"/gallery/{link.image_id}/").content.decode()


def test_expired_link_is_gone(photo):
    link = ShareLink.create_for(photo, 1)
    with time_machine.travel(timezone.now() + timedelta(hours=23)):
        assert Client().get(f"/s/{link.token}/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        assert_gone(link)


def test_deleted_photo_link_is_gone(owner_client, link):
    owner_client.post(f"/gallery/{link.image_id}/delete/")
    assert_gone(link)


def test_removing_from_gallery_revokes_links_for_good(owner_client, link):
    owner_client.post(f"/images/{link.image_id}/unsave/")
    assert_gone(link)
    owner_client.post(f"/images/{link.image_id}/save/")
    assert_gone(link)  # saving again never republishes an old link


def test_deleted_or_closed_account_link_is_gone(owner, link):
    owner.is_active = False
    owner.save()
    assert_gone(link)
    owner.is_active = True
    owner.save()
    assert Client().get(f"/s/{link.token}/").status_code == 200
    owner.delete()
    assert_gone(link)
    assert not GeneratedImage.objects.exists() and not ShareLink.objects.exists()


@pytest.mark.parametrize("token", ["x", "A" * 43, "A" * 5000, "..%2F..%2Fetc", "%00",
                                   "' OR '1'='1"])
def test_guessed_tokens_are_404(link, token):
    assert Client().get(f"/s/{token}/").status_code == 404
    assert Client().get(f"/s/{token}/image/").status_code == 404


def test_a_prefix_of_a_real_token_is_404(link):
    assert Client().get(f"/s/{link.token[:-1]}/").status_code == 404
