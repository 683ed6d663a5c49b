"""Generation under the provider's faults: duplicate webhooks, throttling, refusals, crashes."""

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sselfie.accounts.models import Profile
from sselfie.engines import replicate
from sselfie.jobs.reconcile import reconcile_jobs
from sselfie.studio import generation, ingest
from sselfie.studio.models import GeneratedImage, Generation
from sselfie.training.tests.conftest import signed_headers
from tests.worker import run_worker_until


def new_generation(owner, trained) -> Generation:
    return generation.create(owner, trained, category="luxury", subcategory="villa",
                             aspect_ratio="3:2")


@pytest.mark.django_db(transaction=True)
def test_one_webhook_delivered_five_times_at_once_charges_and_stores_once(owner, trained, fake):
    gen = new_generation(owner, trained)
    generation.submit(str(gen.pk))
    gen.refresh_from_db()
    done = fake.complete(gen.provider_id)
    body = json.dumps(done).encode()
    headers = signed_headers(body, fake.webhook_secret, webhook_id="msg_5x")
    statuses: list[int] = []
    start = threading.Barrier(5)

    def deliver() -> None:
        start.wait()
        try:
            response = Client().post("/webhooks/replicate/", body,
                                     content_type="application/json", headers=headers)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(statuses) == [200] * 5
    ingests = DBTaskResult.objects.filter(task_path__endswith="ingest_generation")
    assert ingests.count() == 1
    ingest.ingest(str(gen.pk))
    ingest.ingest(str(gen.pk))  # a second run (a redelivered task) changes nothing
    gen.refresh_from_db()
    assert gen.state == "succeeded" and gen.delivered == 4
    assert GeneratedImage.objects.filter(generation=gen).count() == 4
    assert Profile.objects.get(user=owner).images_used == 4


@pytest.mark.django_db(transaction=True)
def test_five_429s_then_accepted_delivers_the_photos_with_one_prediction(owner, trained, fake):
    """Each 429 sends the job back to the queue as a scheduled retry, the card says
    Replicate is busy, and the photos still arrive."""
    fake.faults.throttle("predictions.create", times=5, retry_after=0)
    gen = new_generation(owner, trained)
    run_worker_until(lambda: Generation.objects.get(pk=gen.pk).retries >= 1)
    card = Client()
    card.force_login(owner)
    assert "Replicate is busy" in card.get(f"/studio/generations/{gen.pk}/").content.decode()
    run_worker_until(lambda: Generation.objects.get(pk=gen.pk).provider_id is not None)
    gen.refresh_from_db()
    fake.complete(gen.provider_id)
    run_worker_until(lambda: Generation.objects.get(pk=gen.pk).state == "succeeded")
    gen.refresh_from_db()
    assert [c.status for c in fake.calls("predictions.create")] == [429] * 5 + [201]
    assert len(fake.jobs("prediction")) == 1 and gen.retries == 5
    assert GeneratedImage.objects.filter(generation=gen).count() == 4
    assert Profile.objects.get(user=owner).images_used == 4


@pytest.mark.django_db(transaction=True)
def test_429_forever_refunds_with_a_clear_message_and_no_traceback(owner, trained, fake,
                                                                   settings, caplog):
    settings.JOBS_GIVE_UP_SECONDS = 1
    fake.faults.throttle("predictions.create", times=10_000, retry_after=0)
    gen = new_generation(owner, trained)
    run_worker_until(lambda: Generation.objects.get(pk=gen.pk).state == "failed")
    gen.refresh_from_db()
    assert "too busy" in gen.error and "Nothing was charged" in gen.error
    assert gen.refunded == 4 and Profile.objects.get(user=owner).images_used == 0
    assert fake.jobs("prediction") == []
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL") or r.exc_info]


@pytest.mark.django_db
def test_a_refused_request_is_not_retried_and_refunds(owner, trained, fake):
    fake.faults.fail("predictions.create", times=1, status=400)
    gen = new_generation(owner, trained)
    generation.submit(str(gen.pk))
    gen.refresh_from_db()
    assert gen.state == "failed" and gen.refunded == 4
    assert "Replicate refused the request" in gen.error
    assert len(fake.calls("predictions.create")) == 1
    assert Profile.objects.get(user=owner).images_used == 0


@pytest.mark.django_db
def test_a_worker_that_died_after_creating_is_resumed_without_a_second_prediction(
    owner, trained, fake, settings
):
    """The worker sent the create, Replicate made the prediction, the worker died before
    saving its id. Reconcile finds that prediction instead of making another."""
    gen = new_generation(owner, trained)
    generation.Generation.objects.filter(pk=gen.pk).update(
        state="submitting", submitted_at=timezone.now(), synced_at=timezone.now())
    gen.refresh_from_db()
    accepted = replicate.version_input_names(trained.replicate_owner, trained.replicate_name,
                                             trained.version_id)
    from sselfie.studio.generation_settings import prediction_input

    sent = prediction_input(gen.prompt, aspect_ratio=gen.aspect_ratio, seed=gen.seed,
                            accepted=set(accepted))
    replicate.create_prediction(version_id=trained.version_id, input=sent)  # the lost call
    settings.RECONCILE_RESUME_SECONDS = 0
    Generation.objects.filter(pk=gen.pk).update(synced_at=timezone.now() - timedelta(hours=1))
    reconcile_jobs()
    gen.refresh_from_db()
    assert gen.provider_id == fake.jobs("prediction")[0]["id"]
    assert len(fake.calls("predictions.create")) == 1
    assert Profile.objects.get(user=owner).images_used == 4


@pytest.mark.django_db
def test_a_provider_outage_is_retried_later_and_never_spins_forever(owner, trained, fake,
                                                                   settings):
    fake.faults.fail("predictions.create", times=20, status=503)
    gen = new_generation(owner, trained)
    generation.submit(str(gen.pk))  # no exception: the retry is a scheduled task
    gen.refresh_from_db()
    assert gen.state == "queued" and gen.retries == 1 and gen.busy_since is not None
    assert Profile.objects.get(user=owner).images_used == 4
    # The reconcile loop, finding it quiet long after the give-up time, ends it.
    Generation.objects.filter(pk=gen.pk).update(created_at=timezone.now() - timedelta(hours=2),
                                                synced_at=timezone.now() - timedelta(hours=2))
    reconcile_jobs()
    gen.refresh_from_db()
    assert gen.state == "failed" and "too busy" in gen.error
    assert Profile.objects.get(user=owner).images_used == 0
