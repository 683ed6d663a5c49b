"""Races between uploads, removals, background rebuilds of the training zip and Train.

Each race is made deterministic rather than hoped for: `HoldingStorage` (a real file-system
storage with pause points) stops a rebuild exactly where the race needs it, and threads meet
at a barrier. Run them on SQLite and on PostgreSQL (DATABASE_URL=postgres://...).
"""

import threading
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django_tasks_db.models import DBTaskResult

from sselfie.images import problems
from sselfie.selfies import intake, training_set
from sselfie.selfies.models import Selfie, TrainingSet
from sselfie.selfies.tasks import rebuild_training_set
from sselfie.selfies.tests.holding import PATH, HoldingStorage
from sselfie.training import services
from sselfie.training.models import Training
from tests.photos import distinct_selfies, report_for, seed_selfies

pytestmark = pytest.mark.django_db(transaction=True)
REBUILD_TASK = "sselfie.selfies.tasks.rebuild_training_set"


@pytest.fixture(autouse=True)
def holding_storage(settings):
    location = settings.STORAGES["default"]["OPTIONS"]["location"]
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": PATH, "OPTIONS": {"location": location}}}
    yield HoldingStorage
    HoldingStorage.reset()


class Thread:
    """Runs `func` in a thread with its own database connection; join() re-raises."""

    def __init__(self, func, *args) -> None:
        self.result: object = None
        self.error: BaseException | None = None

        def run() -> None:
            from django.db import connection

            try:
                self.result = func(*args)
            except BaseException as exc:
                self.error = exc
            finally:
                connection.close()

        self.thread = threading.Thread(target=run)
        self.thread.start()

    def join(self) -> object:
        self.thread.join(timeout=60)
        assert not self.thread.is_alive(), "thread hung"
        if self.error:
            raise self.error
        return self.result


def stored(folder: str) -> set[str]:
    return {f"{folder}/{p.name}" for p in Path(default_storage.path(folder)).iterdir()}


def queued_rebuilds() -> int:
    return DBTaskResult.objects.filter(task_path=REBUILD_TASK).count()


