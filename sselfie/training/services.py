"""Starting, advancing and finishing trainings: the operations that span our rows and Replicate.

Every step is safe to run twice. A task or the reconcile loop may call any of them at any
time; each claims its row with a conditional UPDATE before acting, and what a provider
call created is looked up before it is created again.
"""

import logging
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from sselfie.accounts.models import Profile, User
from sselfie.engines import replicate
from sselfie.jobs import engine, kinds, polling, retries
from sselfie.selfies import training_set
from sselfie.selfies.coach import coach_for
from sselfie.training import emails
from sselfie.training.models import (
    ACTIVE,
    RANK,
    PersonalModel,
    State,
    Training,
    trigger_word_for,
)

log = logging.getLogger(__name__)

KIND = "training"  # its JobKind is registered by training/jobs.py

PROVIDER_STATES = {"starting": State.STARTING, "processing": State.TRAINING,
                   "succeeded": State.SUCCEEDED, "failed": State.FAILED,
                   "canceled": State.CANCELED, "aborted": State.FAILED}
ABORTED = ("Replicate couldn't start your training in time (it was too busy), so it was "
           "stopped before it began. Your training slot is free again: try again.")


class CannotTrain(Exception):
    """Why a person can't start a training now, in words meant for them."""

    def __init__(self, message: str, *, resets_at: datetime | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.resets_at = resets_at


def personal_model_for(user: User) -> PersonalModel:
    model, _ = PersonalModel.objects.get_or_create(
        owner=user,
        defaults={
            "trigger_word": trigger_word_for(user.public_id),
            "replicate_name": f"user-{user.public_id}-selfie-lora",
        },
    )
    return model


def start(user: User) -> Training:
    """Take the day's training slot and queue the training, atomically."""
    if not engine.configured():
        raise CannotTrain("Training is switched off on this studio: it has no Replicate token.")
    check_slot(user, Profile.objects.select_related("plan").get(user=user))  # cheap refusal
    _wait_for_training_set(user)
    with transaction.atomic():
        # The same check again, now under the profile's row lock: this one is the guarantee.
        check_slot(user, Profile.objects.select_for_update().select_related("plan").get(
            user=user))
        model = personal_model_for(user)
        try:
            # The zip is leased, not copied: no rebuild deletes it while this row uses it.
            zip_file = training_set.hand_over(user)
        except training_set.NotReady:
            raise CannotTrain(STILL_PACKING) from None
        try:
            with transaction.atomic():
                training = Training.objects.create(
                    owner=user, personal_model=model, archive=zip_file.name,
                    zip_sha256=zip_file.sha256, photo_count=zip_file.photo_count,
                    trainer_version=settings.REPLICATE_TRAINER_VERSION,
                    steps=settings.REPLICATE_TRAINING_STEPS,
                )
        except IntegrityError:
            raise CannotTrain("Your model is already training.") from None  # lease rolls back
        PersonalModel.objects.filter(pk=model.pk).update(training_status=State.QUEUED)
        transaction.on_commit(lambda: enqueue_submit(training.pk))
    return training


def check_slot(user: User, profile: Profile) -> None:
    """Raise CannotTrain when the plan allows no training now: the one place that decides."""
    if Training.objects.owned_by(user).active().exists():
        raise CannotTrain("Your model is already training.")
    used = Training.objects.owned_by(user).counting_against_quota()
    if used.count() >= profile.plan.trainings_per_day:
        oldest = used.order_by("created_at").first()
        resets_at = oldest.created_at + timedelta(hours=24) if oldest else None
        raise CannotTrain("You have used today's training.", resets_at=resets_at)


STILL_PACKING = ("We're still packing your newest photos for training. "
                 "Press Train again in a few seconds.")


def _wait_for_training_set(user: User) -> None:
    """The zip is built in the background when photos change; wait for the one in flight
    rather than building (or copying) it in the request."""
    if not coach_for(user).ready:
        raise CannotTrain("Your selfie set isn't ready yet. The coach says what to add or fix.")
    try:
        training_set.wait_for_current(user)
    except training_set.NotReady:
        raise CannotTrain(STILL_PACKING) from None


def enqueue_submit(training_id: UUID | str) -> None:
    from sselfie.training.tasks import submit_training

    submit_training.enqueue(str(training_id))


def submit(training_id: str, *, resume: bool = False) -> None:
    """Upload the zip and start the training at Replicate. Resumable: a rerun after a crash
    finds the file and the training it already created instead of making new ones.

    Only the run that claims the queued row goes ahead; a second run of the task finds the
    row claimed and leaves it to the worker holding it. ``resume`` is for the reconcile loop,
    which has claimed a submission silent long enough for its worker to be dead."""
    now = timezone.now()
    claimed = Training.objects.filter(pk=training_id, state=State.QUEUED).update(
        state=State.UPLOADING, submitted_at=now, synced_at=now
    )
    training = Training.objects.select_related("personal_model", "owner").get(pk=training_id)
    if not claimed and not (resume and _resumable(training)):
        return
    try:
        # A retry, like a resumed run, looks up what an earlier try may have created.
        _submit(training, resuming=not claimed or training.retries > 0)
    except replicate.ProviderUnavailable as exc:
        retries.retry_later(kinds.get(KIND), training, exc)
    except replicate.ProviderError as exc:
        fail(training, exc.message)


def _resumable(training: Training) -> bool:
    return training.state in (State.UPLOADING, State.STARTING) and not training.provider_id


def _submit(training: Training, *, resuming: bool) -> None:
    model = training.personal_model
    since = (training.submitted_at or timezone.now()) - timedelta(minutes=5)
    if not model.replicate_owner:
        model.replicate_owner = replicate.account_owner()
        model.save(update_fields=["replicate_owner"])
    replicate.ensure_model(model.replicate_owner, model.replicate_name)
    if not training.provider_file_url:
        with default_storage.open(training.archive) as fh:
            data = fh.read()
        uploaded = None
        if resuming:  # the crashed run may have uploaded it already
            uploaded = replicate.find_file(training.zip_sha256, created_after=since)
        uploaded = uploaded or replicate.upload_file(
            data, f"{model.replicate_name}.zip", "application/zip"
        )
        Training.objects.filter(pk=training.pk).update(
            provider_file_id=uploaded.id, provider_file_url=uploaded.url,
            synced_at=timezone.now(),
        )
        # A training canceled during the upload stays canceled.
        Training.objects.filter(pk=training.pk, state=State.UPLOADING).update(
            state=State.STARTING
        )
    training.refresh_from_db()
    if not training.is_active:
        cleanup(training)  # canceled meanwhile: start nothing, delete what was uploaded
        return
    found = None
    if resuming:
        found = replicate.find_training(zip_url=training.provider_file_url,
                                        created_after=since, destination=model.destination)
    state = found or replicate.start_training(
        destination=model.destination, zip_url=training.provider_file_url,
        trigger_word=model.trigger_word, steps=training.steps, webhook=engine.webhook_url(),
    )
    Training.objects.filter(pk=training.pk, provider_id__isnull=True).update(provider_id=state.id)
    if Training.objects.filter(pk=training.pk, cancel_requested=True).exists():
        # Canceled while the create was in flight, when cancel() could not know the id.
        state = replicate.cancel_training(state.id)
    apply(training.pk, state)
    if not state.terminal:
        polling.start(kinds.get(KIND), training.pk)


def apply(training_id: UUID | str, remote: replicate.TrainingState) -> None:
    """Move our row forward to what the provider says; never backwards. Side effects of
    finishing (email, clean-up) happen once, for whichever caller wins the UPDATE."""
    if remote.status not in PROVIDER_STATES:  # "unknown": logged by the engine; poll on
        Training.objects.filter(pk=training_id, state__in=ACTIVE).update(
            synced_at=timezone.now())
        return
    new_state = PROVIDER_STATES[remote.status]
    training = Training.objects.get(pk=training_id)
    allowed_from = [s for s, rank in RANK.items() if rank < RANK[new_state]]
    if new_state in ACTIVE:
        allowed_from.append(new_state)  # same state: refresh progress only
    fields: dict[str, object] = {"state": new_state, "synced_at": timezone.now()}
    if remote.progress:
        fields["progress"] = min(max(remote.progress.percent, 0), 100)
        fields["eta_seconds"] = remote.progress.eta_seconds
    if remote.started_at:
        fields["started_at"] = remote.started_at
    if new_state in (State.SUCCEEDED, State.FAILED, State.CANCELED):
        fields["completed_at"] = remote.completed_at or timezone.now()
        fields["billed_seconds"] = remote.metrics.get("predict_time") or remote.metrics.get(
            "total_time"
        )
    if new_state == State.SUCCEEDED:
        fields["progress"] = 100
        fields["version"] = remote.version or ""
    if new_state == State.FAILED:
        fields["error"] = ABORTED if remote.status == "aborted" else plain_error(remote.error)
    with transaction.atomic():
        changed = Training.objects.filter(pk=training.pk, state__in=allowed_from).update(**fields)
        if changed and new_state != training.state:
            PersonalModel.objects.filter(pk=training.personal_model_id).update(
                training_status=new_state
            )
            if new_state in (State.SUCCEEDED, State.FAILED, State.CANCELED):
                training.record_cost(remote.metrics.get("predict_time"))
                transaction.on_commit(lambda: _finished(training.pk))


def _finished(training_id: UUID | str) -> None:
    training = Training.objects.select_related("personal_model", "owner").get(pk=training_id)
    if training.state == State.SUCCEEDED and training.version:
        PersonalModel.objects.filter(pk=training.personal_model_id).update(
            version=training.version, ready_at=training.completed_at or timezone.now()
        )
    cleanup(training)
    emails.notify(training)


def cleanup(training: Training) -> None:
    """Delete the uploaded zip at Replicate and our copy: retention says it goes at once."""
    if training.provider_file_id and not training.provider_file_deleted:
        try:
            replicate.delete_file(training.provider_file_id)
        except replicate.ProviderError as exc:
            log.warning("Training %s: zip not deleted yet (%s); reconcile retries", training.pk,
                        exc)
            return
        Training.objects.filter(pk=training.pk).update(provider_file_deleted=True)
    if training.archive:
        # The zip is the training set's file, leased to us: give the lease back (the file
        # goes unless it is still the set's current zip). The conditional UPDATE makes
        # a second clean-up of the same training give nothing back twice.
        with transaction.atomic():
            if Training.objects.filter(pk=training.pk, archive=training.archive).update(
                    archive=""):
                training_set.release(training.owner_id, [training.archive])


def fail(training: Training, message: str) -> None:
    """Our side gave up (a permanent provider error): the slot is given back by the state."""
    now = timezone.now()
    with transaction.atomic():
        changed = Training.objects.filter(pk=training.pk, state__in=ACTIVE).update(
            state=State.FAILED, error=plain_error(message), completed_at=now, synced_at=now
        )
        if changed:
            PersonalModel.objects.filter(pk=training.personal_model_id).update(
                training_status=State.FAILED
            )
            transaction.on_commit(lambda: _finished(training.pk))


def cancel(training: Training) -> None:
    """Ask Replicate to stop; a training not yet there is canceled on our side at once."""
    Training.objects.filter(pk=training.pk).update(cancel_requested=True)
    # Read the id after raising the flag: a worker saves the id before it reads the flag,
    # so one of us always sees the other and the provider's training gets canceled.
    training.refresh_from_db()
    if training.provider_id:
        apply(training.pk, replicate.cancel_training(training.provider_id))
        return
    now = timezone.now()
    with transaction.atomic():
        changed = Training.objects.filter(
            pk=training.pk, state__in=ACTIVE, provider_id__isnull=True
        ).update(state=State.CANCELED, completed_at=now, synced_at=now)
        if changed:
            PersonalModel.objects.filter(pk=training.personal_model_id).update(
                training_status=State.CANCELED
            )
            transaction.on_commit(lambda: cleanup(Training.objects.get(pk=training.pk)))


FRIENDLY_ERRORS = [
    ("input_images must be a zip", "Replicate could not read your photo set. Try again; "
                                   "if it happens twice, contact us."),
    ("out of memory", "The training ran out of GPU memory at Replicate. Try again."),
    ("insufficient credit", "The studio's Replicate account is out of credit. "
                            "We've been told; try again later."),
]


def plain_error(raw: str | None) -> str:
    text = (raw or "").strip()
    for needle, friendly in FRIENDLY_ERRORS:
        if needle in text.lower():
            return friendly
    if not text:
        return "The training stopped without a reason from Replicate. Try again."
    return f"Replicate stopped the training: {text[:300]}"
