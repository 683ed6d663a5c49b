"""Generations as a kind of provider job: what the jobs home needs to poll, reconcile and
retry them (registered in StudioConfig.ready)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from sselfie.engines import replicate
from sselfie.jobs import kinds
from sselfie.jobs.retries import GAVE_UP
from sselfie.studio import generation
from sselfie.studio.ingest import ingest_later
from sselfie.studio.models import ACTIVE, Generation, GenKind, GenState
from sselfie.studio.tasks import submit_generation


def poll_delay(gen: Generation, remote: replicate.PredictionState | None) -> float:
    """Every second while a prediction is young (FLUX dev takes about 5-15 s, so a photo
    shows within about a second of being done), then less often for the odd slow one."""
    age = (timezone.now() - (gen.submitted_at or gen.created_at)).total_seconds()
    if age < 60:
        return 1.0
    return 3.0 if age < 300 else 10.0


def advance(gen: Generation) -> None:
    """A quiet generation the reconcile loop claimed: ask, ingest, resubmit or give up."""
    give_up_before = timezone.now() - timedelta(seconds=settings.JOBS_GIVE_UP_SECONDS)
    if gen.state == GenState.INGESTING:
        ingest_later(gen.pk)  # its ingest task died or was lost
    elif gen.provider_id:
        generation.apply(gen.pk, replicate.get_prediction(gen.provider_id))
    elif gen.created_at < give_up_before:
        minutes = round(settings.JOBS_GIVE_UP_SECONDS / 60)
        generation.fail(gen, GAVE_UP.format(minutes=minutes))
    elif gen.state == GenState.QUEUED:
        generation.enqueue_submit(gen.pk)  # its task was lost before it ran
    else:
        generation.submit(str(gen.pk))  # a worker died mid-submit


def register() -> None:
    kinds.register(kinds.JobKind(
        name=generation.KIND, model=Generation, active=ACTIVE, queued=GenState.QUEUED,
        parse=replicate.prediction_state, fetch=replicate.get_prediction,
        apply=generation.apply, advance=advance, give_up=generation.fail,
        submit_task=submit_generation, poll_delay=poll_delay,
        scope={"kind": GenKind.PHOTOS},  # previews share the table: studio/preview_jobs.py
    ))
