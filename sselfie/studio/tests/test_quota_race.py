"""Quota under real concurrency: parallel requests in parallel database connections."""

import threading

import pytest
from django.db import connection

from sselfie.accounts.models import Profile
from sselfie.accounts.quota import today_utc
from sselfie.studio import generation
from sselfie.studio.models import Generation

pytestmark = pytest.mark.django_db(transaction=True)


def race(user, model, count: int) -> tuple[int, int]:
    accepted, refused = [], []
    start = threading.Barrier(count)

    def click() -> None:
        try:
            start.wait()
            generation.create(user, model, category="portrait", subcategory="headshot",
                              aspect_ratio="1:1")
            accepted.append(1)
        except generation.CannotGenerate:
            refused.append(1)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return len(accepted), len(refused)


@pytest.mark.parametrize(("used_before", "fits"), [(46, 1), (47, 0), (0, 12)])
def test_twenty_parallel_generations_never_exceed_the_daily_limit(owner, trained, used_before,
                                                                  fits):
    Profile.objects.filter(user=owner).update(images_used=used_before, images_day=today_utc())
    accepted, refused = race(owner, trained, 20)
    assert (accepted, refused) == (fits, 20 - fits)
    profile = Profile.objects.get(user=owner)
    assert profile.images_used == used_before + 4 * fits <= 50
    assert Generation.objects.filter(owner=owner).count() == fits


def test_refunds_are_exact_after_a_race(owner, trained):
    accepted, _ = race(owner, trained, 20)
    assert accepted == 12
    for gen in Generation.objects.filter(owner=owner)[:5]:
        generation.fail(gen, "provider down")
    assert Profile.objects.get(user=owner).images_used == 48 - 5 * 4
