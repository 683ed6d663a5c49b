"""Cancels and duplicate task runs that land while a submit is talking to Replicate.

Each must end with nothing running (and billing) at Replicate that our row doesn't know
about, and never bring a canceled training back to life.
"""

import threading
import time

import pytest
from django.utils import timezone

from sselfie.training import services
from sselfie.training.models import State, Training


class Worker:
    """Runs ``func`` in a thread whose ORM uses the shared test database."""

    def __init__(self, shared_db, func, *args) -> None:
        self.errors: list[BaseException] = []

        def run() -> None:
            shared_db.use_in_this_thread()
            try:
                func(*args)
            except BaseException as exc:  # reported by join()
                self.errors.append(exc)
            finally:
                shared_db.done_in_this_thread()

        self.thread = threading.Thread(target=run)
        self.thread.start()

    def join(self) -> None:
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()
        assert self.errors == []


def wait_until(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def cancel_by_id(training_id) -> None:
    """What the cancel view does: load the row, then cancel it."""
    services.cancel(Training.objects.get(pk=training_id))


@pytest.mark.django_db(transaction=True)
def test_a_cancel_during_the_upload_starts_nothing_at_replicate(fake, ready_owner, shared_db):
    training = services.start(ready_owner)
    fake.faults.hang("files.create", seconds=1.0)  # stored at once, answered a second later

    with shared_db:
        submit = Worker(shared_db, services.submit, str(training.pk))
        wait_until(lambda: fake.calls("files.create"))
        Worker(shared_db, cancel_by_id, training.pk).join()
        submit.join()

    training.refresh_from_db()
    assert training.state == State.CANCELED  # not brought back to "starting"
    assert fake.calls("trainings.create") == [] and fake.jobs("training") == []
    assert fake.world.files == {}  # the zip that finished uploading is deleted too
    assert training.provider_file_deleted and training.archive == ""
    assert services.start(ready_owner).state == State.QUEUED  # the slot is free


@pytest.mark.django_db(transaction=True)
def test_a_cancel_while_the_create_is_in_flight_cancels_at_replicate(
    fake, ready_owner, shared_db
):
    training = services.start(ready_owner)
    fake.faults.hang("trainings.create", seconds=1.0)  # created at once, answered later

    with shared_db:
        submit = Worker(shared_db, services.submit, str(training.pk))
        wait_until(lambda: fake.jobs("training"))
        Worker(shared_db, cancel_by_id, training.pk).join()
        submit.join()

    [job] = fake.jobs("training")
    assert job["status"] == "canceled"  # nothing left running (and billing) at Replicate
    training.refresh_from_db()
    assert training.state == State.CANCELED
    assert training.provider_id == job["id"]
    assert len(fake.calls("trainings.cancel")) == 1


@pytest.mark.django_db
def test_a_cancel_from_a_page_loaded_before_the_id_was_saved_still_cancels(
    fake, ready_owner, django_capture_on_commit_callbacks
):
    training = services.start(ready_owner)
    loaded = Training.objects.get(pk=training.pk)  # the cancel view has read the row...
    services.submit(str(training.pk))  # ...when the worker saves the provider's id
    assert loaded.provider_id is None

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(loaded)

    training.refresh_from_db()
    assert training.state == State.CANCELED
    assert fake.job(training.provider_id)["status"] == "canceled"


@pytest.mark.django_db
def test_a_second_run_of_the_submit_task_leaves_a_claimed_row_alone(fake, ready_owner):
    training = services.start(ready_owner)
    # Another worker claimed the row a moment ago and is uploading right now.
    now = timezone.now()
    Training.objects.filter(pk=training.pk).update(state=State.UPLOADING, submitted_at=now,
                                                   synced_at=now)

    services.submit(str(training.pk))  # tasks run at least once: this is the duplicate

    assert fake.calls() == []
    training.refresh_from_db()
    assert training.state == State.UPLOADING and training.synced_at == now


def test_a_cancel_that_never_reached_replicate_is_sent_by_reconcile(fake, ready_owner):
    from sselfie.jobs.reconcile import reconcile_jobs

    training = services.start(ready_owner)
    services.submit(str(training.pk))
    training.refresh_from_db()
    assert training.provider_id
    fake.faults.fail("trainings.cancel", times=1, status=503)
    Training.objects.filter(pk=training.pk).update(cancel_requested=True)  # as if it failed
    reconcile_jobs()  # Replicate answers 503: still running, asked again next pass
    training.refresh_from_db()
    assert training.state != "canceled"
    reconcile_jobs()
    training.refresh_from_db()
    assert training.state == "canceled"
    assert len(fake.calls("trainings.cancel")) == 2
