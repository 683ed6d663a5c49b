"""A training from the "Train" click to a ready model, against the fake Replicate.

Webhooks reach the real webhook view through pytest-django's live server; without a
PUBLIC_URL the reconcile loop polls instead. Failures on the way (throttling, refusals,
a failing trainer) end in words a person understands and give the day's slot back.
"""

import hashlib
import io
import zipfile

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.db import IntegrityError

from sselfie.jobs.models import InboundDelivery
from sselfie.jobs.reconcile import reconcile_jobs
from sselfie.selfies.models import TrainingSet
from sselfie.training import services
from sselfie.training.models import PersonalModel, State, Training
from sselfie.training.tasks import submit_training
from tests.worker import run_worker_until


def submitted(user) -> Training:
    """Start a training and run its submit task in this process."""
    training = services.start(user)
    submit_training.call(str(training.pk))
    training.refresh_from_db()
    return training


@pytest.mark.django_db(transaction=True)
def test_training_succeeds_through_signed_webhooks(
    fake, ready_owner_with_zip, live_server, settings
):
    from django_tasks_db.models import DBTaskResult

    ready_owner = ready_owner_with_zip

    settings.PUBLIC_URL = live_server.url
    # Intermediate events are never retried and may be lost; without "start" the live
    # server (which shares the in-memory SQLite connection) stays idle while we submit.
    fake.webhook_faults.drop = {"start"}
    fake.webhook_faults.duplicates = 4  # the completion arrives five times

    training = services.start(ready_owner)
    queued = DBTaskResult.objects.filter(task_path__endswith="training.tasks.submit_training")
    assert [task.args_kwargs["args"] for task in queued] == [[str(training.pk)]]
    archive = training.archive
    assert default_storage.exists(archive)
    submit_training.call(str(training.pk))

    training.refresh_from_db()
    public_id = ready_owner.public_id
    model = PersonalModel.objects.get(owner=ready_owner)
    assert model.trigger_word == f"user_{public_id}_trigger"
    assert model.replicate_name == f"user-{public_id}-selfie-lora"
    assert model.replicate_owner == "sselfie"  # the token's account, asked once
    assert len(fake.calls("account.get")) == 1
    [created] = fake.calls("models.create")
    assert created.json["owner"] == "sselfie"
    assert created.json["name"] == f"user-{public_id}-selfie-lora"
    assert created.json["visibility"] == "private"

    [create] = fake.calls("trainings.create")
    trainer, _, version = fake.trainer_version.partition(":")
    assert create.path == f"/v1/models/{trainer}/versions/{version}/trainings"
    assert create.json["destination"] == f"sselfie/user-{public_id}-selfie-lora"
    assert create.json["webhook"] == live_server.url + "/webhooks/replicate/"
    assert create.json["webhook_events_filter"] == ["start", "completed"]
    assert create.json["input"] == {
        "input_images": training.provider_file_url,
        "trigger_word": f"user_{public_id}_trigger",
        "steps": 1000,
    }
    [upload] = fake.calls("files.create")
    assert upload.status == 201
    zip_bytes = fake.world.file(training.provider_file_id).data
    assert hashlib.sha256(zip_bytes).hexdigest() == training.zip_sha256
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive_zip:
        images = [n for n in archive_zip.namelist() if n.endswith(".jpg")]
    assert len(images) == training.photo_count == 10
    [job] = fake.jobs("training")
    assert training.provider_id == job["id"]
    assert training.state == State.STARTING

    finished = fake.complete(job["id"])
    assert fake.wait_for_webhooks(10)

    completions = [d for d in fake.deliveries if d.event == "completed"]
    assert len(completions) == 5
    assert {d.webhook_id for d in completions} == {completions[0].webhook_id}
    assert [d.status for d in completions] == [200] * 5
    assert InboundDelivery.objects.count() == 1

    training.refresh_from_db()
    model.refresh_from_db()
    assert training.state == State.SUCCEEDED
    assert training.version == finished["output"]["version"]
    assert training.version.startswith(f"sselfie/user-{public_id}-selfie-lora:")
    assert model.version == training.version and model.is_ready
    assert model.training_status == State.SUCCEEDED and model.ready_at is not None
    assert training.progress == 100
    assert training.billed_seconds == finished["metrics"]["predict_time"]
    assert training.started_at is not None and training.completed_at is not None

    [email] = mail.outbox
    assert email.to == [ready_owner.email]
    assert email.subject == "SSELFIE Studio · Your model is ready: time to create"
    assert live_server.url + "/studio/" in email.body
    # Branded HTML too, with the selfies it learned from inline (no login needed to see them).
    [(html, _)] = email.alternatives
    assert f'href="{live_server.url}/studio/"' in html and "Create my photos" in html
    message = email.message()
    related = [p for p in message.walk() if p.get_content_type() == "multipart/related"]
    assert len(related) == 1
    pictures = [p for p in message.walk() if p.get_content_type() == "image/jpeg"]
    assert len(pictures) == 4
    for picture in pictures:
        cid = picture["Content-ID"].strip("<>")
        assert f'src="cid:{cid}"' in html
        assert picture.get_content().startswith(b"\xff\xd8")  # a real JPEG

    # Retention: the uploaded zip is deleted at Replicate and here once training ends.
    [delete] = fake.calls("files.delete")
    assert delete.path == f"/v1/files/{training.provider_file_id}" and delete.status == 204
    assert training.provider_file_id not in fake.world.files
    assert training.provider_file_deleted
    # Our copy was the set's zip, leased: the lease is given back, and the file stays only
    # because it is still the set's current zip (it goes with the selfies).
    training_set = TrainingSet.objects.get(owner=ready_owner)
    assert training.archive == "" and training_set.leased == []
    assert archive == training_set.archive and default_storage.exists(archive)


