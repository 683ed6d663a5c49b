"""The instant preview, end to end against the fake Replicate: the Train click, the
official model's predictions, ingest and likeness, refunds, and every case the issue names
(a failure, the safety filter, a preview that finishes after the model, too few selfies, a
429 storm, an account deleted mid-preview)."""

import threading
import time

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client

from sselfie.accounts.models import Profile
from sselfie.accounts.quota import today_utc
from sselfie.jobs.reconcile import reconcile_jobs
from sselfie.privacy.erasure import delete_account, send_provider_deletions
from sselfie.privacy.models import ProviderDeletion
from sselfie.selfies.models import Selfie
from sselfie.studio import generation, ingest, preview
from sselfie.studio.models import GeneratedImage, Generation
from sselfie.training import services
from sselfie.training.models import Training
from sselfie.training.tests.conftest import post_webhook
from tests.fake_replicate import NSFW_ALL
from tests.photos import distinct_selfies, seed_selfies
from tests.worker import run_worker_until

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(owner):
    """Ten checked selfies and their training zip, built as the background rebuild would."""
    from sselfie.selfies.tasks import rebuild_training_set

    seed_selfies(owner, distinct_selfies(12)[:10])
    rebuild_training_set.call(owner.pk)
    return owner


def used(user) -> int:
    return Profile.objects.get(user=user).images_used


def previews(user) -> list[Generation]:
    return list(Generation.objects.previews().filter(owner=user).order_by("created_at"))


def train(client, choice: str = "lifestyle/working"):
    return client.post("/model/train/", {"preview": choice})


def finish(fake, row: Generation) -> Generation:
    """What the worker, the poll chain and the reconcile loop do for one preview photo."""
    preview.submit(str(row.pk))
    row.refresh_from_db()
    if row.provider_id:
        fake.complete(row.provider_id)
        reconcile_jobs()
        row.refresh_from_db()
    if row.state == "ingesting":
        ingest.ingest(str(row.pk))
        row.refresh_from_db()
    return row


def test_train_click_makes_a_labelled_scored_saveable_preview(fake, ready, owner_client):
    response = train(owner_client)
    assert response.status_code == 302
    training = Training.objects.get(owner=ready)
    rows = previews(ready)
    assert len(rows) == 2 and used(ready) == 2  # the daily allowance, one image per photo
    assert {(r.category, r.subcategory, r.training_id) for r in rows} == {
        ("lifestyle", "working", training.pk)}

    done = [finish(fake, row) for row in rows]
    assert [r.state for r in done] == ["succeeded", "succeeded"]
    creates = fake.calls("models.predictions.create")
    assert len(creates) == 2
    assert all(c.path == "/v1/models/black-forest-labs/flux-2-pro/predictions" for c in creates)
    body = creates[0].json
    assert set(body) == {"input"}  # polling mode: no webhook; nothing else at the top level
    sent = body["input"]
    assert len(sent["input_images"]) == 4  # the best four selfies, uploaded as Files
    assert all(u.startswith(fake.base_url + "/files/") for u in sent["input_images"])
    assert "user_" not in sent["prompt"] and "trigger" not in sent["prompt"]
    assert sent["prompt"].startswith("the woman from the reference photos, with exactly her face")
    assert "laptop" in sent["prompt"] and sent["prompt"].endswith("photographed on film")
    assert sent["seed"] == done[0].seed and sent["aspect_ratio"] == "4:5"
    assert len(fake.calls("files.create")) == 8

    images = list(GeneratedImage.objects.filter(generation__in=done))
    assert len(images) == 2 and used(ready) == 2
    for image in images:  # the fake returns the first reference: the owner's own face
        assert image.has_face and image.likeness is not None and image.likeness > 60
        assert default_storage.exists(image.image) and image.personal_model_id is None
    training.refresh_from_db()
    assert training.state == "queued"  # untouched by the preview

    page = owner_client.get("/studio/").content.decode()
    assert "Your instant preview" in page and "not by your personal model" in page
    assert "Lifestyle · Working" in page and page.count("Preview · Likeness") == 2
    assert owner_client.get("/studio/preview/").status_code == 286  # done: polling stops
    saved = owner_client.post(f"/images/{images[0].pk}/save/", {"next": "/studio/#preview"})
    assert saved.status_code == 302
    images[0].refresh_from_db()
    assert images[0].saved

    assert preview.clear_references() == 2
    uploaded = {ref["id"] for row in done for ref in row.references}
    assert len(uploaded) == 8 and not uploaded & set(fake.world.files)


