"""Instant previews as a kind of provider job (registered in StudioConfig.ready): the same
webhook, polling, retries and reconcile as photos and trainings, over Generation rows of
kind "preview". Success, failure, ingest and refunds are the photos' own code."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from sselfie.engines import replicate
from sselfie.jobs import housekeeping, kinds
from sselfie.jobs.retries import GAVE_UP
from sselfie.studio import generation, preview
from sselfie.studio.ingest import ingest_later
from sselfie.studio.jobs import poll_delay
from sselfie.studio.models import ACTIVE, Generation, GenKind, GenState
from sselfie.studio.preview_tasks import submit_preview


def advance(row: Generation) -> None:
    """A quiet preview the reconcile loop claimed: ask, ingest, resubmit or give up."""
    give_up_before = timezone.now() - timedelta(seconds=settings.JOBS_GIVE_UP_SECONDS)
    if row.state == GenState.INGESTING:
        ingest_later(row.pk)
    elif row.provider_id:
        generation.apply(row.pk, replicate.get_prediction(row.provider_id))
    elif row.created_at < give_up_before:
        generation.fail(row, GAVE_UP.format(minutes=round(settings.JOBS_GIVE_UP_SECONDS / 60)))
    elif row.state == GenState.QUEUED:
        preview.enqueue_submit(row.pk)
    else:
        preview.submit(str(row.pk))


def register() -> None:
    kinds.register(kinds.JobKind(
        name=preview.KIND, model=Generation, active=ACTIVE, queued=GenState.QUEUED,
        parse=replicate.prediction_state, fetch=replicate.get_prediction,
        apply=generation.apply, advance=advance, give_up=generation.fail,
        submit_task=submit_preview, poll_delay=poll_delay, scope={"kind": GenKind.PREVIEW},
    ))
    housekeeping.register("preview_references", preview.clear_references, every_seconds=30)
