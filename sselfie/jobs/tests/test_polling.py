"""Polling from the moment a job reaches the provider, with no webhook and no reconcile
pass: the real task worker runs the scheduled poll chain against the fake Replicate, which
moves its jobs along by itself."""

import pytest
from django.utils import timezone

from sselfie.jobs import kinds, polling
from sselfie.studio import generation
from sselfie.studio.models import GeneratedImage, Generation
from sselfie.training import services
from sselfie.training.models import PersonalModel, State, Training
from tests.worker import run_worker_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fake_options() -> dict:
    return {"auto_advance": True, "starting_seconds": 0.2, "prediction_seconds": 0.8,
            "training_seconds": 1.5, "image_megapixels": 0.02}


def test_photos_arrive_by_polling_alone(owner, trained, fake):
    gen = generation.create(owner, trained, category="portrait", subcategory="headshot",
                            aspect_ratio="1:1")
    run_worker_until(lambda: Generation.objects.get(pk=gen.pk).state == "succeeded",
                     timeout=30)
    assert GeneratedImage.objects.filter(generation=gen).count() == 4
    gets = fake.calls("predictions.get")
    # Polled about every second from the start: a handful of reads, not a storm.
    assert 1 <= len(gets) <= 6


def test_a_training_becomes_ready_by_polling_alone(owner, fake):
    from sselfie.selfies.tasks import rebuild_training_set
    from tests.photos import distinct_selfies, seed_selfies

    seed_selfies(owner, distinct_selfies(12)[:10])
    rebuild_training_set.call(owner.pk)
    training = services.start(owner)
    run_worker_until(lambda: Training.objects.get(pk=training.pk).state == State.SUCCEEDED,
                     timeout=40)
    assert PersonalModel.objects.get(owner=owner).is_ready


def test_a_chain_started_twice_collapses_into_one(owner, trained, fake):
    kind = kinds.get("generation")
    gen = generation.create(owner, trained, category="portrait", subcategory="headshot",
                            aspect_ratio="1:1")
    run_worker_until(lambda: Generation.objects.get(pk=gen.pk).provider_id is not None)
    polling.start(kind, gen.pk, delay=0)
    polling.start(kind, gen.pk, delay=0)  # e.g. the reconcile loop restarting a chain
    before = len(fake.calls("predictions.get"))
    due = Generation.objects.get(pk=gen.pk).next_poll_at
    assert due is not None and due <= timezone.now()
    run_worker_until(lambda: len(fake.calls("predictions.get")) > before)
    run_worker_until(lambda: Generation.objects.get(pk=gen.pk).state == "succeeded")
    # Three chains were scheduled (submit, and twice here); at most one poll per due time ran.
    times = [c.at for c in fake.calls("predictions.get")[before:]]
    assert all(b - a > 0.3 for a, b in zip(times, times[1:], strict=False))


def test_a_provider_outage_while_polling_is_retried_with_a_warning(owner, trained, fake,
                                                                   caplog):
    gen = generation.create(owner, trained, category="portrait", subcategory="headshot",
                            aspect_ratio="1:1")
    run_worker_until(lambda: Generation.objects.get(pk=gen.pk).provider_id is not None)
    # A dropped connection reaches us at once (the client's own retries cover 429/503 on
    # reads, bounded by the library): the poll is rescheduled, never crashed on.
    fake.faults.disconnect("predictions.get", times=2)
    run_worker_until(lambda: Generation.objects.get(pk=gen.pk).state == "succeeded",
                     timeout=60)
    assert any("unavailable" in r.getMessage() and r.levelname == "WARNING"
               for r in caplog.records)
    assert not [r for r in caplog.records if r.exc_info]
