"""The polling half of "webhook or polling": whatever a webhook missed, this finds.

One pass looks at every in-flight training we have not heard about for a while, asks
Replicate directly and applies the answer. It also resumes submissions a crashed worker
left half done, and finishes clean-ups (zip deletion) that failed earlier.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from sselfie.engines import replicate
from sselfie.training import services
from sselfie.training.models import ACTIVE, TERMINAL, State, Training

log = logging.getLogger(__name__)


def reconcile_trainings() -> int:
    """Bring quiet trainings up to date; returns how many were looked at."""
    if not services.replicate_ready():
        return 0
    quiet_since = timezone.now() - timedelta(seconds=settings.RECONCILE_QUIET_SECONDS)
    looked = 0
    stale = Training.objects.filter(state__in=ACTIVE, synced_at__lt=quiet_since)
    resume_before = timezone.now() - timedelta(seconds=settings.RECONCILE_RESUME_SECONDS)
    for training in stale.select_related("personal_model"):
        # Not at Replicate yet: a submission in progress may legitimately be slow (a large
        # upload), so only one silent far longer than any upload is taken over.
        if not training.provider_id and training.synced_at >= resume_before:
            continue
        # Claim: whoever moves synced_at first handles this training in this round.
        claimed = Training.objects.filter(pk=training.pk, synced_at=training.synced_at)
        if not claimed.update(synced_at=timezone.now()):
            continue
        looked += 1
        try:
            _advance(training)
        except replicate.ProviderError as exc:
            log.warning("Reconcile: training %s not advanced: %r", training.pk, exc)
    for training in Training.objects.filter(state__in=TERMINAL, provider_file_deleted=False
                                            ).exclude(provider_file_id=""):
        services.cleanup(training)
    return looked


def _advance(training: Training) -> None:
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
