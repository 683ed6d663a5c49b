"""The lightbox (one photo), favourites and deletion."""

import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from sselfie.gallery.models import ShareLink
from sselfie.gallery.tests.factories import make_images
from sselfie.studio.models import GeneratedImage

PREV = re.compile(r'rel="prev" href="/gallery/([0-9a-f-]{36})/([^"]*)"')
NEXT = re.compile(r'rel="next" href="/gallery/([0-9a-f-]{36})/([^"]*)"')


def neighbours(client, photo, query: str = "") -> tuple[str | None, str | None]:
    pk = getattr(photo, "id", photo)
    body = client.get(f"/gallery/{pk}/{query}").content.decode()
    found_prev, found_next = PREV.search(body), NEXT.search(body)
    return (found_prev and found_prev.group(1)), (found_next and found_next.group(1))


def test_lightbox_shows_category_date_prompt_likeness_and_actions(owner_client, photo):
    body = owner_client.get(f"/gallery/{photo.id}/").content.decode()
    assert "user_abc_trigger" not in body  # the trigger word is for operators only
    for text in ["Portrait · Headshot", "woman, editorial headshot, raw photo", "72%", "80 × 100",
                 f"/images/{photo.id}/full/", f"/images/{photo.id}/download/",
                 f"/gallery/{photo.id}/delete/", 'aria-pressed="false"', "Create share link",
                 photo.created_at.strftime("%B %-d, %Y")]:
        assert text in body, text
    assert 'src="/static/sselfie/lightbox.js"' in body


def test_likeness_states(owner, owner_client):
    photo = make_images(owner)[0]
    GeneratedImage.objects.filter(pk=photo.pk).update(has_face=False, likeness=None)
    assert "No face found" in owner_client.get(f"/gallery/{photo.id}/").content.decode()
    GeneratedImage.objects.filter(pk=photo.pk).update(has_face=True)
    assert "Not scored" in owner_client.get(f"/gallery/{photo.id}/").content.decode()


def test_previous_and_next_walk_the_whole_view(owner_client, photos):
    ids = [str(p.id) for p in photos]
    assert neighbours(owner_client, photos[0]) == (None, ids[1])
    assert neighbours(owner_client, photos[1]) == (ids[0], ids[2])
    assert neighbours(owner_client, photos[2]) == (ids[1], None)


def test_previous_and_next_stay_inside_the_filter(owner, owner_client):
    now = timezone.now()
    liked = make_images(owner, 3, favourite=True, newest=now, step=timedelta(hours=2))
    make_images(owner, 2, newest=now - timedelta(hours=1), step=timedelta(hours=2))  # between
    body = owner_client.get(f"/gallery/{liked[1].id}/?in=favourites").content.decode()
    assert PREV.search(body).groups() == (str(liked[0].id), "?in=favourites")
    assert NEXT.search(body).groups() == (str(liked[2].id), "?in=favourites")
    assert 'href="/gallery/favourites/" data-key="Escape"' in body
    yacht = make_images(owner, 2, category="luxury", subcategory="yacht",
                        newest=now - timedelta(minutes=30))
    query = "?in=category%2Fluxury%2Fyacht"
    assert neighbours(owner_client, yacht[0], query) == (None, str(yacht[1].id))


def test_ties_on_the_timestamp_still_give_a_total_order(owner, owner_client):
    make_images(owner, 4, step=timedelta(0))  # all made in the same instant
    page = owner_client.get("/gallery/").content.decode()
    grid = re.findall(r'href="/gallery/([0-9a-f-]{36})/"', page)
    walked = [grid[0]]
    while following := neighbours(owner_client, walked[-1])[1]:
        walked.append(following)
    assert walked == grid and len(set(grid)) == 4
    assert neighbours(owner_client, grid[2]) == (grid[1], grid[3])


def test_unsaved_photo_has_no_neighbours_and_says_when_it_goes(owner, owner_client):
    photo = make_images(owner, saved=False)[0]
    make_images(owner, 2)
    body = owner_client.get(f"/gallery/{photo.id}/").content.decode()
    assert 'rel="prev"' not in body and 'rel="next"' not in body
    assert "Save to Gallery" in body and "deleted after 30 days" in body
    assert "Save this photo to your gallery to share it." in body


def test_keyboard_links_have_labels(owner_client, photos):
    body = owner_client.get(f"/gallery/{photos[1].id}/").content.decode()
    assert 'aria-label="Previous photo (newer)" data-key="ArrowLeft"' in body
    assert 'aria-label="Next photo (older)" data-key="ArrowRight"' in body


