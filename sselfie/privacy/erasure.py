"""Deleting a person's data: their selfies, their model, or everything.

Local rows and files go at once. What lives at Replicate (model versions, the model, any
uploaded zip not yet deleted) is queued as ProviderDeletion rows in the order Replicate
needs — versions, then the model, then files — and sent by the reconcile loop until
Replicate confirms. A person never waits on Replicate to be forgotten here.
"""

import logging
import uuid

from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from sselfie.accounts.models import User
from sselfie.billing.erasure import cancel_subscription_of
from sselfie.engines import replicate
from sselfie.privacy.models import DataExport, ProviderDeletion
from sselfie.selfies import training_set
from sselfie.selfies.models import Selfie, TrainingSet
from sselfie.studio import models as studio_models
from sselfie.studio.models import GeneratedImage, Generation, GenState
from sselfie.studio.preview import pending_reference_ids
from sselfie.training import models as training_models
from sselfie.training.models import PersonalModel, State, Training

log = logging.getLogger(__name__)


def delete_selfies(user: User) -> int:
    names: list[str] = []
    selfies = list(Selfie.objects.owned_by(user))
    for selfie in selfies:
        names += [selfie.image, selfie.thumbnail]
    with transaction.atomic():
        # A zip still leased to a training is deleted when that training ends.
        names += training_set.files_to_erase(user.pk)
        Selfie.objects.owned_by(user).delete()
        TrainingSet.objects.filter(owner=user).delete()
        transaction.on_commit(lambda: _delete_files(names))
    return len(selfies)


def delete_model(user: User) -> bool:
    """Forget the personal model here and at Replicate. Photos already created stay."""
    model = PersonalModel.objects.filter(owner=user).first()
    if model is None:
        return False
    trainings = list(Training.objects.filter(personal_model=model))
    names = [t.archive for t in trainings if t.archive]
    group = uuid.uuid4()
    with transaction.atomic():
        _stop_jobs(user)
        versions = {t.version for t in trainings if t.version} | ({model.version} - {""})
        for version in sorted(versions):
            _queue(group, ProviderDeletion.Kind.VERSION, 0, model.replicate_owner,
                   model.replicate_name, version.rpartition(":")[2])
        if model.replicate_owner:
            _queue(group, ProviderDeletion.Kind.MODEL, 1, model.replicate_owner,
                   model.replicate_name)
        for training in trainings:
            if training.provider_file_id and not training.provider_file_deleted:
                _queue(group, ProviderDeletion.Kind.FILE, 2, object_id=training.provider_file_id)
        model.delete()  # trainings and unfinished generations go with it
        # Their zips are leased from the training set: released, not deleted outright,
        # so the set keeps its current zip.
        training_set.release(user.pk, names)
    return True


def delete_account(user: User) -> None:
    delete_model(user)
    delete_selfies(user)
    names = []
    for image in GeneratedImage.objects.filter(owner=user):
        names += [image.image, image.thumbnail]
    names += [e.archive for e in DataExport.objects.filter(owner=user) if e.archive]
    with transaction.atomic():
        # Reference selfies a preview uploaded and hasn't deleted yet (one in flight):
        # its row goes with the user, so the deletions are queued here.
        group = uuid.uuid4()
        for file_id in pending_reference_ids(user.pk):
            _queue(group, ProviderDeletion.Kind.FILE, 2, object_id=file_id)
        _end_sessions(user)
        cancel_subscription_of(user)  # queued here, sent after commit, retried until done
        user.delete()  # every remaining row, share links included, cascades from the user
        transaction.on_commit(lambda: _delete_files(names))


def _stop_jobs(user: User) -> None:
    now = timezone.now()
    Training.objects.filter(owner=user, state__in=training_models.ACTIVE).update(
        state=State.CANCELED, completed_at=now, error="Canceled: the model was deleted."
    )
    Generation.objects.filter(owner=user, state__in=studio_models.ACTIVE).update(
        state=GenState.FAILED, completed_at=now, error="Canceled: the model was deleted."
    )


def _queue(group: uuid.UUID, kind: str, order: int, owner: str = "", name: str = "",
           object_id: str = "") -> None:
    ProviderDeletion.objects.create(group=group, kind=kind, order=order, owner=owner,
                                    name=name, object_id=object_id)


def _end_sessions(user: User) -> None:
    # Sessions aren't indexed by user; account deletion is rare enough to scan them.
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()


def _delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def send_provider_deletions() -> int:
    """Work through the queue in Replicate's order; returns how many were confirmed."""
    done = 0
    pending = ProviderDeletion.objects.filter(done_at__isnull=True)
    for item in pending.order_by("created_at", "order"):
        earlier = pending.filter(group=item.group, order__lt=item.order)
        if item.kind == ProviderDeletion.Kind.MODEL and earlier.exists():
            continue  # Replicate refuses to delete a model that still has versions
        try:
            _send(item)
        except replicate.ProviderError as exc:
            ProviderDeletion.objects.filter(pk=item.pk).update(
                attempts=item.attempts + 1, last_error=exc.message[:500]
            )
            log.warning("Replicate deletion %s not done yet: %s", item, exc.message)
            continue
        ProviderDeletion.objects.filter(pk=item.pk).update(
            attempts=item.attempts + 1, done_at=timezone.now(), last_error=""
        )
        done += 1
    return done


def _send(item: ProviderDeletion) -> None:
    if item.kind == ProviderDeletion.Kind.VERSION:
        replicate.delete_version(item.owner, item.name, item.object_id)
    elif item.kind == ProviderDeletion.Kind.MODEL:
        replicate.delete_model(item.owner, item.name)
    else:
        replicate.delete_file(item.object_id)
