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


@pytest.mark.parametrize(("used_before", "fits", "photos"),
                         [(46, 1, [4]), (47, 1, [3]), (50, 0, []), (0, 13, [4] * 12 + [2])])
def test_twenty_parallel_generations_never_exceed_the_daily_limit(owner, trained, used_before,
                                                                  fits, photos):
    """Every click takes 4 while 4 fit; the click that meets the last 1-3 takes exactly
    those, so the whole allowance is usable and never exceeded."""
    Profile.objects.filter(user=owner).update(images_used=used_before, images_day=today_utc())
    accepted, refused = race(owner, trained, 20)
    assert (accepted, refused) == (fits, 20 - fits)
    profile = Profile.objects.get(user=owner)
    assert profile.images_used == used_before + sum(photos) <= 50
    made = Generation.objects.filter(owner=owner)
    assert sorted(made.values_list("requested", flat=True), reverse=True) == photos
    assert all(gen.charged == gen.requested for gen in made)


def test_refunds_are_exact_after_a_race(owner, trained):
    accepted, _ = race(owner, trained, 20)
    assert accepted == 13
    failed = list(Generation.objects.filter(owner=owner).order_by("requested")[:5])
    for gen in failed:
        generation.fail(gen, "provider down")
    assert Profile.objects.get(user=owner).images_used == 50 - sum(g.charged for g in failed)
