"""Stripe's webhook: verified by the SDK (signature and timestamp) before anything is read,
deduplicated by event id, applied idempotently and in any order.

Order: Stripe does not deliver events in order. Subscription state is taken from the
subscription object itself, never from the event type; an event no newer than what we
already applied has its subscription fetched fresh from Stripe instead. So a late
`checkout.session.completed` after `customer.subscription.updated` changes nothing twice.

Deliveries are deduplicated in the jobs home's inbound table (source "stripe"), the same
one Replicate's webhooks use.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sselfie.billing import entitlement, stripe_api
from sselfie.billing.models import BillingAccount, Payment
from sselfie.jobs.inbound import apply_once, seen

log = logging.getLogger(__name__)
HANDLED = frozenset({
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
    "customer.deleted",
})
MAX_BODY = 256 * 1024  # Stripe's events are a few kB; anything this big is not from Stripe


def _text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain")


@csrf_exempt  # authenticated by its signature instead
@login_not_required
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    signature = request.headers.get("Stripe-Signature", "")
    if not signature:
        return _text("Invalid webhook: missing Stripe-Signature", 400)
    if not stripe_api.enabled():
        return _text("Billing is off.", 404)
    if int(request.headers.get("Content-Length") or 0) > MAX_BODY:
        return _text("Invalid webhook: too large", 413)
    try:
        event = stripe_api.verified_event(request.body, signature)
    except stripe_api.BadSignature as exc:
        log.warning("Stripe webhook refused: %s", exc)
        return _text("Invalid webhook: bad signature, timestamp or body", 400)
    event_id, kind = str(event.get("id") or ""), str(event.get("type") or "")
    created = event.get("created")
    obj = (event.get("data") or {}).get("object")
    if not event_id or not isinstance(created, int) or not isinstance(obj, dict):
        return _text("Invalid webhook: not an event", 400)
    if seen("stripe", event_id):
        return _text("Already processed.")
    try:
        work = _prepare(kind, obj, created)
    except stripe_api.StripeUnavailable as exc:
        # Nothing recorded: a 5xx makes Stripe deliver it again later.
        log.warning("Stripe event %s not applied yet: %s", event_id, exc)
        return _text("Cannot apply this event right now.", 503)
    if not apply_once("stripe", event_id, work or (lambda: None)):
        return _text("Already processed.")
    return _text("OK" if kind in HANDLED else "Ignored: not an event the studio uses.")


type Work = Any  # a callable run inside the event's transaction, or None


def _prepare(kind: str, obj: dict[str, Any], created: int) -> Work:
    """Everything that may call Stripe happens here, before the transaction opens."""
    if kind not in HANDLED:
        return None
    customer = obj.get("id") if kind == "customer.deleted" else obj.get("customer")
    account = BillingAccount.objects.filter(customer_id=customer).first() if isinstance(
        customer, str) and customer else None
    if account is None:
        log.info("Stripe %s for a customer we don't know (%r): ignored", kind, customer)
        return None
    if kind == "customer.deleted":
        return lambda: _customer_deleted(account.pk)
    if kind.startswith("customer.subscription."):
        return _subscription_work(account, obj, created)
    if kind == "checkout.session.completed":
        if obj.get("client_reference_id") != account.user.public_id:
            log.warning("Checkout %s: customer and client_reference_id disagree", obj.get("id"))
            return None
        sub_id = obj.get("subscription")
        if not isinstance(sub_id, str) or not sub_id:
            return None
        return _subscription_work(account, {"id": sub_id}, created, fetch=True)
    # invoice.paid / invoice.payment_failed: the subscription's status moves with them.
    sub_id = _invoice_subscription(obj)
    sync = _subscription_work(account, {"id": sub_id}, created, fetch=True) if sub_id else None

    def invoice() -> None:
        if kind == "invoice.paid":
            _record_payment(account, obj)
        else:
            _payment_failed(account.pk)
        if sync is not None:
            sync()
    return invoice


def _subscription_work(account: BillingAccount, sub: dict[str, Any], created: int, *,
                       fetch: bool = False) -> Work:
    """Apply the event's copy of the subscription if it is newer than what we know, else
    (or when the event carries only an id) the copy Stripe has now."""
    fresh = fetch or created <= account.state_as_of
    if fresh:
        sub = stripe_api.retrieve_subscription(str(sub.get("id")))

    def run() -> None:
        if not entitlement.apply_subscription(account.pk, sub, created, fresh=fresh):
            # A newer event won the race while we were here: take Stripe's state now.
            latest = stripe_api.retrieve_subscription(str(sub.get("id")))
            entitlement.apply_subscription(account.pk, latest, created, fresh=True)
    return run


def _invoice_subscription(invoice: dict[str, Any]) -> str:
    """Where the invoice names its subscription: `parent.subscription_details` since API
    version 2025-03-31, the top-level `subscription` before."""
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    found = details.get("subscription") or invoice.get("subscription") or ""
    return found if isinstance(found, str) else str(found.get("id", ""))


def _record_payment(account: BillingAccount, invoice: dict[str, Any]) -> None:
    invoice_id = str(invoice.get("id") or "")
    amount = invoice.get("amount_paid")
    if not invoice_id or not isinstance(amount, int):
        return
    paid_at = ((invoice.get("status_transitions") or {}).get("paid_at")
               or invoice.get("created"))
    currency = str(invoice.get("currency") or "usd")[:3]
    # Zero-decimal currencies (yen) are whole units at Stripe; the rest are cents.
    unit = Decimal(1) if currency in ZERO_DECIMAL else Decimal(100)
    Payment.objects.get_or_create(invoice_id=invoice_id, defaults={
        "account": account, "plan": account.paid_plan, "amount": Decimal(amount) / unit,
        "currency": currency,
        "paid_at": datetime.fromtimestamp(paid_at, UTC) if isinstance(paid_at, int)
        else timezone.now(),
    })
    BillingAccount.objects.filter(pk=account.pk).update(payment_failed_at=None)


ZERO_DECIMAL = frozenset({"jpy", "krw", "vnd", "clp", "pyg", "xaf", "xof", "ugx", "rwf"})


def _payment_failed(account_id: int) -> None:
    now = timezone.now()
    first = BillingAccount.objects.filter(pk=account_id, payment_failed_at__isnull=True).update(
        payment_failed_at=now)
    if first:  # one email per run of failures, however many retries Stripe makes
        from sselfie.billing.emails import send_payment_failed

        user_id = BillingAccount.objects.values_list("user_id", flat=True).get(pk=account_id)
        grace_ends = now + timedelta(days=settings.BILLING_GRACE_DAYS)
        transaction.on_commit(lambda: send_payment_failed(user_id, grace_ends))


def _customer_deleted(account_id: int) -> None:
    account = BillingAccount.objects.select_for_update().get(pk=account_id)
    account.customer_id = None
    account.subscription_id = ""
    account.status = "canceled"
    account.cancel_at_period_end = False
    account.save()
    entitlement.settle_locked(account, reason="customer deleted at Stripe")
