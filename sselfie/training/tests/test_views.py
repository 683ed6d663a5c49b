"""The training views (train, status, cancel) and the operators' admin pages."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from conftest import logged_in
from sselfie.selfies.models import TrainingSet
from sselfie.training import services
from sselfie.training.models import PersonalModel, State, Training
from sselfie.training.tasks import submit_training

pytestmark = pytest.mark.django_db


def submitted(user) -> Training:
    training = services.start(user)
    submit_training.call(str(training.pk))
    training.refresh_from_db()
    return training


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.mark.parametrize(("method", "url"), [
    ("post", "/model/train/"),
    ("get", "/model/status/"),
    ("post", "/model/trainings/8d5e2a4c-6b1f-4c1e-9a57-3f0c2b7d9e10/cancel/"),
])
def test_anonymous_people_are_sent_to_log_in(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_a_stranger_cannot_cancel_the_owners_training(fake, ready_owner, stranger_client):
    training = submitted(ready_owner)
    response = stranger_client.post(f"/model/trainings/{training.pk}/cancel/")
    assert response.status_code == 404
    training.refresh_from_db()
    assert training.is_active and not training.cancel_requested
    assert fake.calls("trainings.cancel") == []
    assert fake.job(training.provider_id)["status"] == "starting"


def test_the_status_card_polls_while_active_and_stops_once_terminal(
    fake, ready_owner, owner_client, django_capture_on_commit_callbacks
):
    assert owner_client.get("/model/status/").status_code == 286  # nothing to follow
    training = submitted(ready_owner)
    active = owner_client.get("/model/status/")
    assert active.status_code == 200
    page = active.content.decode()
    assert 'hx-get="/model/status/"' in page and 'hx-trigger="every 3s"' in page
    # Cancelling asks first: the card links to a confirmation page, it posts nothing itself.
    assert f'href="/model/trainings/{training.pk}/cancel/"' in page
    assert f'action="/model/trainings/{training.pk}/cancel/"' not in page
    assert "Sending your photos" in page or "Getting ready" in page or "Warming up" in page
    assert "Queued" not in page and "Uploading" not in page
    assert "we'll email you" in page

    fake.complete(training.provider_id)
    from sselfie.jobs.reconcile import reconcile_jobs

    with django_capture_on_commit_callbacks(execute=True):
        reconcile_jobs()
    done = owner_client.get("/model/status/")
    assert done.status_code == 286
    assert "hx-trigger" not in done.content.decode()
    assert "Your model is ready" in done.content.decode()
    # The trigger word is an operator's detail (admin only), never on the user's pages.
    trigger = PersonalModel.objects.get(owner=ready_owner).trigger_word
    assert trigger not in done.content.decode()
    assert trigger not in owner_client.get("/studio/").content.decode()


def test_cancel_asks_for_confirmation_first_and_a_get_changes_nothing(
    fake, ready_owner, owner_client, stranger_client
):
    training = submitted(ready_owner)
    page = owner_client.get(f"/model/trainings/{training.pk}/cancel/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Cancel this training?" in body and "Keep training" in body
    assert f'<form method="post" action="/model/trainings/{training.pk}/cancel/"' in body
    training.refresh_from_db()
    assert training.is_active and fake.calls("trainings.cancel") == []
    assert stranger_client.get(f"/model/trainings/{training.pk}/cancel/").status_code == 404
    assert owner_client.get("/model/trainings/not-a-uuid/cancel/").status_code == 404


def test_canceling_a_running_training_cancels_it_at_replicate(
    fake, ready_owner, owner_client, django_capture_on_commit_callbacks
):
    training = submitted(ready_owner)
    fake.advance(training.provider_id)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/model/trainings/{training.pk}/cancel/", follow=True)
    assert response.redirect_chain == [("/studio/", 302)]
    assert "Training canceled. Your training slot is free again." in messages_of(response)
    [call] = fake.calls("trainings.cancel")
    assert call.path == f"/v1/trainings/{training.provider_id}/cancel"
    assert fake.job(training.provider_id)["status"] == "canceled"
    training.refresh_from_db()
    assert training.state == State.CANCELED and training.cancel_requested
    assert training.provider_file_deleted and training.archive == ""
    assert mail.outbox == []
    assert "Training canceled" in response.content.decode()
    assert owner_client.get("/model/status/").status_code == 286


def test_canceling_a_training_not_yet_at_replicate_needs_no_call(
    fake, ready_owner, owner_client, django_capture_on_commit_callbacks
):
    training = services.start(ready_owner)
    archive = training.archive
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(f"/model/trainings/{training.pk}/cancel/")
    training.refresh_from_db()
    assert training.state == State.CANCELED
    # The lease is given back; the file stays only as the set's current zip.
    training_set = TrainingSet.objects.get(owner=ready_owner)
    assert training.archive == "" and training_set.leased == []
    assert archive == training_set.archive and default_storage.exists(archive)
    services.submit(str(training.pk))  # its task runs late: nothing happens
    assert fake.calls() == []


def test_canceling_a_finished_training_says_so(fake, ready_owner, owner_client):
    training = submitted(ready_owner)
    fake.cancel(training.provider_id)
    Training.objects.filter(pk=training.pk).update(state=State.FAILED)
    response = owner_client.post(f"/model/trainings/{training.pk}/cancel/", follow=True)
    assert "That training has already finished." in messages_of(response)
    assert fake.calls("trainings.cancel") == []


def test_when_replicate_does_not_answer_a_cancel_the_training_stays(
    fake, ready_owner, owner_client
):
    training = submitted(ready_owner)
    fake.faults.fail("trainings.cancel", status=500)
    response = owner_client.post(f"/model/trainings/{training.pk}/cancel/", follow=True)
    assert "Replicate didn't answer. Try canceling again in a minute." in messages_of(response)
    training.refresh_from_db()
    assert training.is_active


def test_train_without_a_ready_set_explains_what_to_do(fake, owner_client):
    response = owner_client.post("/model/train/", follow=True)
    assert response.redirect_chain == [("/selfies/", 302)]
    assert messages_of(response) == [
        "Your selfie set isn't ready yet. The coach says what to add or fix."
    ]
    assert not Training.objects.exists()


def test_train_without_a_replicate_token_says_training_is_off(
    fake, ready_owner, owner_client, settings
):
    settings.REPLICATE_API_TOKEN = ""
    response = owner_client.post("/model/train/", follow=True)
    assert messages_of(response) == [
        "Training is switched off on this studio: it has no Replicate token."
    ]
    assert not Training.objects.exists()


def test_train_starts_a_queued_training_and_ignores_posted_fields(
    fake, settings, ready_owner, stranger, owner_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = owner_client.post("/model/train/", {
            "owner": stranger.pk, "steps": 3, "state": "succeeded",
            "trainer_version": "evil/trainer:0", "version": "evil/model:1",
        }, follow=True)
    assert response.redirect_chain == [("/studio/", 302)]
    assert messages_of(response)[0].startswith("Training started.")
    training = Training.objects.get()
    assert training.owner == ready_owner and training.state == State.QUEUED
    assert training.steps == 1000 and training.trainer_version == fake.trainer_version
    assert training.version == ""
    # The submit task is queued once the row is committed; so are the instant preview's
    # (one prediction per photo: studio/preview.py).
    assert len(callbacks) == 1 + settings.PREVIEW_PHOTOS
    assert owner_client.get("/model/train/").status_code == 405


def test_train_and_cancel_need_a_csrf_token(fake, ready_owner):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ready_owner)
    assert strict.post("/model/train/").status_code == 403
    assert not Training.objects.exists()

    training = services.start(ready_owner)
    assert strict.post(f"/model/trainings/{training.pk}/cancel/").status_code == 403
    training.refresh_from_db()
    assert training.state == State.QUEUED

    strict.get("/studio/")  # the page sets the CSRF cookie its forms use
    token = strict.cookies["csrftoken"].value
    response = strict.post(f"/model/trainings/{training.pk}/cancel/",
                           {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    training.refresh_from_db()
    assert training.state == State.CANCELED


def test_admin_lists_trainings_with_state_durations_and_billed_seconds(owner):
    from sselfie.accounts.models import User

    admin = User.objects.create_superuser("ops@example.com", "a-long-admin-password")
    model = PersonalModel.objects.create(owner=owner, trigger_word="user_abc_trigger",
                                         replicate_owner="sselfie",
                                         replicate_name="user-abc-selfie-lora")
    now = timezone.now()
    training = Training.objects.create(
        owner=owner, personal_model=model, state=State.SUCCEEDED, zip_sha256="0" * 64,
        photo_count=10, trainer_version="ostris/flux-dev-lora-trainer:abc", steps=1000,
        provider_id="r8trainingid", billed_seconds=1234.5,
        started_at=now - timedelta(minutes=21), completed_at=now - timedelta(minutes=1),
    )
    Training.objects.filter(pk=training.pk).update(created_at=now - timedelta(minutes=25))
    Training.objects.create(owner=owner, personal_model=model, state=State.FAILED,
                            zip_sha256="1" * 64, photo_count=10, trainer_version="x", steps=1000,
                            error="Replicate stopped the training: boom")
    client = logged_in(admin)

    page = client.get("/admin/training/training/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ready" in text and "Failed" in text  # states, as people read them
    assert "Waited before start" in text and "Ran for" in text
    assert "0:04:00" in text  # queued for: created 25 min ago, started 21 min ago
    assert "0:20:00" in text  # ran for
    assert "1234.5" in text and "r8trainingid" in text
    assert client.get("/admin/training/training/?state__exact=failed").status_code == 200
    assert client.get(f"/admin/training/training/{training.pk}/change/").status_code == 200
    assert client.get("/admin/training/personalmodel/").status_code == 200
    assert client.get("/admin/jobs/inbounddelivery/").status_code == 200

    assert logged_in(owner).get("/admin/training/training/").status_code == 302
