"""requeue_stale_tasks(): tasks left RUNNING by a dead worker go back in the queue, and the
reconcile loop does it every pass. (test_workers.py kills a real worker.)"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sselfie.jobs.recovery import requeue_stale_tasks
from tests.scale import tasks

pytestmark = pytest.mark.django_db


def task_in(status: str, started_minutes_ago: float | None) -> DBTaskResult:
    result = tasks.record.enqueue(1)
    started = None if started_minutes_ago is None else \
        timezone.now() - timedelta(minutes=started_minutes_ago)
    DBTaskResult.objects.filter(pk=result.id).update(status=status, started_at=started,
                                                    worker_ids=["gone"])
    return DBTaskResult.objects.get(pk=result.id)


def test_only_running_tasks_older_than_the_threshold_are_requeued():
    stale = task_in("RUNNING", 20)
    busy = task_in("RUNNING", 1)
    done = task_in("SUCCESSFUL", 30)
    failed = task_in("FAILED", 30)
    waiting = task_in("READY", None)
    assert requeue_stale_tasks(timedelta(minutes=15)) == 1
    assert DBTaskResult.objects.get(pk=stale.pk).status == "READY"
    assert DBTaskResult.objects.get(pk=stale.pk).started_at is None
    for untouched in (busy, done, failed, waiting):
        assert DBTaskResult.objects.get(pk=untouched.pk).status == untouched.status
    assert requeue_stale_tasks(timedelta(minutes=15)) == 0  # nothing twice


def test_requeued_tasks_are_ready_to_run_again():
    stale = task_in("RUNNING", 20)
    assert not DBTaskResult.objects.ready().filter(pk=stale.pk).exists()
    requeue_stale_tasks(timedelta(minutes=15))
    assert DBTaskResult.objects.ready().filter(pk=stale.pk).exists()


def test_each_reconcile_pass_requeues_stale_tasks(settings):
    settings.TASK_STALE_SECONDS = 900
    stale = task_in("RUNNING", 16)
    busy = task_in("RUNNING", 14)
    call_command("reconcile")
    assert DBTaskResult.objects.get(pk=stale.pk).status == "READY"
    assert DBTaskResult.objects.get(pk=busy.pk).status == "RUNNING"
