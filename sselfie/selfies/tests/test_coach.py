import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from sselfie.selfies import intake
from sselfie.selfies.models import Selfie, TrainingSet
from sselfie.selfies.tasks import rebuild_training_set
from tests.photos import distinct_selfies, seed_selfies, someone_else

pytestmark = pytest.mark.django_db


def upload_all(client, photos: list[bytes]) -> None:
    for i, photo in enumerate(photos):
        upload = SimpleUploadedFile(f"{i}.jpg", photo, "image/jpeg")
        response = client.post("/selfies/upload/", {"photos": upload}, HTTP_HX_REQUEST="true")
        assert response.status_code == 201, response.content


def test_empty_page_shows_guidance_and_the_upload_form(owner_client):
    page = owner_client.get("/selfies/").content.decode()
    assert "Drop photos here" in page
    assert "Various angles" in page and "close-ups" in page.lower()
    assert "No photos yet" in page
    assert 'accept="image/jpeg' in page


def test_a_user_reaches_ready_to_train(owner_client, owner):
    upload_all(owner_client, list(distinct_selfies(12)[:10]))
    page = owner_client.get("/selfies/coach/").content.decode()
    assert "Ready to train" in page
    assert "<strong>10</strong> usable" in page
    assert "Train my model" in page


def test_nine_photos_are_not_enough(owner_client, owner):
    seed_selfies(owner, distinct_selfies(12)[:9])
    page = owner_client.get("/selfies/coach/").content.decode()
    assert "Ready to train" not in page
    assert "Add 1 more photo" in page


def test_someone_else_in_the_set_is_flagged_never_the_majority(owner_client, owner):
    seed_selfies(owner, [*distinct_selfies(12)[:10], someone_else()])
    outsider = Selfie.objects.filter(owner=owner).order_by("-created_at").first()
    page = owner_client.get("/selfies/coach/").content.decode()
    flagged_card = page.split(f'id="selfie-{outsider.id}"')[1].split("</li>")[0]
    assert 'data-code="different_person"' in flagged_card
    assert page.count('data-code="different_person"') == 1
    assert "Ready to train" not in page


def test_training_zip_is_built_deterministically_and_rebuilt_on_change(owner_client, owner):
    seed_selfies(owner, distinct_selfies(12)[:11])
    rebuild_training_set.call(owner.pk)
    first = TrainingSet.objects.get(owner=owner)
    assert first.archive and len(first.sha256) == 64 and len(first.photo_ids) == 11
    rebuild_training_set.call(owner.pk)
    assert TrainingSet.objects.get(owner=owner).sha256 == first.sha256

    intake.remove(Selfie.objects.filter(owner=owner).first())
    rebuild_training_set.call(owner.pk)
    second = TrainingSet.objects.get(owner=owner)
    assert second.sha256 != first.sha256 and len(second.photo_ids) == 10
    assert default_storage.exists(second.archive)


def test_training_zip_goes_away_when_the_set_is_no_longer_ready(
    owner, django_capture_on_commit_callbacks
):
    seed_selfies(owner, distinct_selfies(12)[:10])
    rebuild_training_set.call(owner.pk)
    archive = TrainingSet.objects.get(owner=owner).archive
    intake.remove(Selfie.objects.filter(owner=owner).first())
    with django_capture_on_commit_callbacks(execute=True):
        rebuild_training_set.call(owner.pk)
    assert TrainingSet.objects.get(owner=owner).archive == ""
    assert not default_storage.exists(archive)


def test_each_change_queues_a_rebuild(owner_client, owner, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        upload_all(owner_client, [distinct_selfies(12)[0]])
    queued = DBTaskResult.objects.filter(task_path__endswith="rebuild_training_set")
    assert queued.count() == 1
    assert queued.get().args_kwargs["args"] == [owner.pk]


def test_a_photo_of_someone_else_is_explained_in_the_summary_with_a_link(owner_client, owner):
    seed_selfies(owner, [*distinct_selfies(12)[:12], someone_else()])
    outsider = Selfie.objects.filter(owner=owner).order_by("-created_at").first()
    page = owner_client.get("/selfies/coach/").content.decode()
    summary = page.split('class="coach card"')[1].split("</section>")[0]
    # Twelve usable photos, yet no Train button: the summary says why and what to do.
    assert "<strong>12</strong> usable" in page
    assert "One photo to fix" in summary
    assert f'href="#selfie-{outsider.id}"' in summary and "Photo 13" in summary
    assert "someone other than" in summary and "Remove it" in summary
    assert "Train my model unlocks when this photo is removed or replaced." in summary
    assert 'action="/model/train/"' not in summary
    owner_client.post(f"/selfies/{outsider.id}/delete/")
    after = owner_client.get("/selfies/coach/").content.decode()
    assert "Ready to train" in after and "photo to fix" not in after


def test_touch_screens_get_camera_roll_wording_and_drawn_examples(owner_client):
    page = owner_client.get("/selfies/").content.decode()
    assert '<span class="on-touch">Choose from your camera roll</span>' in page
    assert '<span class="on-pointer">Drop photos here</span>' in page
    assert page.count("<svg") >= 6 and "<img" not in page.split('id="guide-h"')[1][:4000]
    # On a phone the guidance comes before the uploader.
    assert page.index('id="guide-h"') < page.index("data-uploader")
