"""The safety net under webhooks and poll chains: whatever went quiet, this finds.

One pass requeues tasks whose worker died, then looks at every in-flight job of every kind
that nobody has heard of for ``RECONCILE_QUIET_SECONDS`` (a lost poll task, a worker killed
mid-submit), claims it and lets its kind move it on, and finally runs the housekeeping chores
that are due.
"""

import logging
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from sselfie.engines.errors import ProviderError
from sselfie.jobs import engine, housekeeping, kinds, polling
from sselfie.jobs.recovery import requeue_stale_tasks

log = logging.getLogger(__name__)

_last_run: dict[str, float] = {}


def reconcile_jobs() -> int:
    """Bring quiet jobs up to date; returns how many were looked at."""
    if not engine.configured():
        return 0
    quiet_since = timezone.now() - timedelta(seconds=settings.RECONCILE_QUIET_SECONDS)
    looked = 0
    for kind in kinds.registered():
        manager: Any = kind.objects()
        for row in manager.filter(state__in=kind.active, synced_at__lt=quiet_since):
            if _has_someone_on_it(kind, row):
                continue
            # Claim: whoever moves synced_at first handles this job in this round.
            if not manager.filter(pk=row.pk, synced_at=row.synced_at).update(
                    synced_at=timezone.now()):
                continue
            looked += 1
            try:
                kind.advance(row)
            except ProviderError as exc:
                log.warning("Reconcile: %s %s not advanced: %r", kind.name, row.pk, exc)
            fresh = kind.row(row.pk)
            if fresh is not None and fresh.provider_id and fresh.state in kind.active:
                polling.start(kind, row.pk)  # its poll chain was lost: a new one
    return looked


def _has_someone_on_it(kind: kinds.JobKind, row: Any) -> bool:
    """A submission in progress (a large upload may be slow) or a create waiting out its
    retry has a worker or a scheduled task on it: left alone, without touching synced_at,
    until it has been silent longer than any upload or retry wait can take."""
    if row.provider_id or kinds.silent_too_long(row):
        return False
    return row.state != kind.queued or row.retries > 0


def run_chores(*, force: bool = False) -> dict[str, int]:
    done: dict[str, int] = {}
    now = time.monotonic()
    for chore in housekeeping.chores():
        if force or now - _last_run.get(chore.name, -chore.every_seconds) >= chore.every_seconds:
            done[chore.name] = chore.run()
            _last_run[chore.name] = now
    return done


def one_pass() -> tuple[int, dict[str, int]]:
    requeue_stale_tasks(timedelta(seconds=settings.TASK_STALE_SECONDS))
    return reconcile_jobs(), run_chores()
