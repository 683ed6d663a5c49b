from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from sselfie.accounts.models import User
from sselfie.images.trainset import TrainPhoto, build_training_zip, sha256_hex
from sselfie.selfies.coach import coach_for
from sselfie.selfies.models import TrainingSet, random_key


@task()
def rebuild_training_set(owner_id: int) -> str:
    """Rebuild the owner's training zip from their usable photos. Safe to run twice: the
    zip is deterministic, so an unchanged set keeps its file and checksum."""
    user = User.objects.filter(pk=owner_id).first()
    if user is None:
        return "gone"
    coach = coach_for(user)
    training_set, _ = TrainingSet.objects.get_or_create(owner=user)
    if not coach.ready:
        _replace_archive(training_set, name="", sha="", size=0, photo_ids=[])
        return "not ready"
    usable = [s for s in coach.selfies if str(s.id) in set(coach.usable_ids)]
    photos = []
    for selfie in usable:
        with default_storage.open(selfie.image) as fh:
            photos.append(TrainPhoto(data=fh.read(), face_box=tuple(selfie.face_box)))
    data = build_training_zip(photos)
    sha = sha256_hex(data)
    if sha == training_set.sha256 and training_set.archive:
        return "unchanged"
    name = default_storage.save(random_key("trainsets", ".zip"), ContentFile(data))
    _replace_archive(training_set, name=name, sha=sha, size=len(data),
                     photo_ids=[str(s.id) for s in usable])
    return sha


def _replace_archive(ts: TrainingSet, *, name: str, sha: str, size: int,
                     photo_ids: list[str]) -> None:
    with transaction.atomic():
        # Re-read under a lock: two rebuilds racing must each delete the file they replace.
        locked = TrainingSet.objects.select_for_update().get(pk=ts.pk)
        old = locked.archive
        locked.archive, locked.sha256, locked.size, locked.photo_ids = name, sha, size, photo_ids
        locked.built_at = timezone.now() if name else None
        locked.save()
        if old and old != name:
            transaction.on_commit(lambda: default_storage.delete(old))
