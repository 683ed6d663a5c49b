"""Polling for generations, as for trainings: no spinner runs forever."""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from sselfie.engines import replicate
from sselfie.studio import generation
from sselfie.studio.ingest import ingest_later
from sselfie.studio.models import GEN_ACTIVE, Generation, GenState

log = logging.getLogger(__name__)

# Past this, a generation that never reached Replicate is given up and refunded.
GIVE_UP_AFTER = timedelta(hours=1)


def reconcile_generations() -> int:
    if not settings.REPLICATE_API_TOKEN:
        return 0
    now = timezone.now()
    quiet_since = now - timedelta(seconds=settings.RECONCILE_QUIET_SECONDS)
    quiet = Generation.objects.filter(state__in=GEN_ACTIVE, synced_at__lt=quiet_since)
    resume_before = now - timedelta(seconds=settings.RECONCILE_RESUME_SECONDS)
    looked = 0
    for gen in quiet:
        if not gen.provider_id and gen.synced_at >= resume_before:
            continue  # a submission may be in progress; don't race it
        if not Generation.objects.filter(pk=gen.pk, synced_at=gen.synced_at).update(
            synced_at=timezone.now()
        ):
            continue
        looked += 1
        try:
            _advance(gen, now)
        except replicate.ProviderError as exc:
            log.warning("Reconcile: generation %s not advanced: %r", gen.pk, exc)
    return looked


def _advance(gen: Generation, now: object) -> None:
    if gen.state == GenState.INGESTING:
        ingest_later(gen.pk)  # its ingest task died or was lost
    elif gen.provider_id:
        generation.apply(gen.pk, replicate.get_prediction(gen.provider_id))
    elif gen.created_at < now - GIVE_UP_AFTER:
        generation.fail(gen, "We couldn't reach Replicate for an hour, so we stopped trying. "
                             "Nothing was charged; please try again.")
    elif gen.state == GenState.QUEUED:
        generation.enqueue_submit(gen.pk)
    else:
        generation.submit(str(gen.pk))
