"""Putting back in the queue the tasks whose worker died.

django-tasks-db marks a task RUNNING when a worker claims it and finished when it returns.
A worker killed in between (SIGKILL, out of memory, a lost machine) leaves the row RUNNING
forever and nobody runs it again. The reconcile loop calls requeue_stale_tasks() so another
worker picks such a task up. A worker that is merely slow may then run alongside the rerun:
our tasks claim their rows with a conditional UPDATE, so the work is still done once.
"""

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


def requeue_stale_tasks(older_than: timedelta) -> int:
    """Make RUNNING tasks started more than `older_than` ago READY again; how many were."""
    cutoff = timezone.now() - older_than
    # One conditional UPDATE: a task that finishes meanwhile is no longer RUNNING and is left
    # alone, and two reconcile loops running at once never requeue the same task twice.
    requeued = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lte=cutoff,
    ).update(status=TaskResultStatus.READY, started_at=None)
    if requeued:
        logger.warning("Requeued %d task(s) left RUNNING for over %s by a worker that died.",
                       requeued, older_than)
    return requeued


FINISHED_TASKS_KEPT = timedelta(days=2)


def prune_finished_tasks() -> int:
    """Poll chains leave a finished task row per poll: keep two days of them for operators
    to look at, then delete them in one statement."""
    cutoff = timezone.now() - FINISHED_TASKS_KEPT
    deleted, _ = DBTaskResult.objects.filter(
        status__in=(TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED),
        finished_at__lt=cutoff,
    ).delete()
    return deleted
