"""Standard Webhooks verification (https://www.standardwebhooks.com), as Replicate signs.

The HMAC, the constant-time comparison and the ±5 minute window are the ``standardwebhooks``
library's. Around it we keep what the library leaves to its caller: typed errors with a
reason we can log, a strict header check before any work (the library would turn a
5,000-digit timestamp into a float, or crash on a signature without a comma), a secret that
is validated as our configuration, and a body that must be a JSON object.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from sselfie.engines.errors import NotConfigured, WebhookInvalid

SECRET_PREFIX = "whsec_"  # noqa: S105 -- a prefix, not a secret
# Whole seconds since 1970, no sign, no fraction: 11 digits reach the year 5138.
_TIMESTAMP = re.compile(r"[0-9]{1,11}")
_SIGNATURE = re.compile(r"v1,[A-Za-z0-9+/]+={0,2}")
_MAX_SIGNATURES = 10  # key rotation sends two; more is noise we won't hash


def secret_bytes(secret: str) -> bytes:
    """The HMAC key: the base64 part of ``whsec_…``; the prefix is optional."""
    raw = secret.strip().removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        # A bad secret is our misconfiguration, not a bad delivery: say so loudly.
        raise NotConfigured("The webhook signing secret is not valid base64.") from None
    if not key:
        raise NotConfigured("The webhook signing secret is empty.")
    return key


def verify_webhook(headers: Mapping[str, str], body: bytes, secret: str) -> dict[str, Any]:
    """Verify a delivery and return its parsed JSON object.

    Raises ``WebhookInvalid`` for a missing header, a timestamp that is not a whole number of
    seconds or is more than 5 minutes off, no matching ``v1`` signature, or a body that is
    not a JSON object. Any one of several space-separated signatures may match.
    """
    lowered = {key.lower(): value for key, value in headers.items()}
    msg_id = lowered.get("webhook-id", "").strip()
    stamp = lowered.get("webhook-timestamp", "").strip()
    signatures = lowered.get("webhook-signature", "").strip()
    for name, value in (("webhook-id", msg_id), ("webhook-timestamp", stamp),
                        ("webhook-signature", signatures)):
        if not value:
            raise WebhookInvalid(f"missing {name} header")
    if not _TIMESTAMP.fullmatch(stamp):
        raise WebhookInvalid("webhook-timestamp is not a whole number of seconds")
    wellformed = [sig for sig in signatures.split()[:_MAX_SIGNATURES] if _SIGNATURE.fullmatch(sig)]
    if not wellformed:
        raise WebhookInvalid("no valid signature")
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise WebhookInvalid("no valid signature") from None  # we never sign non-UTF-8
    checked = {"webhook-id": msg_id, "webhook-timestamp": stamp,
               "webhook-signature": " ".join(wellformed)}
    try:
        Webhook(secret_bytes(secret)).verify(text, checked, json_parse=False)
    except WebhookVerificationError as exc:
        window = "timestamp" in str(exc).lower()
        raise WebhookInvalid("webhook-timestamp is outside the allowed window" if window
                             else "no valid signature") from None
    except (ValueError, OverflowError):  # belt and braces: never a 500 for a header
        raise WebhookInvalid("no valid signature") from None
    try:
        payload = json.loads(text)
    except ValueError:
        raise WebhookInvalid("body is not JSON") from None
    if not isinstance(payload, dict):
        raise WebhookInvalid("body is not a JSON object")
    return payload
