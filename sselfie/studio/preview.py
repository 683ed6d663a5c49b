"""The instant preview: a first photo of a person within a minute of pressing Train.

While the personal model trains (minutes to half an hour), an official identity model on
Replicate (``PREVIEW_MODEL``, FLUX.2 [pro] by default) makes ``PREVIEW_PHOTOS`` photos from
the person's best selfies, in the category they picked. Official models make one image per
prediction, so a preview is that many Generation rows of kind "preview", one prediction
each: ingest, likeness scores, the gallery, refunds and account deletion treat them like
every other photo. Previews are a job kind of their own (``studio/preview_jobs.py``) on the
same polling, retry, webhook and reconcile plumbing as photos and trainings.

Every step is safe to run twice and claims its row first. Nothing here touches the
training: a preview that fails, is filtered or is skipped leaves the training as it is.
See docs/preview.md for the choices (model, prompt wording, quota, references).
"""

import logging
import secrets
from datetime import datetime, timedelta
from functools import partial
from hashlib import sha256
from uuid import UUID

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from sselfie.accounts.models import Profile
from sselfie.accounts.quota import take_images, today_utc
from sselfie.engines import replicate
from sselfie.jobs import engine, kinds, polling, retries
from sselfie.selfies.models import Selfie
from sselfie.studio import generation
from sselfie.studio.models import GeneratedImage, Generation, GenKind, GenState
from sselfie.studio.preview_prompt import reference_prompt
from sselfie.studio.preview_references import MIN_REFERENCES, best_references
from sselfie.studio.prompts import PromptError
from sselfie.training.models import Training

log = logging.getLogger(__name__)

KIND = "preview"  # its JobKind is registered by studio/preview_jobs.py
DEFAULT_CHOICE = ("portrait", "headshot")
ASPECT_RATIO = "4:5"  # a portrait frame that suits every category and a phone screen
MAX_REFERENCES = 4  # enough for identity; each one is an upload and model input to read

TOO_FEW = (f"No preview this time: it needs at least {MIN_REFERENCES} clear selfies of you. "
           "Your model trains as usual.")
NO_IMAGES = ("No preview this time: today's images are used. Your model trains as usual, and "
             "your first photos can be made once it is ready.")
NO_REFERENCE_INPUT = ("No preview: the preview model ({model}) takes no reference photos. "
                      "Nothing was charged; your model trains as usual.")


class PreviewUnsupported(Exception):
    """The configured model can't make a preview of a person (no image input)."""


def start(training: Training, *, category: str, subcategory: str) -> list[Generation]:
    """Queue the preview that keeps a just-started training company. Call after the
    training is committed; returns the preview rows (none when previews are off)."""
    if not settings.PREVIEW_ENABLED or not engine.configured():
        return []
    if training.personal_model.is_ready:
        return []  # a retrain: the person already has their own model's photos
    user = training.owner
    if len(best_references(user, MAX_REFERENCES)) < MIN_REFERENCES:
        return [_skipped(training, category, subcategory, TOO_FEW)]
    profile = Profile.objects.select_related("plan").get(user=user)
    with transaction.atomic():
        taken = take_images(profile, settings.PREVIEW_PHOTOS)
        if taken is None:
            return [_skipped(training, category, subcategory, NO_IMAGES)]
        day, count = taken
        rows = [
            Generation.objects.create(
                owner=user, kind=GenKind.PREVIEW, training=training,
                version=settings.PREVIEW_MODEL, category=category, subcategory=subcategory,
                aspect_ratio=ASPECT_RATIO, prompt="", seed=secrets.randbelow(2**32),
                requested=1, charged=1, charged_day=day,
            )
            for _ in range(count)
        ]
        for row in rows:
            transaction.on_commit(partial(enqueue_submit, row.pk))
    return rows


def _skipped(training: Training, category: str, subcategory: str, why: str) -> Generation:
    """A preview that was never made, kept so the workspace can say why (nothing charged)."""
    now = timezone.now()
    return Generation.objects.create(
        owner_id=training.owner_id, kind=GenKind.PREVIEW, training=training,
        version=settings.PREVIEW_MODEL, category=category, subcategory=subcategory,
        aspect_ratio=ASPECT_RATIO, prompt="", seed=0, requested=0, charged=0,
        charged_day=today_utc(), state=GenState.FAILED, error=why, completed_at=now,
        references_cleared=True,
    )


def enqueue_submit(preview_id: UUID | str) -> None:
    from sselfie.studio.preview_tasks import submit_preview

    submit_preview.enqueue(str(preview_id))


def submit(preview_id: str) -> None:
    now = timezone.now()
    claimed = Generation.objects.previews().filter(pk=preview_id, state=GenState.QUEUED).update(
        state=GenState.SUBMITTING, submitted_at=now, synced_at=now)
    row = Generation.objects.previews().filter(pk=preview_id).first()
    if row is None:
        return  # its owner was deleted meanwhile
    resumable = row.state == GenState.SUBMITTING and not row.provider_id
    if not claimed and not resumable:
        return
    try:
        remote = _submit(row, resuming=not claimed or row.retries > 0)
    except PreviewUnsupported:
        generation.fail(row, NO_REFERENCE_INPUT.format(model=row.version))
        return
    except PromptError as exc:  # a template an operator edited badly, a profile half-filled
        generation.fail(row, f"No preview: its prompt couldn't be built ({exc}). Nothing was "
                             "charged; your model trains as usual.")
        return
    except replicate.ProviderUnavailable as exc:
        retries.retry_later(kinds.get(KIND), row, exc)
        return
    except replicate.ProviderError as exc:
        generation.fail(row, f"Replicate refused the preview: {exc.message[:200]}. Nothing was "
                             "charged; your model trains as usual.")
        return
    if remote is None:
        return
    generation.apply(row.pk, remote)
    if not remote.terminal:
        polling.start(kinds.get(KIND), row.pk)


