"""Saving, un-saving and the lightbox panel without a page reload (htmx), and share links'
default expiry."""

from datetime import timedelta

from django.utils import timezone

from sselfie.accounts.models import Plan
from sselfie.gallery.models import ShareLink
from sselfie.gallery.tests.factories import make_images
from sselfie.studio.models import GeneratedImage

HX = {"HTTP_HX_REQUEST": "true"}


def saved(photo) -> bool:
    return GeneratedImage.objects.get(pk=photo.pk).saved


def test_save_in_place_offers_undo_and_undo_unsaves(owner, owner_client):
    photo = make_images(owner, saved=False)[0]
    response = owner_client.post(f"/images/{photo.id}/save/", {"next": "/studio/#results"}, **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "Saved to your gallery" in body
    assert f'hx-post="/images/{photo.id}/unsave/"' in body and "Undo" in body
    assert 'value="/studio/#results"' in body and saved(photo)
    undone = owner_client.post(f"/images/{photo.id}/unsave/", {"next": "/studio/"}, **HX)
    assert "Removed from your gallery" in undone.content.decode() and not saved(photo)
    assert f'hx-post="/images/{photo.id}/save/"' in undone.content.decode()


def test_saving_twice_stays_saved_and_a_click_on_saved_never_unsaves(owner, owner_client):
    photo = make_images(owner, saved=False)[0]
    for _ in range(2):
        owner_client.post(f"/images/{photo.id}/save/", **HX)
    assert saved(photo)
    page = owner_client.get("/studio/").content.decode()
    # The saved state is a label plus a separate, explicitly named action.
    assert "Saved ✓" not in page


def test_saved_photos_show_an_explicit_remove_action(owner, owner_client, trained):
    from sselfie.studio.models import Generation

    photo = make_images(owner)[0]
    GeneratedImage.objects.filter(pk=photo.pk).update(personal_model=trained)
    Generation.objects.filter(pk=photo.generation_id).update(owner=owner)
    body = owner_client.get("/studio/").content.decode()
    assert "In your gallery" in body and "Remove from gallery" in body


def test_save_in_place_when_the_gallery_is_full_says_what_to_do(owner, owner_client):
    Plan.objects.filter(profiles__user=owner).update(saved_images=1)
    make_images(owner, 1, files=False)
    extra = make_images(owner, saved=False, files=False)[0]
    response = owner_client.post(f"/images/{extra.id}/save/", **HX)
    assert response.status_code == 200
    assert "Your gallery is full" in response.content.decode()
    assert 'href="/gallery/plans/"' in response.content.decode() and not saved(extra)


def test_strangers_cannot_save_or_unsave_in_place(owner, stranger_client):
    photo = make_images(owner, saved=False)[0]
    assert stranger_client.post(f"/images/{photo.id}/save/", **HX).status_code == 404
    assert stranger_client.post(f"/images/{photo.id}/unsave/", **HX).status_code == 404
    assert not saved(photo)


def test_hostile_next_in_place_is_dropped(owner, owner_client):
    photo = make_images(owner, saved=False)[0]
    body = owner_client.post(f"/images/{photo.id}/save/", {"next": "https://evil.example/"},
                             **HX).content.decode()
    assert "evil.example" not in body


def test_the_lightbox_loads_the_details_panel_only(owner, owner_client, photo):
    panel = owner_client.get(f"/gallery/{photo.id}/", **HX)
    body = panel.content.decode()
    assert panel.status_code == 200
    assert "<html" not in body and 'class="lightbox__side"' in body
    assert "Create share link" in body and "user_abc_trigger" not in body
    # A direct visit (a deep link) still gets the whole page.
    whole = owner_client.get(f"/gallery/{photo.id}/").content.decode()
    assert "<html" in whole and 'class="lightbox__side"' in whole
    assert 'data-lightbox="gallery"' in owner_client.get("/gallery/").content.decode()


def test_share_links_expire_after_7_days_unless_chosen_otherwise(owner, owner_client, photo):
    page = owner_client.get(f"/gallery/{photo.id}/").content.decode()
    assert '<option value="7" selected>After 7 days</option>' in page
    assert "Copy link" not in page or "data-copy" in page
    owner_client.post(f"/gallery/{photo.id}/share/", {"expires": "7"})
    link = ShareLink.objects.get(image=photo)
    assert abs(link.expires_at - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)
    body = owner_client.get(f"/gallery/{photo.id}/").content.decode()
    assert f'data-copy="link-{link.id}"' in body and f'data-share="link-{link.id}"' in body


def test_the_bulk_bar_comes_after_the_grid_for_its_counter(owner, owner_client, photos):
    body = owner_client.get("/gallery/").content.decode()
    assert body.index('class="gallery-grid"') < body.index('class="bulk-bar"')
