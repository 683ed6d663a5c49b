"""Replicate's webhook: verified before it is parsed, deduplicated, bound to our own job."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sselfie.engines import replicate
from sselfie.jobs import kinds
from sselfie.jobs.inbound import apply_once

log = logging.getLogger(__name__)
HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


def _text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain")


@csrf_exempt  # authenticated by its HMAC signature instead
@login_not_required
@require_POST
def replicate_webhook(request: HttpRequest) -> HttpResponse:
    missing = [h for h in HEADERS if not request.headers.get(h)]
    if missing:  # refused before anything else, even before asking Replicate for the secret
        return _text(f"Invalid webhook: missing {', '.join(missing)}", 400)
    try:
        payload = _verified_payload(request)
    except replicate.WebhookInvalid as exc:
        log.warning("Replicate webhook refused: %s", exc.reason)
        return _text(f"Invalid webhook: {exc.reason}", 400)
    except replicate.ProviderError as exc:
        # No token, or Replicate unreachable for the secret: a 5xx makes Replicate retry.
        log.warning("Replicate webhook not verifiable now: %s", exc.message)
        return _text("Cannot verify webhooks right now.", 503)
    provider_id = payload.get("id")
    job = kinds.find(provider_id) if isinstance(provider_id, str) else None
    if job is None:
        # Not ours (or not ours yet: polling picks up a job whose id we hadn't saved).
        # A 2xx, so Replicate stops retrying something we will never act on.
        return _text("Ignored: no such job.")
    kind, pk = job
    state = kind.parse(payload)
    applied = apply_once("replicate", request.headers["webhook-id"],
                         lambda: kind.apply(pk, state))
    return _text("OK" if applied else "Already processed.")


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
