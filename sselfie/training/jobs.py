"""Trainings as a kind of provider job: what the jobs home needs to poll, reconcile and
retry them (registered in TrainingConfig.ready)."""

from django.db.models import QuerySet

from sselfie.engines import replicate
from sselfie.jobs import housekeeping, kinds
from sselfie.training import services
from sselfie.training.models import ACTIVE, TERMINAL, State, Training
from sselfie.training.tasks import submit_training

STARTING_POLL_SECONDS = 2.0  # booting the trainer, downloading weights: no ETA yet
MAX_POLL_SECONDS = 15.0
NEAR_THE_END_PERCENT = 90.0


def poll_delay(training: Training, remote: replicate.TrainingState | None) -> float:
    """Often near the end, rarely in the middle: a tenth of the trainer's own ETA, between
    1 and 15 s. Close to the end (and while the weights upload after the last step) that is
    every second, so a finished model shows within about a second; a 20-minute training
    costs about 150 polls, far inside Replicate's 3000 reads a minute."""
    progress = remote.progress if remote is not None else None
    if progress is None or progress.eta_seconds is None:
        return STARTING_POLL_SECONDS
    if progress.percent >= NEAR_THE_END_PERCENT:
        return 1.0  # the ETA ends with the last step; saving the weights comes after it
    return min(MAX_POLL_SECONDS, max(1.0, progress.eta_seconds / 10))


def advance(training: Training) -> None:
    """A quiet training the reconcile loop claimed: ask, resume or resubmit."""
    if training.provider_id and training.cancel_requested:
        # The person canceled but the cancel never reached Replicate (it failed, or the
        # worker died): keep asking, or the training runs and bills to the end.
        services.apply(training.pk, replicate.cancel_training(training.provider_id))
    elif training.provider_id:
        services.apply(training.pk, replicate.get_training(training.provider_id))
    elif training.state == State.QUEUED:
        services.enqueue_submit(training.pk)  # its task was lost before it ran
    else:
        services.submit(str(training.pk), resume=True)  # a worker died mid-submit


def finish_cleanups() -> int:
    """Zips whose deletion at Replicate failed when their training ended: try again."""
    pending: QuerySet[Training] = Training.objects.filter(
        state__in=TERMINAL, provider_file_deleted=False).exclude(provider_file_id="")
    for training in pending:
        services.cleanup(training)
    return len(pending)


def register() -> None:
    kinds.register(kinds.JobKind(
        name=services.KIND, model=Training, active=ACTIVE, queued=State.QUEUED,
        parse=replicate.training_state, fetch=replicate.get_training, apply=services.apply,
        advance=advance, give_up=services.fail, submit_task=submit_training,
        poll_delay=poll_delay,
    ))
    housekeeping.register("training_zip_cleanups", finish_cleanups, every_seconds=60)
