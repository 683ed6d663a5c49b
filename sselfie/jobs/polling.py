"""Polling every in-flight job from the moment it reaches the provider.

Each job has one chain of scheduled poll tasks. Scheduling writes the due time on the row
(``next_poll_at``) and passes it to the task; a task runs only if the row still names its
time, so a chain started twice (a resubmit, the reconcile loop) collapses into the newest one
instead of doubling the calls. The kind decides the pace (``JobKind.poll_delay``). With
webhooks on, polls are only the safety net for a delivery that never came, so they are
spaced out to ``JOBS_WEBHOOK_POLL_SECONDS``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from sselfie.engines.errors import ProviderError, ProviderUnavailable
from sselfie.jobs import engine, kinds
from sselfie.jobs.retries import backoff

log = logging.getLogger(__name__)


def start(kind: kinds.JobKind, pk: object, *, delay: float | None = None) -> None:
    """Schedule the job's next poll (the first one, or again after the reconcile loop)."""
    if delay is None:
        row = kind.row(pk)
        delay = kind.poll_delay(row, None) if row is not None else 1.0
    _schedule(kind, pk, delay)


def _schedule(kind: kinds.JobKind, pk: object, delay: float, failures: int = 0) -> None:
    if engine.webhook_url() is not None:
        delay = max(delay, float(settings.JOBS_WEBHOOK_POLL_SECONDS))
    due = timezone.now() + timedelta(seconds=delay)
    kind.objects().filter(pk=pk, state__in=kind.active).update(next_poll_at=due)
    transaction.on_commit(
        lambda: poll_job.using(run_after=due).enqueue(kind.name, str(pk), due.isoformat(),
                                                      failures)
    )


@task()
def poll_job(kind_name: str, job_id: str, due: str, failures: int = 0) -> None:
    kind = kinds.get(kind_name)
    claimed = kind.objects().filter(
        pk=job_id, state__in=kind.active, next_poll_at=datetime.fromisoformat(due)
    ).update(next_poll_at=None)
    if not claimed:
        return  # finished, or a newer chain took over
    row = kind.row(job_id)
    if row is None or not row.provider_id:
        return
    try:
        remote = kind.fetch(row.provider_id)
    except ProviderUnavailable as exc:
        wait = backoff(failures, exc.retry_after)
        log.warning("Polling %s %s: Replicate unavailable (%s); next try in %.1f s",
                    kind.name, job_id, exc.message[:120], wait)
        _schedule(kind, job_id, wait, failures + 1)
        return
    except ProviderError as exc:
        # A 404 for our own job is Replicate's problem to explain; the reconcile loop asks
        # again when the job has been quiet for a while.
        log.warning("Polling %s %s: %r", kind.name, job_id, exc)
        return
    kind.apply(row.pk, remote)
    if not remote.terminal:
        row = kind.row(job_id)
        if row is not None and row.state in kind.active:
            _schedule(kind, job_id, kind.poll_delay(row, remote))
