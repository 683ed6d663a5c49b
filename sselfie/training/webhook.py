"""Replicate's webhook: verified before it is parsed, deduplicated, bound to our own job."""

import logging
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sselfie.engines import replicate
from sselfie.training import services
from sselfie.training.models import Training, WebhookDelivery

log = logging.getLogger(__name__)
HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


@csrf_exempt  # authenticated by its HMAC signature instead
@login_not_required
@require_POST
def replicate_webhook(request: HttpRequest) -> HttpResponse:
    missing = [h for h in HEADERS if not request.headers.get(h)]
    if missing:  # refused before anything else, even before asking Replicate for the secret
        return HttpResponse(f"Invalid webhook: missing {', '.join(missing)}", status=400,
                            content_type="text/plain")
    try:
        payload = _verified_payload(request)
    except replicate.ProviderError as exc:
        # No token, or Replicate unreachable for the secret: a 5xx makes Replicate retry.
        log.warning("Replicate webhook not verifiable now: %s", exc.message)
        return HttpResponse("Cannot verify webhooks right now.", status=503,
                            content_type="text/plain")
    except replicate.WebhookInvalid as exc:
        log.warning("Replicate webhook refused: %s", exc.reason)
        return HttpResponse(f"Invalid webhook: {exc.reason}", status=400,
                            content_type="text/plain")
    apply = _job_for(str(payload.get("id") or ""), payload)
    if apply is None:
        return HttpResponse("Unknown job.", status=404, content_type="text/plain")
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(webhook_id=request.headers["webhook-id"])
            apply()
    except IntegrityError:
        return HttpResponse("Already processed.", content_type="text/plain")
    return HttpResponse("OK", content_type="text/plain")


def _job_for(job_id: str, payload: dict) -> Callable[[], object] | None:
    """Bind the delivery to a job we created, by provider id; the payload owns nothing."""
    from sselfie.studio import generation
    from sselfie.studio.models import Generation

    if not job_id:
        return None
    training = Training.objects.filter(provider_id=job_id).only("pk").first()
    if training is not None:
        return lambda: services.apply(training.pk, replicate.training_state(payload))
    found = Generation.objects.filter(provider_id=job_id).only("pk").first()
    if found is not None:
        return lambda: generation.apply(found.pk, replicate.prediction_state(payload))
    return None


def _verified_payload(request: HttpRequest) -> dict:
    headers = dict(request.headers)
    try:
        return replicate.verify_webhook(headers, request.body, replicate.webhook_secret())
    except replicate.WebhookInvalid as exc:
        # The account's secret may have been rotated since we cached it. Ask Replicate again,
        # but at most every few minutes, so forged deliveries can't make us hammer the API.
        if "signature" not in exc.reason or not cache.add("replicate-secret-refreshed", 1, 300):
            raise
        fresh = replicate.webhook_secret(refresh=True)
        return replicate.verify_webhook(headers, request.body, fresh)