def wait_for(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def ten(owner):
    """The owner with ten photos and their zip built: ready to train."""
    seed_selfies(owner, distinct_selfies(12)[:10])
    rebuild_training_set.call(owner.pk)
    return owner


def test_train_waits_for_the_rebuild_in_flight_and_its_zip_survives_later_rebuilds(
        ten, settings, holding_storage):
    """The reported 500: the last upload's rebuild is running when Train is pressed."""
    settings.REPLICATE_API_TOKEN = "token"  # start() only queues; nothing calls Replicate
    old_zip = TrainingSet.objects.get(owner=ten).archive
    seed_selfies(ten, distinct_selfies(12)[10:11])  # the 11th photo: version bumped

    held = holding_storage.hold("save", "trainsets/")
    rebuild = Thread(rebuild_training_set.call, ten.pk)
    held.wait_reached()  # the rebuild has built the new zip and is about to write it
    before = queued_rebuilds()
    train = Thread(services.start, ten)
    wait_for(lambda: queued_rebuilds() > before)  # Train is waiting (it nudged the queue)
    assert not Training.objects.exists()
    held.release()
    rebuild.join()
    training = train.join()

    ts = TrainingSet.objects.get(owner=ten)
    assert training.archive == ts.archive != old_zip and len(ts.photo_ids) == 11
    assert training.photo_count == 11 and training.zip_sha256 == ts.sha256
    assert ts.leased == [training.archive]
    assert not default_storage.exists(old_zip)  # replaced and not leased: deleted

    # More changes and rebuilds while the training runs never delete its zip.
    intake.remove(Selfie.objects.filter(owner=ten).last())
    assert rebuild_training_set.call(ten.pk) not in ("up to date", "superseded")
    ts.refresh_from_db()
    assert ts.archive != training.archive and len(ts.photo_ids) == 10
    with default_storage.open(training.archive) as fh:  # what submit opens
        assert fh.read(2) == b"PK"

    # The training ends: its lease goes, and with it the file nobody points to any more.
    services.cleanup(Training.objects.get(pk=training.pk))
    ts.refresh_from_db()
    assert ts.leased == [] and not default_storage.exists(training.archive)
    assert default_storage.exists(ts.archive)


def test_train_says_what_is_happening_when_the_rebuild_does_not_come(
        ten, settings, monkeypatch, owner_client):
    settings.REPLICATE_API_TOKEN = "token"
    monkeypatch.setattr(training_set, "WAIT_SECONDS", 0.3)
    seed_selfies(ten, distinct_selfies(12)[10:11])  # queued, but no worker runs it
    response = owner_client.post("/model/train/", follow=True)
    assert response.status_code == 200
    assert "still packing your newest photos" in response.content.decode()
    assert not Training.objects.exists()


def test_an_older_rebuild_finishing_last_does_not_win(ten, holding_storage):
    first_zip = TrainingSet.objects.get(owner=ten).archive
    seed_selfies(ten, distinct_selfies(12)[10:11])  # version n: 11 photos
    held = holding_storage.hold("save", "trainsets/")
    older = Thread(rebuild_training_set.call, ten.pk)
    held.wait_reached()  # built from 11 photos, not written yet

    intake.remove(Selfie.objects.filter(owner=ten).first())  # version n+1: 10 photos
    newer = rebuild_training_set.call(ten.pk)
    ts = TrainingSet.objects.get(owner=ten)
    assert ts.sha256 == newer and len(ts.photo_ids) == 10
    newest_zip = ts.archive

    held.release()
    assert older.join() == "superseded"
    ts.refresh_from_db()
    assert ts.archive == newest_zip and ts.sha256 == newer and default_storage.exists(newest_zip)
    assert stored("trainsets") == {newest_zip}  # the loser deleted its own file
    assert first_zip != newest_zip


def test_a_photo_removed_while_the_rebuild_reads_the_set_does_not_crash_it(
        ten, holding_storage):
    seed_selfies(ten, distinct_selfies(12)[10:11])
    held = holding_storage.hold("open", "selfies/")
    rebuild = Thread(rebuild_training_set.call, ten.pk)
    held.wait_reached()  # the set is read; the first photo is being opened
    intake.remove(Selfie.objects.filter(owner=ten).order_by("created_at").last())
    held.release()
    assert rebuild.join() == "superseded"
    assert rebuild_training_set.call(ten.pk) not in ("up to date", "superseded")
    ts = TrainingSet.objects.get(owner=ten)
    assert len(ts.photo_ids) == 10 and default_storage.exists(ts.archive)


def test_selfies_erased_while_a_rebuild_runs_leave_no_zip_behind(ten, holding_storage):
    from sselfie.privacy import erasure

    seed_selfies(ten, distinct_selfies(12)[10:11])
    held = holding_storage.hold("save", "trainsets/")
    rebuild = Thread(rebuild_training_set.call, ten.pk)
    held.wait_reached()
    erasure.delete_selfies(ten)
    held.release()
    assert rebuild.join() == "superseded"
    assert not TrainingSet.objects.filter(owner=ten).exists()
    assert stored("trainsets") == set()


def test_the_same_photo_uploaded_twice_in_parallel_is_stored_once(owner, holding_storage):
    """Both uploads pass every check before either inserts: the files are being written."""
    report = report_for(distinct_selfies(12)[0])
    barrier = threading.Barrier(2)
    holds = [holding_storage.hold("save", "selfies/") for _ in range(2)]

    def upload(name: str):
        barrier.wait(timeout=10)
        return intake.store_report(owner, name, report)

    uploads = [Thread(upload, "a.jpg"), Thread(upload, "b.jpg")]
    for held in holds:
        held.wait_reached()  # both are past their checks, writing their files
    for held in holds:
        held.release()
    verdicts = [u.join() for u in uploads]
    assert sorted(v.accepted for v in verdicts) == [False, True]
    [refused] = [v for v in verdicts if not v.accepted]
    assert refused.problems == [problems.DUPLICATE]
    assert Selfie.objects.filter(owner=owner).count() == 1
    kept = Selfie.objects.get(owner=owner)
    assert stored("selfies") == {kept.image, kept.thumbnail}  # the refused one left none
