"""Gallery listings: views, paging, grouping, empty states, query counts and page weight."""

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sselfie.gallery.browse import PAGE_SIZE, Filter, by_month_and_day
from sselfie.gallery.tests.factories import make_images
from sselfie.images.tests import samples
from sselfie.images.thumbs import make_thumbnail
from sselfie.studio.ingest import THUMB_SIDE

TILE = re.compile(r'href="/gallery/([0-9a-f-]{36})/')
THUMB = re.compile(r'src="/images/([0-9a-f-]{36})/thumb/"')
CSS = Path(__file__).resolve().parents[2] / "static" / "sselfie" / "studio.css"


def tiles(response) -> list[str]:
    return TILE.findall(response.content.decode())


def test_all_shows_saved_photos_newest_first_and_never_unsaved_ones(owner, owner_client):
    saved = make_images(owner, 3)
    unsaved = make_images(owner, 2, saved=False)
    response = owner_client.get("/gallery/")
    assert tiles(response) == [str(p.id) for p in saved]
    assert not set(tiles(response)) & {str(p.id) for p in unsaved}
    body = response.content.decode()
    assert "3 of 500 photos saved" in body
    assert "Photos you don't save are deleted after 30 days" in body


def test_retention_notice_follows_the_setting(owner_client, settings):
    settings.GALLERY_UNSAVED_DAYS = 14
    assert "deleted after 14 days" in owner_client.get("/gallery/").content.decode()


def test_favourites_view(owner, owner_client):
    make_images(owner, 2)
    liked = make_images(owner, 2, favourite=True, newest=timezone.now() - timedelta(days=1))
    response = owner_client.get("/gallery/favourites/")
    assert tiles(response) == [str(p.id) for p in liked]
    assert "Download all favourites" in response.content.decode()


def test_category_and_subcategory_views(owner, owner_client):
    heads = make_images(owner, 2, category="portrait", subcategory="headshot")
    creative = make_images(owner, 1, category="portrait", subcategory="creative")
    make_images(owner, 1, category="luxury", subcategory="yacht")
    assert tiles(owner_client.get("/gallery/categories/portrait/")) == [
        str(p.id) for p in sorted(heads + creative, key=lambda p: p.created_at, reverse=True)]
    response = owner_client.get("/gallery/categories/portrait/headshot/")
    assert tiles(response) == [str(p.id) for p in heads]
    assert "Portrait · Headshot" in response.content.decode()


def test_categories_page_counts_in_catalogue_order(owner, owner_client):
    make_images(owner, 2, category="portrait", subcategory="headshot")
    make_images(owner, 1, category="lifestyle", subcategory="travel")
    body = owner_client.get("/gallery/categories/").content.decode()
    assert body.index("Lifestyle") < body.index("Portrait")  # lifestyle comes first in TOML
    assert '<a href="/gallery/categories/portrait/headshot/">Headshot</a>' in body
    assert "2 photos" in body and "1 photo<" in body


def test_by_date_groups_by_month_then_day(owner, owner_client):
    march = datetime(2025, 3, 14, 12, tzinfo=timezone.UTC)
    make_images(owner, 2, newest=march, step=timedelta(hours=1))
    make_images(owner, 1, newest=march - timedelta(days=20))
    body = owner_client.get("/gallery/dates/").content.decode()
    assert body.index("March 2025") < body.index("Friday, March 14") < body.index(
        "February 2025") < body.index("Saturday, February 22")
    assert body.count('class="gallery-day"') == 2


def test_grouping_is_by_local_day(owner, settings):
    settings.TIME_ZONE = "America/New_York"
    late = datetime(2025, 3, 1, 2, tzinfo=timezone.UTC)  # still Feb 28 in New York
    photos = make_images(owner, 2, newest=late, step=timedelta(hours=3))
    timezone.deactivate()
    months = by_month_and_day(photos)
    assert [m.first.month for m in months] == [2]
    assert [d.day.day for d in months[0].days] == [28]


def test_paging_keeps_every_photo_exactly_once(owner, owner_client):
    photos = make_images(owner, PAGE_SIZE * 2 + 5, files=False)
    seen = []
    for page in (1, 2, 3):
        response = owner_client.get(f"/gallery/?page={page}")
        seen += tiles(response)
    assert seen == [str(p.id) for p in photos]
    body = owner_client.get("/gallery/?page=2").content.decode()
    assert 'rel="prev" href="?page=1"' in body and 'rel="next" href="?page=3"' in body
    assert "Page 2 of 3" in body


@pytest.mark.parametrize("page", ["0", "-1", "999", "abc", "1e9", "%00", "9" * 50])
def test_bad_page_numbers_give_a_real_page(owner, owner_client, page):
    make_images(owner, PAGE_SIZE + 1, files=False)
    assert owner_client.get("/gallery/", {"page": page}).status_code == 200


