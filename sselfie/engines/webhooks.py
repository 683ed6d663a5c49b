"""Standard Webhooks verification (https://www.standardwebhooks.com), as Replicate signs.

Pure functions, no I/O. The signature is checked over the raw bytes *before* the body
is parsed, so a forged body is never even decoded.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from sselfie.engines.errors import NotConfigured, WebhookInvalid

SECRET_PREFIX = "whsec_"  # noqa: S105 -- a prefix, not a secret
# Standard Webhooks' norm; Replicate publishes no tolerance of its own.
DEFAULT_TOLERANCE_S = 300


def secret_bytes(secret: str) -> bytes:
    """The HMAC key: the base64 part of ``whsec_…``; the prefix is optional."""
    raw = secret.strip()
    if raw.startswith(SECRET_PREFIX):
        raw = raw[len(SECRET_PREFIX) :]
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        # A bad secret is our misconfiguration, not a bad delivery: say so loudly.
        raise NotConfigured("The webhook signing secret is not valid base64.") from None
    if not key:
        raise NotConfigured("The webhook signing secret is empty.")
    return key


def sign(msg_id: str, timestamp: int | str, body: bytes, secret: str) -> str:
    """The ``webhook-signature`` value (one ``v1,`` signature) for a delivery."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify_webhook(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    *,
    now: float | None = None,
    tolerance: int = DEFAULT_TOLERANCE_S,
) -> dict[str, Any]:
    """Verify a delivery and return its parsed JSON object.

    Raises ``WebhookInvalid`` for a missing header, a non-numeric or out-of-window
    timestamp (more than ``tolerance`` seconds in the past or the future), no matching
    ``v1`` signature, or a body that is not a JSON object. Any one of several
    space-separated signatures may match (secret rotation sends two).
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    msg_id = lowered.get("webhook-id", "").strip()
    stamp = lowered.get("webhook-timestamp", "").strip()
    signatures = lowered.get("webhook-signature", "").strip()
    if not msg_id:
        raise WebhookInvalid("missing webhook-id header")
    if not stamp:
        raise WebhookInvalid("missing webhook-timestamp header")
    if not signatures:
        raise WebhookInvalid("missing webhook-signature header")
    if not stamp.isascii() or not stamp.isdigit():
        raise WebhookInvalid("webhook-timestamp is not a whole number of seconds")
    current = time.time() if now is None else now
    if abs(current - int(stamp)) > tolerance:
        raise WebhookInvalid("webhook-timestamp is outside the allowed window")

    content = f"{msg_id}.{stamp}.".encode() + body
    expected = hmac.new(secret_bytes(secret), content, hashlib.sha256).digest()
    if not any(_matches(candidate, expected) for candidate in signatures.split()):
        raise WebhookInvalid("no valid signature")

    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise WebhookInvalid("body is not JSON") from None
    if not isinstance(payload, dict):
        raise WebhookInvalid("body is not a JSON object")
    return payload


def _matches(candidate: str, expected: bytes) -> bool:
    version, _, encoded = candidate.partition(",")
    if version != "v1" or not encoded:
        return False
    try:
        given = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return False
    return hmac.compare_digest(given, expected)
