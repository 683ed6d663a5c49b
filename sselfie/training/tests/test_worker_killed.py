"""A worker killed in the middle of a submit must not lead to a second paid training.

The submit runs in a real, separate ``manage.py db_worker`` process against the same
test database. The fake creates the training and then holds the answer; the worker is
SIGKILLed while it waits. Reconcile then adopts the training Replicate already has.
"""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.core import mail

from sselfie.jobs.reconcile import reconcile_jobs
from sselfie.training import services
from sselfie.training.models import PersonalModel, State, Training
from sselfie.training.tests.conftest import TOKEN

SUBMIT_TASK = "training.tasks.submit_training"


def worker_env(fake, shared_db) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sselfie.settings",
        "DATABASE_URL": shared_db.url,
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        "REPLICATE_API_TOKEN": TOKEN,
        "REPLICATE_API_BASE_URL": fake.base_url,
        "REPLICATE_TRAINER_VERSION": fake.trainer_version,
        "REPLICATE_OWNER": "",
        "PUBLIC_URL": "",
        "DEBUG": "",
    }


def wait_for(condition, worker: subprocess.Popen, log, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if worker.poll() is not None:
            log.seek(0)
            pytest.fail(f"the worker exited early ({worker.returncode}):\n{log.read()}")
        if time.monotonic() > deadline:
            log.seek(0)
            pytest.fail(f"timed out waiting for the worker:\n{log.read()[-4000:]}")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_submit_leaves_exactly_one_training(
    fake, ready_owner_with_zip, shared_db, settings, tmp_path
):
    from django_tasks_db.models import DBTaskResult

    ready_owner = ready_owner_with_zip

    training = services.start(ready_owner)  # committed: its submit task is queued
    # Only the submit matters here; the selfie uploads queued zip rebuilds too.
    DBTaskResult.objects.exclude(task_path__endswith=SUBMIT_TASK).delete()
    # The fake creates the training, then holds the answer far past our patience.
    fake.faults.hang("trainings.create", seconds=120)

    with shared_db, open(tmp_path / "worker.log", "w+") as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay",
             "--interval", "0.05", "--no-reload"],
            cwd=django_settings.BASE_DIR, env=worker_env(fake, shared_db),
            stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            wait_for(lambda: fake.jobs("training"), worker, log)
        finally:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
    assert worker.returncode == -signal.SIGKILL

    # What the dead worker left: the zip uploaded, the training made, its id never saved.
    training.refresh_from_db()
    assert training.state == State.STARTING
    assert training.provider_id is None and training.provider_file_url
    [create] = fake.calls("trainings.create")
    assert create.status is None  # no answer was ever sent
    task = DBTaskResult.objects.get(task_path__endswith=SUBMIT_TASK)
    assert task.status == "RUNNING"  # nobody will finish it: reconcile must

    # A slow submission is not taken over before RECONCILE_RESUME_SECONDS.
    assert reconcile_jobs() == 0
    assert len(fake.calls("trainings.create")) == 1

    settings.RECONCILE_RESUME_SECONDS = 0
    assert reconcile_jobs() == 1

    [job] = fake.jobs("training")
    training.refresh_from_db()
    assert training.provider_id == job["id"]  # adopted, not created again
    assert training.state == State.STARTING
    assert len(fake.calls("trainings.create")) == 1
    assert len(fake.calls("files.create")) == 1
    assert len(fake.calls("models.create")) == 1

    fake.complete(job["id"])
    reconcile_jobs()
    training.refresh_from_db()
    assert training.state == State.SUCCEEDED
    assert PersonalModel.objects.get(owner=ready_owner).version == training.version
    assert len(mail.outbox) == 1
    assert Training.objects.count() == 1 and len(fake.jobs("training")) == 1