def test_empty_states(owner_client):
    assert "No saved photos yet" in owner_client.get("/gallery/").content.decode()
    assert "No saved photos yet" in owner_client.get("/gallery/dates/").content.decode()
    assert "No saved photos yet" in owner_client.get("/gallery/categories/").content.decode()
    assert "No favourites yet" in owner_client.get("/gallery/favourites/").content.decode()
    body = owner_client.get("/gallery/categories/luxury/yacht/").content.decode()
    assert "No saved photos in Luxury · Yacht yet" in body


def test_unknown_category_key_is_an_empty_view_not_an_error(owner_client):
    assert owner_client.get("/gallery/categories/nope/").status_code == 200


@pytest.mark.parametrize("url", ["/gallery/", "/gallery/dates/", "/gallery/favourites/",
                                 "/gallery/categories/portrait/"])
def test_query_count_is_the_same_at_10_and_500_photos(owner, owner_client, url):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(url).status_code == 200
        return len(queries)

    make_images(owner, 10, favourite=True, files=False)
    at_10 = count()
    make_images(owner, 490, favourite=True, files=False)
    assert count() == at_10 <= 8  # session, user, onboarding check (2), page (2), usage (2)


def test_lightbox_and_categories_query_counts_do_not_grow(owner, owner_client):
    first = make_images(owner, 10, files=False)[5]

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(url).status_code == 200
        return len(queries)

    small = (count(f"/gallery/{first.id}/?in=favourites"), count("/gallery/categories/"))
    make_images(owner, 490, files=False, newest=timezone.now() - timedelta(days=1))
    assert (count(f"/gallery/{first.id}/?in=favourites"), count("/gallery/categories/")) == small


@pytest.fixture(scope="module")
def realistic_thumbs() -> list[bytes]:
    """640 px WebP thumbnails as ingest makes them, from real photos with film grain (the
    realism suffix asks for grain, which is what makes a thumbnail heavy)."""
    sources = [samples.astronaut(), samples.grace_hopper(), samples.coffee(), samples.chelsea()]
    return [make_thumbnail(samples.with_grain(samples.upscale(img, 1280), sigma=8, seed=i),
                           THUMB_SIDE) for i, img in enumerate(sources)]


def test_a_page_of_thumbnails_weighs_under_5_mb(owner, owner_client, realistic_thumbs):
    for i in range(PAGE_SIZE + 10):
        make_images(owner, 1, thumb=realistic_thumbs[i % len(realistic_thumbs)])
    body = owner_client.get("/gallery/").content.decode()
    shown = THUMB.findall(body)
    assert len(shown) == PAGE_SIZE
    from sselfie.studio.models import GeneratedImage

    names = GeneratedImage.objects.filter(pk__in=shown).values_list("thumbnail", flat=True)
    weight = sum(default_storage.size(name) for name in names)
    assert weight < 5 * 1024 * 1024, weight
    # Grids never load the full-size files (the lightbox fetches one when it is opened).
    assert not re.search(r'(src|href|srcset)="[^"]*/(full|download)/', body)


def test_markup_is_mobile_friendly_and_csp_clean(owner, owner_client):
    make_images(owner, 2)
    for url in ["/gallery/", "/gallery/categories/", f"/gallery/{make_images(owner)[0].id}/"]:
        body = owner_client.get(url).content.decode()
        assert 'name="viewport"' in body
        assert "style=" not in body and " onclick=" not in body.lower()
        assert "<script>" not in body  # scripts come from files only
    gallery_css = CSS.read_text().split("/* ---------- Gallery ---------- */", 1)[1]
    gallery_css = gallery_css.split("/* ---------- ", 1)[0]  # up to the next section
    assert ".gallery-grid" in gallery_css
    assert not re.search(r"(?<![-\w])(min-|max-)?width:\s*\d+px", gallery_css)


def test_filter_round_trips_through_the_query_string():
    for view in [Filter(), Filter("favourites"), Filter("date"), Filter("category", "portrait"),
                 Filter("category", "portrait", "headshot")]:
        assert Filter.from_param(view.param) == view
    for hostile in ["category/../x", "category/PORTRAIT", "category/a/b/c", "x" * 500,
                    "category/", "<script>", None]:
        assert Filter.from_param(hostile) == Filter()


def test_nav_links_the_gallery_and_marks_it_current(owner_client):
    body = owner_client.get("/gallery/favourites/").content.decode()
    assert '<a href="/gallery/" aria-current="page">Gallery</a>' in body
    studio = owner_client.get("/studio/").content.decode()
    assert '<a href="/gallery/" >Gallery</a>' in studio


def test_studio_preview_shows_latest_saved_photos(owner, owner_client):
    assert "No saved photos yet" in owner_client.get("/studio/").content.decode()
    make_images(owner, 2, saved=False)
    assert "No saved photos yet" in owner_client.get("/studio/").content.decode()
    saved = make_images(owner, 8)
    body = owner_client.get("/studio/").content.decode()
    assert "No saved photos yet" not in body
    assert "Open your gallery" in body
    preview = body.split('class="gallery-strip"', 1)[1].split("</ul>", 1)[0]
    assert THUMB.findall(preview) == [str(p.id) for p in saved[:6]]
