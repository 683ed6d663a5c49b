"""Creating photos: take quota, submit the prediction, apply what Replicate says, refund.

Like training, every step claims its row with a conditional UPDATE and is safe to repeat.
Quota is charged up front for the images asked for and the difference is refunded, exactly
once, when we know how many were delivered.
"""

import dataclasses
import logging
import secrets
from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from sselfie.accounts.models import Profile, User
from sselfie.accounts.quota import give_back_images, next_utc_midnight, take_images
from sselfie.engines import replicate
from sselfie.jobs import engine, kinds, polling, retries
from sselfie.studio.generation_settings import DEFAULTS, SettingsError, prediction_input
from sselfie.studio.models import ACTIVE, Generation, GenState, PromptTemplate
from sselfie.studio.prompts import build_prompt
from sselfie.training.models import PersonalModel

log = logging.getLogger(__name__)

KIND = "generation"  # its JobKind is registered by studio/jobs.py
ABORTED = ("Replicate was too busy to start these photos in time, so they were never made. "
           "Nothing was charged; try again.")


class CannotGenerate(Exception):
    """Why no photos can be created now, in words for the person; `reason` picks the page's
    next step: "no_model" leads to training, "limit" to the plans."""

    def __init__(self, message: str, *, reason: str, resets_at: datetime | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.resets_at = resets_at


def create(user: User, model: PersonalModel, *, category: str, subcategory: str,
           aspect_ratio: str) -> Generation:
    _check_can_generate(model)
    profile = Profile.objects.select_related("plan").get(user=user)
    return _charge_and_queue(
        profile, model, category=category, subcategory=subcategory, aspect_ratio=aspect_ratio,
        prompt=prompt_for(profile, model, category, subcategory), count=DEFAULTS.num_outputs,
    )


def prompt_for(profile: Profile, model: PersonalModel, category: str, subcategory: str) -> str:
    row = PromptTemplate.objects.filter(category=category, subcategory=subcategory).first()
    return build_prompt(
        trigger=model.trigger_word, category=category, subcategory=subcategory,
        style=profile.style, descriptor=profile.descriptor, industry=profile.industry,
        industry_other=profile.industry_other, template=row.template if row else None,
    )


def more_like(generation: Generation) -> Generation:
    """"Create more like this": the same prompt and settings, a new seed."""
    model = _check_can_generate(generation.personal_model)
    profile = Profile.objects.select_related("plan").get(user=generation.owner)
    return _charge_and_queue(
        profile, model, category=generation.category,
        subcategory=generation.subcategory, aspect_ratio=generation.aspect_ratio,
        prompt=generation.prompt, count=DEFAULTS.num_outputs,
    )


def _check_can_generate(model: PersonalModel | None) -> PersonalModel:
    if not engine.configured():
        raise CannotGenerate("Creating photos is switched off: this studio has no Replicate "
                             "token.", reason="off")
    if model is None or not model.is_ready:
        raise CannotGenerate("Your personal model isn't trained yet.", reason="no_model")
    return model


def _charge_and_queue(profile: Profile, model: PersonalModel, *, category: str,
                      subcategory: str, aspect_ratio: str, prompt: str,
                      count: int) -> Generation:
    """Take up to `count` images from today's quota and create the job in one transaction;
    the submit task is queued only once both are committed. When fewer than `count` are
    left, the job asks for what is left, so the last images of a day are never stranded."""
    with transaction.atomic():
        taken = take_images(profile, count)
        if taken is None:
            raise CannotGenerate(
                f"You've created today's {profile.plan.images_per_day} images.",
                reason="limit", resets_at=next_utc_midnight(),
            )
        day, count = taken
        generation = Generation.objects.create(
            owner_id=profile.user_id, personal_model=model, version=model.version,
            category=category, subcategory=subcategory, aspect_ratio=aspect_ratio,
            prompt=prompt, seed=secrets.randbelow(2**32), requested=count, charged=count,
            charged_day=day,
        )
        PersonalModel.objects.filter(pk=model.pk).update(last_used_at=timezone.now())
        transaction.on_commit(lambda: enqueue_submit(generation.pk))
    return generation


def enqueue_submit(generation_id: UUID | str) -> None:
    from sselfie.studio.tasks import submit_generation

    submit_generation.enqueue(str(generation_id))


def submit(generation_id: str) -> None:
    now = timezone.now()
    claimed = Generation.objects.filter(pk=generation_id, state=GenState.QUEUED).update(
        state=GenState.SUBMITTING, submitted_at=now, synced_at=now
    )
    generation = Generation.objects.select_related("personal_model").get(pk=generation_id)
    resumable = generation.state == GenState.SUBMITTING and not generation.provider_id
    if not claimed and not resumable:
        return
    if generation.personal_model is None:
        fail(generation, "Your personal model was deleted, so these photos can't be made.")
        return
    try:
        # A retry, like a resumed run, looks up what an earlier try may have created.
        remote = _submit(generation, resuming=not claimed or generation.retries > 0)
    except SettingsError as exc:
        fail(generation, f"Your model's version doesn't accept our settings ({exc}). Retrain "
                         "your model, or contact us.")
        return
    except replicate.ProviderUnavailable as exc:
        retries.retry_later(kinds.get(KIND), generation, exc)
        return
    except replicate.ProviderError as exc:
        fail(generation, f"Replicate refused the request: {exc.message[:200]}")
        return
    apply(generation.pk, remote)
    if not remote.terminal:
        polling.start(kinds.get(KIND), generation.pk)


def _submit(generation: Generation, *, resuming: bool) -> replicate.PredictionState:
    model = generation.personal_model
    if model is None:  # checked by submit(); deleted meanwhile, the provider call says so
        raise replicate.ProviderRejected("The personal model was deleted.")
    accepted = replicate.version_input_names(model.replicate_owner, model.replicate_name,
                                             generation.version.rpartition(":")[2])
    # The seed stored on the row makes the input unique, so a rerun can find its prediction.
    chosen = dataclasses.replace(DEFAULTS, num_outputs=generation.requested)
    payload = prediction_input(generation.prompt, aspect_ratio=generation.aspect_ratio,
                               seed=generation.seed, accepted=set(accepted), settings=chosen)
    Generation.objects.filter(pk=generation.pk).update(input=payload)
    version_id = generation.version.rpartition(":")[2]
    remote = None
    if resuming:  # an earlier run may have created it before it died: look before creating
        since = (generation.submitted_at or timezone.now()) - timedelta(minutes=5)
        remote = replicate.find_prediction(version_id=version_id, input=payload,
                                           created_after=since)
    remote = remote or replicate.create_prediction(version_id=version_id, input=payload,
                                                   webhook=engine.webhook_url())
    Generation.objects.filter(pk=generation.pk, provider_id__isnull=True).update(
        provider_id=remote.id, state=GenState.PROCESSING, synced_at=timezone.now()
    )
    return remote


def apply(generation_id: UUID | str, remote: replicate.PredictionState) -> None:
    """Act on the provider's word: finished outputs go to ingest (once), failures refund."""
    now = timezone.now()
    if remote.status in ("starting", "processing", "unknown"):  # unknown: logged; poll on
        Generation.objects.filter(pk=generation_id, state__in=ACTIVE).update(synced_at=now)
        return
    generation = Generation.objects.get(pk=generation_id)
    generation.record_cost(remote.metrics.get("predict_time"))
    if remote.status == "succeeded":
        claimed = Generation.objects.filter(
            pk=generation_id, state__in=(GenState.SUBMITTING, GenState.PROCESSING)
        ).update(state=GenState.INGESTING, synced_at=now, outputs=list(remote.output_urls),
                 predict_seconds=remote.metrics.get("predict_time"))
        if claimed:
            from sselfie.studio.ingest import ingest_later

            transaction.on_commit(lambda: ingest_later(generation.pk))
        return
    if remote.nsfw:
        fail(generation, "The safety filter held back all the photos, so nothing was "
                         "charged. Try another subcategory, or simply try again.")
    elif remote.status == "canceled":
        fail(generation, "This request was canceled. Nothing was charged.")
    elif remote.status == "aborted":
        fail(generation, ABORTED)
    else:
        fail(generation, "Replicate couldn't create these photos"
                         f"{': ' + remote.error[:200] if remote.error else ''}. "
                         "Nothing was charged; try again.")


def fail(generation: Generation, message: str) -> None:
    """End a generation that delivered nothing and give back every image it took."""
    now = timezone.now()
    with transaction.atomic():
        ended = Generation.objects.filter(pk=generation.pk, state__in=ACTIVE).update(
            state=GenState.FAILED, error=message, completed_at=now, synced_at=now
        )
        if ended:
            refund(generation.pk, generation.charged)


def refund(generation_id: UUID | str, count: int) -> None:
    """Give back `count` images, once per generation whatever the callers."""
    generation = Generation.objects.get(pk=generation_id)
    if count <= 0:
        return
    once = Generation.objects.filter(pk=generation_id, refunded=0).update(refunded=count)
    if once:
        profile_id = Profile.objects.filter(user_id=generation.owner_id).values_list(
            "pk", flat=True
        ).get()
        give_back_images(profile_id, generation.charged_day, count)
