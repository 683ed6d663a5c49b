"""The only module that talks to Stripe, through the official SDK.

Returns plain dicts (the SDK's objects turned into JSON-like data), so the rest of billing
reads one shape whether the data came from an API call or a webhook. STRIPE_API_BASE points
the SDK at a stand-in for demos and tests.
"""

from __future__ import annotations

import functools
import time
from typing import Any

import stripe
from django.conf import settings

type Obj = dict[str, Any]


class StripeUnavailable(Exception):
    """Stripe could not be reached or refused the call; the caller decides how to say so."""


def enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


@functools.cache
def _client(key: str, base: str) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": base}, max_network_retries=2)


def client() -> stripe.StripeClient:
    return _client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


def _plain(obj: Any) -> Obj:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _call(fn: Any, *args: Any, **kwargs: Any) -> Obj:
    try:
        return _plain(fn(*args, **kwargs))
    except stripe.StripeError as exc:
        raise StripeUnavailable(exc.user_message or str(exc)) from exc


def create_customer(email: str, public_id: str) -> Obj:
    # Stripe gets the email (for receipts) and our public id, never the profile or photos.
    return _call(client().v1.customers.create,
                 {"email": email, "metadata": {"studio_user": public_id}})


def create_checkout(*, customer: str, price: str, public_id: str, success_url: str,
                    cancel_url: str) -> Obj:
    return _call(client().v1.checkout.sessions.create, {
        "mode": "subscription",
        "customer": customer,
        "client_reference_id": public_id,
        "line_items": [{"price": price, "quantity": 1}],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "subscription_data": {"metadata": {"studio_user": public_id}},
    })


def retrieve_checkout(session_id: str) -> Obj:
    return _call(client().v1.checkout.sessions.retrieve, session_id)


def create_portal(*, customer: str, return_url: str) -> Obj:
    return _call(client().v1.billing_portal.sessions.create,
                 {"customer": customer, "return_url": return_url})


def retrieve_subscription(subscription_id: str) -> Obj:
    return _call(client().v1.subscriptions.retrieve, subscription_id)


def cancel_subscription(subscription_id: str) -> Obj:
    """Cancel at once (account deletion); an already canceled one counts as done."""
    try:
        return _plain(client().v1.subscriptions.cancel(subscription_id))
    except stripe.InvalidRequestError as exc:
        if exc.code == "resource_missing" or "canceled" in str(exc).lower():
            return {"id": subscription_id, "status": "canceled"}
        raise StripeUnavailable(str(exc)) from exc
    except stripe.StripeError as exc:
        raise StripeUnavailable(str(exc)) from exc


class BadSignature(Exception):
    pass


def verified_event(payload: bytes, signature: str) -> Obj:
    """The event, after the SDK checked its signature and timestamp (replays are refused)."""
    try:
        event = client().construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET,
                                         tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as exc:
        raise BadSignature(str(exc)) from None
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        raise BadSignature("signed, but not an event") from None
    # The SDK refuses old timestamps only; one from the future is no fresher proof.
    stamps = [value for key, _, value in (item.partition("=") for item in signature.split(","))
              if key == "t" and value.isdigit()]
    if not stamps or int(stamps[0]) > time.time() + settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS:
        raise BadSignature("timestamp in the future")
    return _plain(event)
