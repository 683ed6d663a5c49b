"""Creating photos: take quota, submit the prediction, apply what Replicate says, refund.

Like training, every step claims its row with a conditional UPDATE and is safe to repeat.
Quota is charged up front for the images asked for and the difference is refunded, exactly
once, when we know how many were delivered.
"""

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sselfie.accounts.models import Profile, User
from sselfie.accounts.quota import give_back_images, next_utc_midnight, take_images
from sselfie.engines import replicate
from sselfie.studio.generation_settings import DEFAULTS, SettingsError, prediction_input
from sselfie.studio.models import GEN_ACTIVE, Generation, GenState, PromptTemplate
from sselfie.studio.prompts import build_prompt
from sselfie.training.models import PersonalModel
from sselfie.training.services import webhook_url

log = logging.getLogger(__name__)


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
    _check_can_generate(generation.personal_model)
    profile = Profile.objects.select_related("plan").get(user=generation.owner)
    return _charge_and_queue(
        profile, generation.personal_model, category=generation.category,
        subcategory=generation.subcategory, aspect_ratio=generation.aspect_ratio,
        prompt=generation.prompt, count=generation.requested,
    )


def _check_can_generate(model: PersonalModel | None) -> None:
    if not settings.REPLICATE_API_TOKEN:
        raise CannotGenerate("Creating photos is switched off: this studio has no Replicate "
                             "token.", reason="off")
    if model is None or not model.is_ready:
        raise CannotGenerate("Your personal model isn't trained yet.", reason="no_model")


def _charge_and_queue(profile: Profile, model: PersonalModel, *, category: str,
                      subcategory: str, aspect_ratio: str, prompt: str,
                      count: int) -> Generation:
    """Take `count` images from today's quota and create the job in one transaction; the
    submit task is queued only once both are committed."""
    with transaction.atomic():
        day = take_images(profile, count)
        if day is None:
            raise CannotGenerate(
                f"You've created today's {profile.plan.images_per_day} images.",
                reason="limit", resets_at=next_utc_midnight(),
            )
        generation = Generation.objects.create(
            owner_id=profile.user_id, personal_model=model, version=model.version,
            category=category, subcategory=subcategory, aspect_ratio=aspect_ratio,
            prompt=prompt, seed=secrets.randbelow(2**32), requested=count, charged=count,
            charged_day=day,
        )
        PersonalModel.objects.filter(pk=model.pk).update(last_used_at=timezone.now())
        transaction.on_commit(lambda: enqueue_submit(generation.pk))
    return generation


def enqueue_submit(generation_id: object) -> None:
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
        remote = _submit(generation, resuming=not claimed)
    except SettingsError as exc:
        fail(generation, f"Your model's version doesn't accept our settings ({exc}). Retrain "
                         "your model, or contact us.")
        return
    except replicate.ProviderError as exc:
        if exc.permanent:
            fail(generation, f"Replicate refused the request: {exc.message[:200]}")
            return
        raise  # transient: the reconcile loop resubmits, finding what was created
    apply(generation.pk, remote)


def _submit(generation: Generation, *, resuming: bool) -> replicate.PredictionState:
    model = generation.personal_model
    accepted = replicate.version_input_names(model.replicate_owner, model.replicate_name,
                                             generation.version.rpartition(":")[2])
    # The seed stored on the row makes the input unique, so a rerun can find its prediction.
    payload = prediction_input(generation.prompt, aspect_ratio=generation.aspect_ratio,
                               seed=generation.seed, accepted=set(accepted))
    Generation.objects.filter(pk=generation.pk).update(input=payload)
    version_id = generation.version.rpartition(":")[2]
    remote = None
    if resuming:  # an earlier run may have created it before it died: look before creating
        since = (generation.submitted_at or timezone.now()) - timedelta(minutes=5)
        remote = replicate.find_prediction(version_id=version_id, input=payload,
                                           created_after=since)
    remote = remote or replicate.create_prediction(version_id=version_id, input=payload,
                                                   webhook=webhook_url())
    Generation.objects.filter(pk=generation.pk, provider_id__isnull=True).update(
        provider_id=remote.id, state=GenState.PROCESSING, synced_at=timezone.now()
    )
    return remote


def apply(generation_id: object, remote: replicate.PredictionState) -> None:
    """Act on the provider's word: finished outputs go to ingest (once), failures refund."""
    now = timezone.now()
    if remote.status in ("starting", "processing"):
        Generation.objects.filter(pk=generation_id, state__in=GEN_ACTIVE).update(synced_at=now)
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
    else:
        fail(generation, "Replicate couldn't create these photos"
                         f"{': ' + remote.error[:200] if remote.error else ''}. "
                         "Nothing was charged; try again.")


def fail(generation: Generation, message: str) -> None:
    """End a generation that delivered nothing and give back every image it took."""
    now = timezone.now()
    with transaction.atomic():
        ended = Generation.objects.filter(pk=generation.pk, state__in=GEN_ACTIVE).update(
            state=GenState.FAILED, error=message, completed_at=now, synced_at=now
        )
        if ended:
            refund(generation.pk, generation.charged)


def refund(generation_id: object, count: int) -> None:
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