@pytest.mark.django_db
def test_trigger_words_and_model_names_are_unique(fake, ready_owner, stranger):
    model = services.personal_model_for(ready_owner)
    assert str(ready_owner.pk) not in model.trigger_word.removeprefix("user_")
    assert services.personal_model_for(ready_owner) == model
    with pytest.raises(IntegrityError):
        PersonalModel.objects.create(owner=stranger, trigger_word=model.trigger_word,
                                     replicate_name="someone-else")


@pytest.mark.django_db
def test_without_a_public_url_reconcile_polls_progress_and_finishes(
    fake, ready_owner, owner_client, settings, django_capture_on_commit_callbacks
):
    training = submitted(ready_owner)
    [create] = fake.calls("trainings.create")
    assert "webhook" not in create.json and "webhook_events_filter" not in create.json

    job = training.provider_id
    for _ in range(3):  # boot, unzip, the first fifth of the steps
        fake.advance(job)
    settings.RECONCILE_QUIET_SECONDS = 30
    assert reconcile_jobs() == 0  # heard from just now: not polled yet
    assert fake.calls("trainings.get") == []
    settings.RECONCILE_QUIET_SECONDS = 0
    assert reconcile_jobs() == 1

    training.refresh_from_db()
    assert training.state == State.TRAINING
    assert training.progress == 20  # step 200 of 1000, not the 100% captioning bar
    assert training.eta_seconds == 16  # tqdm's 00:16: 800 steps left at the fake's 50 it/s
    card = owner_client.get("/model/status/")
    assert card.status_code == 200
    assert "20% done · about 1 min left" in card.content.decode()
    assert 'hx-trigger="every 1s"' in card.content.decode()  # 16 s left: near the end

    fake.complete(job)
    with django_capture_on_commit_callbacks(execute=True):
        assert reconcile_jobs() == 1
    training.refresh_from_db()
    assert training.state == State.SUCCEEDED
    assert PersonalModel.objects.get(owner=ready_owner).version == training.version
    assert len(mail.outbox) == 1
    assert training.provider_file_deleted and training.archive == ""
    assert fake.deliveries == []
    assert owner_client.get("/model/status/").status_code == 286
    assert reconcile_jobs() == 0  # nothing left in flight


@pytest.mark.django_db(transaction=True)
def test_throttling_and_a_5xx_on_create_still_make_exactly_one_training(fake, ready_owner):
    """Each turned-away create goes back to the queue as a scheduled retry (no sleeping in
    a worker); the retry looks before it creates, so the 503 can't make a second one."""
    fake.faults.throttle("trainings.create", times=2, retry_after=0)
    fake.faults.fail("trainings.create", times=1, status=503)

    training = services.start(ready_owner)
    run_worker_until(lambda: Training.objects.get(pk=training.pk).provider_id is not None)

    training.refresh_from_db()
    assert [c.status for c in fake.calls("trainings.create")] == [429, 429, 503, 201]
    [job] = fake.jobs("training")
    assert training.provider_id == job["id"]
    assert training.state == State.STARTING and training.retries == 3
    assert len(fake.calls("files.create")) == 1


