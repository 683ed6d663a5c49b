"""The training zip, and who may delete it.

One row per person (`TrainingSet`) owns the current zip. Three rules keep its file alive
for as long as anybody uses it, with rebuilds running in the background while people add,
remove and replace photos and press Train:

- **Versions.** Every change to the set bumps `version` in the same transaction as the
  change. A rebuild reads the version *before* it reads the photos, so what it builds is at
  least that new, and installs its zip only if no rebuild of the same or a newer version
  got there first (`built_version`). Out-of-order rebuilds therefore never go backwards:
  the newest set wins, and a loser deletes only the file it made itself.
- **Leases.** Training takes a lease on the current file (`leased`) in the transaction that
  creates the training row, under the row lock the rebuilds take to install. A rebuild
  never deletes a leased file; the training gives the lease back when it ends (`release`),
  and the file goes then, unless it is still the current zip.
- **No building in requests.** Train uses the committed zip when it matches the newest
  version, or waits (briefly, without holding locks) for the rebuild in flight.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sselfie.accounts.models import User
from sselfie.images.trainset import TrainPhoto, build_training_zip, sha256_hex
from sselfie.selfies.coach import coach_for
from sselfie.selfies.models import TrainingSet, random_key

# How long Train waits for a rebuild in flight (a 15-photo set builds in about a second).
WAIT_SECONDS = 20.0
POLL_SECONDS = 0.2


class NotReady(Exception):
    """The newest set has no zip yet: a rebuild is queued or running."""


@dataclass(frozen=True)
class Handoff:
    name: str
    sha256: str
    photo_count: int


def set_changed(owner_id: int) -> None:
    """Record a change to the owner's photos; call inside the transaction that makes it.
    The rebuild is queued when that transaction commits."""
    from sselfie.selfies.tasks import rebuild_training_set

    ts, _ = TrainingSet.objects.get_or_create(owner_id=owner_id)
    TrainingSet.objects.filter(pk=ts.pk).update(version=F("version") + 1)
    transaction.on_commit(lambda: rebuild_training_set.enqueue(owner_id))


def rebuild(owner_id: int) -> str:
    """Build the zip for the owner's newest set and install it unless a newer one won.
    Safe to run twice and in any order."""
    user = User.objects.filter(pk=owner_id).first()
    if user is None:
        return "gone"
    ts, _ = TrainingSet.objects.get_or_create(owner=user)
    wanted = ts.version  # read before the photos: what we read is at least this new
    if ts.built_version >= wanted:
        return "up to date"
    coach = coach_for(user)
    if not coach.ready:
        _install(ts.pk, wanted, None, {"sha256": "", "size": 0, "photo_ids": []})
        return "not ready"
    usable = set(coach.usable_ids)
    chosen = [s for s in coach.selfies if str(s.id) in usable]
    photos = []
    for selfie in chosen:
        try:
            with default_storage.open(selfie.image) as fh:
                photos.append(TrainPhoto(data=fh.read(), face_box=tuple(selfie.face_box)))
        except FileNotFoundError:
            # Removed since we read the set: that removal bumped the version (or erased
            # the set) and queued what matters. Anything else is real damage: loud.
            if not TrainingSet.objects.filter(pk=ts.pk, version=wanted).exists():
                return "superseded"
            raise
    data = build_training_zip(photos)
    sha = sha256_hex(data)
    fields = {"sha256": sha, "size": len(data), "photo_ids": [str(s.id) for s in chosen]}
    # Same photos give the same bytes: keep the current file when it has them. The file
    # is written outside the lock; if the row changed meanwhile, write it and try again.
    name = None
    for _attempt in range(3):
        outcome = _install(ts.pk, wanted, name, fields)
        if outcome != "needs file":
            return sha if outcome == "installed" else "superseded"
        name = default_storage.save(random_key("trainsets", ".zip"), ContentFile(data))
    raise RuntimeError("training set kept changing under the rebuild")  # pragma: no cover


def _install(pk: int, version: int, name: str | None, fields: dict) -> str:
    """Make `name` (None: the current file, if it holds the same bytes) the zip of
    `version`, unless a rebuild of this or a newer version got there first."""
    with transaction.atomic():
        locked = TrainingSet.objects.select_for_update().filter(pk=pk).first()
        if locked is None or locked.built_version >= version:
            # Ours lost (or the set was erased). The file we wrote was never pointed to by
            # any row: ours to delete.
            if name and (locked is None or name != locked.archive):
                transaction.on_commit(partial(default_storage.delete, name))
            return "superseded"
        if name is None:  # no set ("") or the current file, if it has these bytes
            if fields["sha256"] and (locked.sha256 != fields["sha256"] or not locked.archive):
                return "needs file"
            name = locked.archive if fields["sha256"] else ""
        old = locked.archive
        locked.archive, locked.built_version = name, version
        locked.sha256, locked.size = fields["sha256"], fields["size"]
        locked.photo_ids = fields["photo_ids"]
        locked.built_at = timezone.now() if name else None
        locked.save()
        if old and old != name and old not in locked.leased:
            transaction.on_commit(lambda: default_storage.delete(old))
    return "installed"


def wait_for_current(user: User, *, timeout: float | None = None) -> None:
    """Return once the committed zip matches the newest set; NotReady after `timeout`.
    Holds no lock while waiting, so the rebuild it waits for can commit."""
    from sselfie.selfies.tasks import rebuild_training_set

    deadline = time.monotonic() + (WAIT_SECONDS if timeout is None else timeout)
    nudged = False
    while True:
        ts = TrainingSet.objects.filter(owner=user).first()
        if ts is not None and ts.built_version >= ts.version and ts.archive:
            return
        if not nudged:
            # Normally a rebuild is already queued; this one covers a queue entry lost to
            # a crash between commit and enqueue. A duplicate finds the work done.
            rebuild_training_set.enqueue(user.pk)
            nudged = True
        if time.monotonic() >= deadline:
            raise NotReady
        time.sleep(POLL_SECONDS)


def hand_over(user: User) -> Handoff:
    """Lease the current zip to a training; call inside the transaction that creates the
    training row, so the lease and the row commit (or roll back) together."""
    ts = TrainingSet.objects.select_for_update().filter(owner=user).first()
    if ts is None or not ts.archive or ts.built_version < ts.version:
        raise NotReady  # the set changed after wait_for_current returned
    # One entry per training: two trainings of the same unchanged set hold it twice.
    TrainingSet.objects.filter(pk=ts.pk).update(leased=[*ts.leased, ts.archive])
    return Handoff(name=ts.archive, sha256=ts.sha256, photo_count=len(ts.photo_ids))


def release(owner_id: int, names: list[str]) -> None:
    """Trainings are done with these files: drop their leases and delete each file that
    is not the current zip. Legacy per-training copies are simply deleted."""
    names = [n for n in names if n]
    if not names:
        return
    with transaction.atomic():
        ts = TrainingSet.objects.select_for_update().filter(owner_id=owner_id).first()
        keep = {ts.archive} if ts else set()
        leased = list(ts.leased) if ts else []
        for name in names:
            if name in leased:
                leased.remove(name)  # this training's entry only
        if ts:
            TrainingSet.objects.filter(pk=ts.pk).update(leased=leased)
            keep |= set(leased)
        doomed = [n for n in names if n not in keep]
        if doomed:
            transaction.on_commit(partial(_delete_files, doomed))


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def files_to_erase(owner_id: int) -> list[str]:
    """Call in the transaction that deletes the set: its zip, unless a training holds it
    (that training deletes it when it ends, through `release`)."""
    ts = TrainingSet.objects.select_for_update().filter(owner_id=owner_id).first()
    if ts is None or not ts.archive or ts.archive in ts.leased:
        return []
    return [ts.archive]