# --- Favourites -------------------------------------------------------------------------------


def test_favourite_with_htmx_swaps_just_the_button(owner_client, photo):
    response = owner_client.post(f"/gallery/{photo.id}/favourite/", {"favourite": "1"},
                                 headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode().strip()
    assert body.startswith("<button") and body.endswith("</button>")
    assert 'aria-pressed="true"' in body and 'value="0"' in body
    assert GeneratedImage.objects.get(pk=photo.pk).favourite
    response = owner_client.post(f"/gallery/{photo.id}/favourite/", {"favourite": "0"},
                                 headers={"HX-Request": "true"})
    assert 'aria-pressed="false"' in response.content.decode()
    assert not GeneratedImage.objects.get(pk=photo.pk).favourite


def test_favourite_without_js_posts_and_redirects_back(owner_client, photo):
    response = owner_client.post(f"/gallery/{photo.id}/favourite/",
                                 {"favourite": "1", "next": "/gallery/?page=1"})
    assert response["Location"] == "/gallery/?page=1"
    assert GeneratedImage.objects.get(pk=photo.pk).favourite
    response = owner_client.post(f"/gallery/{photo.id}/favourite/",
                                 {"favourite": "1", "next": "https://evil.example/"})
    assert response["Location"] == f"/gallery/{photo.id}/"


def test_favourite_is_set_not_flipped(owner_client, photo):
    for _ in range(2):  # a double click
        owner_client.post(f"/gallery/{photo.id}/favourite/", {"favourite": "1"})
    assert GeneratedImage.objects.get(pk=photo.pk).favourite


def test_unsaved_photos_cannot_be_favourites(owner, owner_client):
    photo = make_images(owner, saved=False)[0]
    owner_client.post(f"/gallery/{photo.id}/favourite/", {"favourite": "1"})
    assert not GeneratedImage.objects.get(pk=photo.pk).favourite


def test_favourite_rejects_get(owner_client, photo):
    assert owner_client.get(f"/gallery/{photo.id}/favourite/").status_code == 405


# --- Deleting ---------------------------------------------------------------------------------


def test_delete_asks_first(owner_client, photo):
    body = owner_client.get(f"/gallery/{photo.id}/delete/").content.decode()
    assert "Delete this photo for good?" in body
    assert f'action="/gallery/{photo.id}/delete/"' in body
    assert GeneratedImage.objects.filter(pk=photo.pk).exists()


def test_delete_removes_row_files_and_share_links(owner_client, photos,
                                                  django_capture_on_commit_callbacks):
    photo = photos[1]
    ShareLink.create_for(photo, None)
    files = [photo.image, photo.thumbnail]
    assert all(default_storage.exists(f) for f in files)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/gallery/{photo.id}/delete/")
    # On to the next photo of the same view, so deleting a series is quick.
    assert response["Location"] == f"/gallery/{photos[2].id}/"
    assert not GeneratedImage.objects.filter(pk=photo.pk).exists()
    assert not ShareLink.objects.exists()
    assert not any(default_storage.exists(f) for f in files)
    assert default_storage.exists(photos[0].image)


def test_deleting_the_last_photo_of_a_view_returns_to_the_view(owner_client, photos):
    response = owner_client.post(f"/gallery/{photos[1].id}/delete/", {"in": "favourites"})
    assert response["Location"] == "/gallery/favourites/"


@pytest.mark.parametrize("value", ["../../etc", "category/x/y/z", "' OR 1=1 --", "\x00"])
def test_hostile_filter_values_are_just_the_all_view(owner_client, photos, value):
    response = owner_client.get(f"/gallery/{photos[1].id}/", {"in": value})
    assert response.status_code == 200
    assert 'href="/gallery/" data-key="Escape"' in response.content.decode()


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "javascript:x",
                                    "/gallery/\r\nSet-Cookie: a=b", "/\x00", "\\\\evil.example"])
def test_hostile_next_never_leaves_the_site(owner_client, photo, target):
    response = owner_client.post(f"/gallery/{photo.id}/favourite/",
                                 {"favourite": "1", "next": target})
    assert response.status_code == 302
    assert response["Location"].startswith("/") and not response["Location"].startswith("//")
    assert "\n" not in response["Location"] and "Set-Cookie" not in response.headers