def test_the_panel_polls_while_the_preview_is_being_made(fake, ready, owner_client,
                                                         stranger_client):
    train(owner_client)
    response = owner_client.get("/studio/preview/")
    assert response.status_code == 200 and 'hx-trigger="every 1s"' in response.content.decode()
    assert "Making 2 preview photos of you" in response.content.decode()
    assert stranger_client.get("/studio/preview/").content.decode().strip() == ""


def test_a_failed_preview_refunds_and_leaves_the_training_alone(fake, ready, owner_client):
    train(owner_client)
    training = Training.objects.get(owner=ready)
    services.submit(str(training.pk))
    first, second = previews(ready)
    preview.submit(str(first.pk))
    first.refresh_from_db()
    fake.fail(first.provider_id, "CUDA error: device-side assert triggered")
    reconcile_jobs()
    first.refresh_from_db()
    assert first.state == "failed" and first.refunded == 1
    assert "Nothing was charged" in first.error
    finish(fake, second)
    assert used(ready) == 1
    training.refresh_from_db()
    assert training.state in ("starting", "training") and training.error == ""
    page = Client()
    page.force_login(ready)
    html = page.get("/studio/").content.decode()
    assert "couldn&#x27;t create these photos" in html and "Preview · Likeness" in html


def test_the_safety_filter_holding_back_every_photo_refunds_them_all(fake, ready,
                                                                   owner_client):
    fake.nsfw_next(NSFW_ALL, times=2)
    train(owner_client)
    rows = [finish(fake, row) for row in previews(ready)]
    assert [r.state for r in rows] == ["failed", "failed"]
    assert all("safety filter held back" in r.error for r in rows)
    assert used(ready) == 0 and not GeneratedImage.objects.exists()
    assert Training.objects.get(owner=ready).state == "queued"


def test_a_preview_that_finishes_after_the_model_is_ready_still_lands(
        fake, ready, owner_client, django_capture_on_commit_callbacks):
    train(owner_client)
    training = Training.objects.get(owner=ready)
    rows = previews(ready)
    for row in rows:
        preview.submit(str(row.pk))
    services.submit(str(training.pk))
    training.refresh_from_db()
    fake.complete(training.provider_id)
    with django_capture_on_commit_callbacks(execute=True):  # the model becomes ready
        reconcile_jobs()
    training.refresh_from_db()
    assert training.state == "succeeded"
    rows = [finish(fake, row) for row in rows]
    assert [r.state for r in rows] == ["succeeded", "succeeded"]
    assert Training.objects.get(pk=training.pk).state == "succeeded"

    # The model's first photos: now the card shows both, side by side.
    model = training.personal_model
    model.refresh_from_db()
    gen = generation.create(ready, model, category="portrait", subcategory="headshot",
                            aspect_ratio="1:1")
    generation.submit(str(gen.pk))
    gen.refresh_from_db()
    fake.complete(gen.provider_id)
    reconcile_jobs()
    ingest.ingest(str(gen.pk))
    html = owner_client.get("/studio/").content.decode()
    assert "What the training bought" in html and "Your personal model" in html
    assert "Instant preview</dt><dd>Likeness" in html


def test_fewer_than_three_usable_selfies_means_no_preview_and_no_charge(fake, owner,
                                                                      owner_client):
    seed_selfies(owner, distinct_selfies(12)[:2])
    model = services.personal_model_for(owner)
    training = Training.objects.create(owner=owner, personal_model=model, zip_sha256="0" * 64,
                                       photo_count=2, trainer_version=fake.trainer_version,
                                       steps=1000)
    [row] = preview.start(training, category="portrait", subcategory="headshot")
    assert row.state == "failed" and row.charged == 0 and "at least 3 clear selfies" in row.error
    assert used(owner) == 0 and fake.calls() == []
    assert "at least 3 clear selfies" in owner_client.get("/studio/").content.decode()


