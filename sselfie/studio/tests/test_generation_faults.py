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
from sselfie.studio import generation, ingest
from sselfie.studio.models import GeneratedImage, Generation
from sselfie.studio.reconcile import reconcile_generations
from sselfie.training.tests.conftest import signed_headers


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


@pytest.mark.django_db
def test_throttled_then_accepted_completes_with_one_prediction(owner, trained, fake):
    fake.faults.throttle("predictions.create", times=3, retry_after=0)
    gen = new_generation(owner, trained)
    generation.submit(str(gen.pk))
    gen.refresh_from_db()
    assert gen.state == "processing" and gen.provider_id
    assert len(fake.jobs("prediction")) == 1


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
    reconcile_generations()
    gen.refresh_from_db()
    assert gen.provider_id == fake.jobs("prediction")[0]["id"]
    assert len(fake.calls("predictions.create")) == 1
    assert Profile.objects.get(user=owner).images_used == 4


@pytest.mark.django_db
def test_a_provider_outage_leaves_the_job_for_reconcile_and_never_spins_forever(
    owner, trained, fake, settings
):
    fake.faults.fail("predictions.create", times=20, status=503)
    gen = new_generation(owner, trained)
    with pytest.raises(replicate.ProviderError):
        generation.submit(str(gen.pk))
    gen.refresh_from_db()
    assert gen.state == "submitting" and Profile.objects.get(user=owner).images_used == 4
    settings.RECONCILE_RESUME_SECONDS = 0
    Generation.objects.filter(pk=gen.pk).update(created_at=timezone.now() - timedelta(hours=2),
                                                synced_at=timezone.now() - timedelta(hours=2))
    reconcile_generations()
    gen.refresh_from_db()
    assert gen.state == "failed" and "couldn't reach Replicate" in gen.error
    assert Profile.objects.get(user=owner).images_used == 0
