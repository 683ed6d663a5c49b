"""Durable retries of a create the provider turned away (429, 5xx, a timeout).

Nothing sleeps in a worker: the job goes back to its queued state and its submit task is
enqueued again to run after the wait, honouring the provider's ``Retry-After``. After
``JOBS_GIVE_UP_SECONDS`` of trying, the kind gives up: the job fails with a message that
says so, and whatever quota it took is given back.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sselfie.engines.errors import ProviderUnavailable
from sselfie.jobs.kinds import JobKind

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 60.0
MAX_HINT_SECONDS = 300.0  # a longer Retry-After is capped: the give-up time still holds

GAVE_UP = ("Replicate has been too busy to take this for {minutes} minutes, so we stopped "
           "trying. Nothing was charged: please try again a little later.")


def busy_note(retries: int, busy_since: datetime | None) -> str:
    """What a person waiting on a job that Replicate keeps turning away should read."""
    if not retries or busy_since is None:
        return ""
    stop = busy_since + timedelta(seconds=settings.JOBS_GIVE_UP_SECONDS)
    return (f"Replicate is busy right now, so we're retrying (attempt {retries + 1}). If it "
            f"stays busy, we'll stop by {stop:%H:%M} UTC and give back what this took.")


def backoff(failures: int, hint: float | None = None) -> float:
    """Capped exponential backoff with full jitter, never shorter than the provider's hint."""
    ceiling = min(MAX_BACKOFF_SECONDS, settings.JOBS_RETRY_BASE_SECONDS * 2 ** failures)
    wait = random.uniform(ceiling / 2, ceiling)  # noqa: S311 -- jitter, not a secret
    return max(wait, min(hint or 0.0, MAX_HINT_SECONDS))


def retry_later(kind: JobKind, row: Any, exc: ProviderUnavailable) -> None:
    """Send a job whose create failed transiently back to the queue, or give it up."""
    now = timezone.now()
    busy_since = row.busy_since or now
    limit = timedelta(seconds=settings.JOBS_GIVE_UP_SECONDS)
    if now - busy_since >= limit:
        log.warning("%s %s: giving up after %s of provider errors (%s)", kind.name,
                    row.pk, limit, exc.message[:120])
        kind.give_up(row, GAVE_UP.format(minutes=round(limit.total_seconds() / 60)))
        return
    retries = row.retries
    wait = backoff(retries, exc.retry_after)
    requeued = kind.objects().filter(
        pk=row.pk, state__in=kind.active, provider_id__isnull=True,
    ).update(state=kind.queued, retries=F("retries") + 1, busy_since=busy_since,
             synced_at=now)
    if not requeued:
        return  # canceled meanwhile, or it reached the provider after all
    log.warning("%s %s: Replicate busy (%s); retry %d in %.1f s", kind.name,
                row.pk, exc.message[:120], retries + 1, wait)
    pk = str(row.pk)
    transaction.on_commit(
        lambda: kind.submit_task.using(run_after=now + timedelta(seconds=wait)).enqueue(pk)
    )