def test_selfies_deleted_before_the_preview_is_sent_fail_it_with_a_refund(fake, ready,
                                                                        owner_client):
    train(owner_client)
    keep = list(Selfie.objects.filter(owner=ready))[:2]
    Selfie.objects.filter(owner=ready).exclude(pk__in=[s.pk for s in keep]).delete()
    row = finish(fake, previews(ready)[0])
    assert row.state == "failed" and row.refunded == 1 and "at least 3" in row.error
    assert fake.calls("models.predictions.create") == []


def test_without_images_left_today_the_training_runs_and_the_preview_says_why(fake, ready,
                                                                            owner_client):
    Profile.objects.filter(user=ready).update(images_used=49, images_day=today_utc())
    train(owner_client)
    [row] = previews(ready)
    assert row.charged == 1 and used(ready) == 50  # what was left: one photo
    Profile.objects.filter(user=ready).update(images_used=50)
    Training.objects.filter(owner=ready).update(state="failed")
    train(owner_client)
    latest = Training.objects.filter(owner=ready).first()
    [skipped] = Generation.objects.previews().filter(training=latest)
    assert skipped.state == "failed" and skipped.charged == 0 and "today's images" in skipped.error


@pytest.mark.parametrize("choice", ["", "../../etc/passwd", "portrait/nope", "x" * 5000,
                                    "editorial/headshot", "<script>/a"])
def test_a_malformed_preview_choice_falls_back_to_the_default(fake, ready, owner_client,
                                                              choice):
    assert train(owner_client, choice).status_code == 302
    assert Training.objects.filter(owner=ready).count() == 1
    assert {(r.category, r.subcategory) for r in previews(ready)} == {("portrait", "headshot")}


def test_a_prompt_that_cannot_be_built_fails_the_preview_with_a_refund(fake, ready,
                                                                      owner_client):
    train(owner_client)
    Profile.objects.filter(user=ready).update(descriptor="")  # half-filled, or tampered with
    row = finish(fake, previews(ready)[0])
    assert row.state == "failed" and row.refunded == 1 and "prompt couldn" in row.error
    assert fake.calls("models.predictions.create") == []


def test_previews_off_or_a_retrain_start_none(fake, ready, owner_client, settings):
    settings.PREVIEW_ENABLED = False
    train(owner_client)
    assert previews(ready) == []
    assert "Your instant preview" not in owner_client.get("/studio/").content.decode()


def test_a_preview_submitted_twice_makes_one_prediction(fake, ready, owner_client):
    train(owner_client)
    row = previews(ready)[0]
    preview.submit(str(row.pk))
    preview.submit(str(row.pk))
    Generation.objects.filter(pk=row.pk).update(state="submitting", provider_id=None)
    preview.submit(str(row.pk))  # a resumed run finds what the first one created
    assert len(fake.calls("models.predictions.create")) == 1


def test_a_duplicated_webhook_applies_once(fake, ready, owner_client, client):
    train(owner_client)
    row = previews(ready)[0]
    preview.submit(str(row.pk))
    row.refresh_from_db()
    done = fake.complete(row.provider_id)
    for _ in range(3):
        assert post_webhook(client, done, fake.webhook_secret, webhook_id="msg_p").status_code \
            == 200
    row.refresh_from_db()
    assert row.state == "ingesting"
    ingest.ingest(str(row.pk))
    assert GeneratedImage.objects.filter(generation=row).count() == 1


def test_deleting_the_account_mid_preview_removes_everything(fake, ready, owner_client):
    train(owner_client)
    first, second = previews(ready)
    preview.submit(str(first.pk))  # in flight at Replicate, references uploaded
    first.refresh_from_db()
    uploaded = [ref["id"] for ref in first.references]
    assert len(uploaded) == 4 and set(uploaded) <= set(fake.world.files)
    delete_account(ready)
    assert not Generation.objects.exists() and not GeneratedImage.objects.exists()
    queued = ProviderDeletion.objects.filter(kind="file", done_at__isnull=True)
    assert set(queued.values_list("object_id", flat=True)) >= set(uploaded)
    send_provider_deletions()
    assert not set(uploaded) & set(fake.world.files)
    # What was still queued finds nothing; the late prediction is ignored.
    preview.submit(str(second.pk))
    assert len(fake.calls("models.predictions.create")) == 1
    done = fake.complete(first.provider_id)
    assert post_webhook(Client(), done, fake.webhook_secret).content == b"Ignored: no such job."
    assert reconcile_jobs() == 0