def _submit(row: Generation, *, resuming: bool) -> replicate.PredictionState | None:
    inputs = replicate.model_inputs(row.version)
    field = next((f for f in ("input_images", "input_image") if f in inputs), None)
    if field is None:
        raise PreviewUnsupported(row.version)
    most = MAX_REFERENCES if field == "input_images" else 1
    most = min(most, int(inputs[field].get("maxItems") or most))
    since = (row.submitted_at or timezone.now()) - timedelta(minutes=5)
    refs = _upload_references(row, most, resuming=resuming, since=since)
    if refs is None:
        return None  # the row is gone (account deleted): what was uploaded is deleted
    if len(refs) < min(MIN_REFERENCES, most):
        generation.fail(row, TOO_FEW)
        return None
    profile = Profile.objects.get(user_id=row.owner_id)
    prompt = reference_prompt(profile, row.category, row.subcategory, single=field == "input_image")
    urls = [ref["url"] for ref in refs]
    wanted = {
        "prompt": prompt,
        field: urls if field == "input_images" else urls[0],
        "aspect_ratio": row.aspect_ratio,
        "seed": row.seed,  # unique per row, so a rerun can find its own prediction
        "output_format": "jpg",
        "output_quality": 95,
        "safety_tolerance": 2,  # the models' own default
    }
    payload = {name: value for name, value in wanted.items() if name in inputs}
    Generation.objects.filter(pk=row.pk).update(prompt=prompt, input=payload)
    remote = None
    if resuming:  # an earlier run may have created it before it died: look first
        remote = replicate.find_model_prediction(row.version, input=payload, created_after=since)
    remote = remote or replicate.create_model_prediction(row.version, input=payload,
                                                         webhook=engine.webhook_url())
    bound = Generation.objects.filter(pk=row.pk, provider_id__isnull=True).update(
        provider_id=remote.id, state=GenState.PROCESSING, synced_at=timezone.now())
    if not bound and not Generation.objects.filter(pk=row.pk).exists():
        _abandon(remote.id, refs)
        return None
    return remote


def _upload_references(row: Generation, most: int, *, resuming: bool,
                       since: datetime) -> list[dict[str, str]] | None:
    """Upload the best selfies through the Files API (a studio on localhost has no public
    URL for them); each upload is recorded on the row at once, so none is ever lost."""
    refs: list[dict[str, str]] = list(row.references)
    done = {ref.get("selfie") for ref in refs}
    for selfie in best_references(row.owner, most):
        if len(refs) >= most:
            break
        if str(selfie.id) in done:
            continue
        uploaded = _upload(selfie, resuming=resuming, since=since)
        refs.append({"id": uploaded.id, "url": uploaded.url, "selfie": str(selfie.id)})
        if not Generation.objects.filter(pk=row.pk).update(references=refs):
            _abandon(None, refs)
            return None
    return refs


def _upload(selfie: Selfie, *, resuming: bool, since: datetime) -> replicate.UploadedFile:
    with default_storage.open(selfie.image) as fh:
        data = fh.read()
    if resuming:  # the crashed run may have uploaded it already
        found = replicate.find_file(sha256(data).hexdigest(), created_after=since)
        if found is not None:
            return found
    return replicate.upload_file(data, f"reference-{secrets.token_hex(4)}.jpg", "image/jpeg",
                                 metadata={"purpose": "preview reference"})


def _abandon(prediction_id: str | None, refs: list[dict[str, str]]) -> None:
    """The preview's owner was deleted while it was in flight: stop the prediction and
    delete the references we uploaded for it."""
    if prediction_id:
        try:
            replicate.cancel_prediction(prediction_id)
        except replicate.ProviderError as exc:
            log.warning("Preview prediction %s not canceled: %s", prediction_id, exc)
    _delete_files(refs)


def _delete_files(refs: list[dict[str, str]]) -> bool:
    for ref in refs:
        try:
            replicate.delete_file(ref["id"])
        except replicate.ProviderError as exc:
            log.warning("Preview reference %s not deleted yet (%s); retried later", ref["id"],
                        exc)
            return False
    return True


def clear_references() -> int:
    """Housekeeping: a finished preview's reference uploads are deleted at Replicate (they
    would otherwise live 24 hours there). Returns how many previews were cleared."""
    finished = Generation.objects.previews().filter(
        state__in=(GenState.SUCCEEDED, GenState.FAILED), references_cleared=False)
    cleared = 0
    for row in finished:
        if _delete_files(row.references):
            Generation.objects.filter(pk=row.pk).update(references_cleared=True)
            cleared += 1
    return cleared


def pending_reference_ids(user_id: int) -> list[str]:
    """Uploads not yet deleted at Replicate, for account deletion to queue."""
    rows = Generation.objects.previews().filter(owner_id=user_id, references_cleared=False)
    return [ref["id"] for row in rows for ref in row.references if ref.get("id")]


def best_of(images: list[GeneratedImage]) -> float | None:
    scores = [i.likeness for i in images if i.likeness is not None]
    return max(scores) if scores else None
