import io
import json
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.storage import default_storage
from django.utils import timezone

from sselfie.privacy import export, retention
from sselfie.privacy.models import DataExport
from sselfie.selfies.models import Selfie
from sselfie.studio.models import GeneratedImage

from .test_erasure import login_for_real, with_photos

pytestmark = pytest.mark.django_db


def test_privacy_page_is_public_and_lists_the_retention_defaults(client):
    page = client.get("/privacy/").content.decode()
    assert "Replicate" in page
    assert "until you delete them or your account" in page
    assert "deleted as soon as the training ends" in page
    assert "30 days, then deleted" in page
    assert "never use them to train anything for anyone else" in page


def test_export_is_built_in_the_background_and_holds_everything(
    client, owner, trained, fake, django_capture_on_commit_callbacks
):
    with_photos(owner, trained, fake)
    login_for_real(client, "owner@example.com")
    response = client.post("/account/export/")
    assert response.status_code == 302
    pending = DataExport.objects.get(owner=owner)
    assert pending.state == "building"
    assert "Preparing your export" in client.get("/account/").content.decode()

    export.build(str(pending.pk))
    ready = DataExport.objects.get(pk=pending.pk)
    assert ready.state == "ready" and ready.size > 0
    assert mail.outbox and "/account/" in mail.outbox[-1].body

    download = client.get(f"/account/exports/{ready.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    profile = json.loads(archive.read("profile.json"))
    assert profile["email"] == "owner@example.com"
    assert profile["profile"]["goals"] and profile["personal_model"]["trigger_word"]
    assert sum(n.startswith("selfies/") for n in names) == 10
    photos = json.loads(archive.read("photos.json"))
    assert len(photos) == 4 and all(p["prompt"] for p in photos)
    assert all(p["file"] in names for p in photos)


def test_export_needs_a_recent_password_and_is_owner_only(owner_client, owner, stranger_client):
    assert "/accounts/reauthenticate/" in owner_client.post("/account/export/")["Location"]
    found = DataExport.objects.create(owner=owner, state="ready", archive="exports/x.zip",
                                      expires_at=timezone.now() + timedelta(days=1))
    assert stranger_client.get(f"/account/exports/{found.pk}/").status_code in (302, 404)
    login_for_real(stranger_client, "stranger@example.com")
    assert stranger_client.get(f"/account/exports/{found.pk}/").status_code == 404


def test_export_link_expires(client, owner):
    default_storage.save("exports/old.zip", io.BytesIO(b"PK\x05\x06" + b"\0" * 18))
    found = DataExport.objects.create(owner=owner, state="ready", archive="exports/old.zip",
                                      expires_at=timezone.now() + timedelta(days=7))
    login_for_real(client, "owner@example.com")
    assert client.get(f"/account/exports/{found.pk}/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        login_for_real(client, "owner@example.com")
        assert client.get(f"/account/exports/{found.pk}/").status_code == 404
        assert retention.run_schedule()["exports"] == 1
    assert not DataExport.objects.exists()
    assert not default_storage.exists("exports/old.zip")


def test_selfies_are_kept_until_deleted_by_default(owner, trained,
                                                   django_capture_on_commit_callbacks):
    with time_machine.travel(timezone.now() + timedelta(days=3650)):
        with django_capture_on_commit_callbacks(execute=True):
            assert retention.purge_old_selfies() == 0
    assert Selfie.objects.filter(owner=owner).count() == 10


def test_selfies_go_after_n_days_when_the_operator_sets_it(owner, trained, settings,
                                                           django_capture_on_commit_callbacks):
    settings.SELFIE_RETENTION_DAYS = 30
    names = list(Selfie.objects.filter(owner=owner).values_list("image", flat=True))
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert retention.purge_old_selfies() == 0
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        with django_capture_on_commit_callbacks(execute=True):
            assert retention.purge_old_selfies() == 10
    assert not Selfie.objects.filter(owner=owner).exists()
    assert not any(default_storage.exists(n) for n in names)


def test_unsaved_photos_are_purged_after_the_gallery_window(owner, trained, fake, settings,
                                                            django_capture_on_commit_callbacks):
    gen = with_photos(owner, trained, fake)
    kept = GeneratedImage.objects.filter(generation=gen).first()
    GeneratedImage.objects.filter(generation=gen).exclude(pk=kept.pk).update(saved=False)
    with time_machine.travel(timezone.now() + timedelta(days=settings.GALLERY_UNSAVED_DAYS - 1)):
        assert retention.run_schedule()["unsaved_photos"] == 0
    with time_machine.travel(timezone.now() + timedelta(days=settings.GALLERY_UNSAVED_DAYS + 1)):
        with django_capture_on_commit_callbacks(execute=True):
            assert retention.run_schedule()["unsaved_photos"] == 3
    assert list(GeneratedImage.objects.filter(owner=owner)) == [kept]