@pytest.mark.django_db(transaction=True)
def test_a_429_storm_on_the_official_model_retries_then_delivers(fake, ready, settings):
    settings.JOBS_GIVE_UP_SECONDS = 600
    fake.faults.throttle("models.predictions.create", times=6, retry_after=0)
    training = services.start(ready)
    rows = preview.start(training, category="portrait", subcategory="headshot")
    run_worker_until(lambda: all(Generation.objects.get(pk=r.pk).provider_id for r in rows),
                     timeout=60)
    for row in rows:
        fake.complete(Generation.objects.get(pk=row.pk).provider_id)
    run_worker_until(lambda: all(Generation.objects.get(pk=r.pk).state == "succeeded"
                                 for r in rows), timeout=60)
    statuses = [c.status for c in fake.calls("models.predictions.create")]
    assert statuses.count(429) == 6 and statuses.count(201) == 2
    assert used(ready) == 2
    assert Training.objects.get(pk=training.pk).state in ("starting", "training")


@pytest.mark.django_db(transaction=True)
def test_a_429_storm_that_never_ends_gives_up_and_refunds(fake, ready, settings):
    settings.JOBS_GIVE_UP_SECONDS = 1
    fake.faults.throttle("models.predictions.create", times=10_000, retry_after=0)
    training = services.start(ready)
    rows = preview.start(training, category="portrait", subcategory="headshot")
    run_worker_until(lambda: all(Generation.objects.get(pk=r.pk).state == "failed"
                                 for r in rows), timeout=60)
    assert all("too busy" in Generation.objects.get(pk=r.pk).error for r in rows)
    assert used(ready) == 0
    assert Training.objects.get(pk=training.pk).state in ("starting", "training")


@pytest.mark.django_db(transaction=True)
def test_an_account_deleted_while_its_preview_is_being_created_leaves_nothing_behind(
        fake, ready):
    """The create reaches Replicate, and while its answer is on the way the person deletes
    their account: the submit cancels the prediction and deletes the references itself."""
    training = services.start(ready)
    row = preview.start(training, category="portrait", subcategory="headshot")[0]
    fake.faults.hang("models.predictions.create", seconds=1.5, process=True)
    worker = threading.Thread(target=lambda: (preview.submit(str(row.pk)), connection.close()))
    worker.start()
    deadline = time.monotonic() + 20
    while not fake.calls("models.predictions.create"):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    delete_account(ready)
    worker.join(timeout=30)
    [job] = fake.jobs("prediction")
    assert job["status"] == "canceled"
    assert len([c for c in fake.calls("files.create") if c.status == 201]) == 4
    left = [f for f in fake.world.files.values() if f.metadata.get("purpose") ==
            "preview reference"]
    assert left == [] and not Generation.objects.exists()


def test_the_prompt_names_the_references_in_the_persons_own_words(ready):
    from sselfie.studio.preview_prompt import reference_prompt

    profile = Profile.objects.get(user=ready)
    many = reference_prompt(profile, "portrait", "headshot", single=False)
    assert many.startswith("the woman from the reference photos, with exactly her face")
    assert "professional headshot" in many and "minimalist aesthetic" in many
    Profile.objects.filter(user=ready).update(descriptor="man")
    profile.refresh_from_db()
    one = reference_prompt(profile, "luxury", "yacht", single=True)
    assert one.startswith("the man from the input image, with exactly his face")
    assert "PREVIEWSUBJECT" not in one and "trigger" not in one


def test_the_best_references_are_usable_varied_and_sharp(ready):
    from sselfie.selfies.coach import coach_for
    from sselfie.studio.preview_references import best_references

    usable = set(coach_for(ready).usable_ids)
    chosen = best_references(ready, 4)
    assert len(chosen) == 4 and len({s.pk for s in chosen}) == 4
    assert all(str(s.id) in usable for s in chosen)
    kinds = {(s.framing, s.pose) for s in Selfie.objects.filter(owner=ready)}
    assert len({(s.framing, s.pose) for s in chosen}) == min(4, len(kinds))
    if any(f == "close-up" for f, _ in kinds):
        assert chosen[0].framing == "close-up"
    same_kind = [s for s in Selfie.objects.filter(owner=ready)
                 if (s.framing, s.pose) == (chosen[0].framing, chosen[0].pose)]
    assert chosen[0].sharpness == max(s.sharpness for s in same_kind)