@pytest.mark.django_db(transaction=True)
def test_five_429s_then_success_starts_the_training(fake, ready_owner):
    fake.faults.throttle("trainings.create", times=5, retry_after=0)
    training = services.start(ready_owner)
    run_worker_until(lambda: Training.objects.get(pk=training.pk).provider_id is not None)
    assert [c.status for c in fake.calls("trainings.create")] == [429] * 5 + [201]
    assert len(fake.jobs("training")) == 1


@pytest.mark.django_db(transaction=True)
def test_429_forever_gives_the_slot_back_with_a_clear_message_and_no_traceback(
    fake, ready_owner, settings, caplog
):
    settings.JOBS_GIVE_UP_SECONDS = 1
    fake.faults.throttle("trainings.create", times=10_000, retry_after=0)
    training = services.start(ready_owner)
    run_worker_until(lambda: Training.objects.get(pk=training.pk).state == State.FAILED)

    training.refresh_from_db()
    assert "too busy" in training.error and "try again" in training.error
    assert fake.jobs("training") == []
    services.check_slot(ready_owner, ready_owner.profile)  # the day's slot is free again
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert not [r for r in caplog.records if r.exc_info]
    assert any("Replicate busy" in r.getMessage() and r.levelname == "WARNING"
               for r in caplog.records)


@pytest.mark.django_db
@pytest.mark.parametrize(("arrange", "detail"), [
    (lambda fake, settings: setattr(settings, "REPLICATE_TRAINING_STEPS", 7000),
     "- input.steps: Must be less than or equal to 6000"),
    (lambda fake, settings: fake.faults.fail("trainings.create", status=400),
     "Internal server error"),
], ids=["422-validation", "400"])
def test_a_refusal_fails_fast_with_the_providers_words_and_gives_the_slot_back(
    fake, ready_owner, settings, django_capture_on_commit_callbacks, arrange, detail
):
    arrange(fake, settings)
    training = services.start(ready_owner)
    with django_capture_on_commit_callbacks(execute=True):
        submit_training.call(str(training.pk))

    training.refresh_from_db()
    assert len(fake.calls("trainings.create")) == 1  # never retried
    assert fake.jobs("training") == []
    assert training.state == State.FAILED
    assert training.error == f"Replicate stopped the training: {detail}"
    assert training.completed_at is not None
    assert PersonalModel.objects.get(owner=ready_owner).training_status == State.FAILED
    assert training.provider_file_deleted and training.archive == ""
    [email] = mail.outbox  # our side gave up: the owner is told too, once
    assert detail in email.body

    settings.REPLICATE_TRAINING_STEPS = 1000
    again = services.start(ready_owner)  # failed trainings don't count against the day
    assert again.state == State.QUEUED


@pytest.mark.django_db
@pytest.mark.parametrize(("raw", "shown"), [
    ("CUDA out of memory. Tried to allocate 2.00 GiB",
     "The training ran out of GPU memory at Replicate. Try again."),
    ("Something odd happened in the trainer",
     "Replicate stopped the training: Something odd happened in the trainer"),
    ("", "The training stopped without a reason from Replicate. Try again."),
])
def test_trainer_failure_is_explained_and_the_person_can_try_again(
    fake, ready_owner, owner_client, django_capture_on_commit_callbacks, raw, shown
):
    training = submitted(ready_owner)
    fake.advance(training.provider_id)
    fake.fail(training.provider_id, raw)
    with django_capture_on_commit_callbacks(execute=True):
        reconcile_jobs()

    training.refresh_from_db()
    assert training.state == State.FAILED
    assert training.error == shown
    [email] = mail.outbox  # the owner hears it from us, in plain words, with a way back
    assert email.to == [ready_owner.email]
    assert email.subject == "SSELFIE Studio · Your training didn't finish"
    assert shown in email.body and "/studio/" in email.body
    [(html, _)] = email.alternatives
    assert shown.replace("'", "&#x27;") in html and ">Try again</a>" in html
    assert PersonalModel.objects.get(owner=ready_owner).version == ""
    assert training.provider_file_deleted and training.archive == ""

    page = owner_client.get("/studio/").content.decode()
    assert "Training didn" in page and shown in page
    card = page.split('id="model-card"')[1].split("</section>")[0]
    assert 'action="/model/train/"' in card and ">Try again</button>" in card

    response = owner_client.post("/model/train/")
    assert response.status_code == 302 and response["Location"] == "/studio/"
    assert Training.objects.owned_by(ready_owner).active().count() == 1
