"""Saving within the plan's limit, and the retention of results nobody saved."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from sselfie.accounts.models import Plan
from sselfie.gallery.retention import purge_unsaved
from sselfie.gallery.tests.factories import make_images
from sselfie.studio.models import GeneratedImage


def test_save_and_unsave_from_the_studio_grid(owner, owner_client):
    photo = make_images(owner, saved=False)[0]
    response = owner_client.post(f"/images/{photo.id}/save/", {"next": "/studio/#results"})
    assert response["Location"] == "/studio/#results"
    assert GeneratedImage.objects.get(pk=photo.pk).saved
    owner_client.post(f"/images/{photo.id}/unsave/", {"next": "/studio/#results"})
    assert not GeneratedImage.objects.get(pk=photo.pk).saved


def test_the_save_past_the_limit_gets_an_upgrade_page(owner, owner_client):
    Plan.objects.create(name="Studio Pro", monthly_price=29, saved_images=2000)
    make_images(owner, 500, files=False)
    extra = make_images(owner, saved=False, files=False)[0]
    response = owner_client.post(f"/images/{extra.id}/save/", {"next": "/studio/"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Your gallery holds 500 photos, the most your plan allows." in body
    assert "Studio Pro" in body and "2000 photos in your gallery" in body and "$29" in body
    assert 'href="/gallery/"' in body  # or make room
    assert not GeneratedImage.objects.get(pk=extra.pk).saved


def test_full_gallery_says_so_with_a_link_to_plans(owner, owner_client):
    Plan.objects.filter(profiles__user=owner).update(saved_images=3)
    make_images(owner, 3, files=False)
    body = owner_client.get("/gallery/").content.decode()
    assert "Your gallery is full" in body and 'href="/gallery/plans/"' in body
    assert "3 of 3 photos saved" in body
    assert "Your plan keeps 3 photos" in owner_client.get("/gallery/plans/").content.decode()


def test_purge_deletes_old_unsaved_results_with_their_files(
        owner, django_capture_on_commit_callbacks):
    now = timezone.now()
    old = make_images(owner, 3, saved=False, newest=now - timedelta(days=31))
    young = make_images(owner, 1, saved=False, newest=now - timedelta(days=29))
    kept = make_images(owner, 1, saved=True, newest=now - timedelta(days=400))
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_unsaved() == 3
    left = set(GeneratedImage.objects.values_list("pk", flat=True))
    assert left == {young[0].pk, kept[0].pk}
    assert not any(default_storage.exists(p.image) or default_storage.exists(p.thumbnail)
                   for p in old)
    assert default_storage.exists(young[0].image) and default_storage.exists(kept[0].thumbnail)
    assert purge_unsaved() == 0  # safe to run again


def test_purge_takes_a_clock_and_the_setting(owner, settings):
    settings.GALLERY_UNSAVED_DAYS = 7
    make_images(owner, 2, saved=False, newest=timezone.now() - timedelta(days=6))
    assert purge_unsaved() == 0
    assert purge_unsaved(now=timezone.now() + timedelta(days=2)) == 2


def test_purge_works_through_a_backlog_in_batches(owner, monkeypatch):
    from sselfie.gallery import retention

    monkeypatch.setattr(retention, "BATCH", 7)
    make_images(owner, 30, saved=False, files=False, newest=timezone.now() - timedelta(days=40))
    assert purge_unsaved() == 30
    assert not GeneratedImage.objects.exists()
