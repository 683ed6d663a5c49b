"""Which plan a person is entitled to, from what Stripe says about their subscription.

The only code that moves `Profile.plan` for billing. Every caller (webhook, return from
Checkout, the period-end sweep) goes through `apply_subscription` or `settle`, which lock
the account row, so any number of deliveries in any order converge on one state, and each
actual change is recorded and emailed once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sselfie.accounts.models import Plan, Profile
from sselfie.billing.models import LIVE_STATUSES, BillingAccount, PlanChange

log = logging.getLogger(__name__)


def _when(stamp: object) -> datetime | None:
    return datetime.fromtimestamp(stamp, UTC) if isinstance(stamp, int) else None


def subscription_fields(sub: dict[str, Any]) -> dict[str, Any]:
    """Our columns from a Stripe subscription object. Since API version 2025-03-31 the
    billing period lives on the subscription items; older objects carry it at the top."""
    items = (sub.get("items") or {}).get("data") or []
    item = items[0] if items else {}
    price = (item.get("price") or {}).get("id", "")
    period_end = item.get("current_period_end", sub.get("current_period_end"))
    return {
        "subscription_id": sub.get("id", ""),
        "status": sub.get("status", ""),
        "paid_plan": Plan.objects.filter(stripe_price_id=price).first() if price else None,
        "cancel_at_period_end": bool(sub.get("cancel_at_period_end")
                                     or sub.get("cancel_at")),
        "period_end": _when(sub.get("cancel_at")) or _when(period_end),
    }


def entitled_plan(account: BillingAccount, now: datetime | None = None) -> Plan:
    """The subscription's plan while it is paid for (or within the grace period after a
    failed renewal, or until the end of a canceled period); the default plan otherwise."""
    now = now or timezone.now()
    plan = account.paid_plan
    if plan is None or account.status not in LIVE_STATUSES:
        return Plan.default()
    if account.cancel_at_period_end and account.period_end and account.period_end <= now:
        return Plan.default()
    if account.status == "past_due" or account.payment_failed_at:
        failed = account.payment_failed_at or now
        if now >= failed + timedelta(days=settings.BILLING_GRACE_DAYS):
            return Plan.default()
    return plan


def apply_subscription(account_id: int, sub: dict[str, Any], as_of: int, *,
                       fresh: bool = False) -> bool:
    """Take a subscription's state as of Stripe time `as_of`; returns False when we already
    know newer state (the caller then fetches it fresh, unless it just did: `fresh`)."""
    with transaction.atomic():
        account = BillingAccount.objects.select_for_update().get(pk=account_id)
        if not fresh and as_of <= account.state_as_of:
            return False
        fields = subscription_fields(sub)
        if (account.subscription_id and fields["subscription_id"] != account.subscription_id
                and account.is_live and fields["status"] not in LIVE_STATUSES):
            # An old subscription ending must not end the one that replaced it.
            log.info("Ignoring %s of replaced subscription %s", fields["status"],
                     fields["subscription_id"])
            return True
        for name, value in fields.items():
            setattr(account, name, value)
        if fields["status"] == "active":
            account.payment_failed_at = None  # paid again: the banner goes
        account.state_as_of = max(as_of, account.state_as_of)
        account.save()
        settle_locked(account, reason=_reason(account))
    return True


def _reason(account: BillingAccount) -> str:
    if account.status not in LIVE_STATUSES:
        return f"subscription {account.status or 'ended'}"
    if account.cancel_at_period_end:
        return "subscription canceled; paid until the end of the period"
    return f"subscription {account.status}"


def settle(account_id: int, reason: str) -> Plan:
    """Recompute the plan for the time now (period ended, grace over)."""
    with transaction.atomic():
        account = BillingAccount.objects.select_for_update().get(pk=account_id)
        return settle_locked(account, reason)


def settle_locked(account: BillingAccount, reason: str) -> Plan:
    """Point the profile at the entitled plan; call with the account row locked."""
    plan = entitled_plan(account)
    return move_profile(account.user_id, plan, reason)


def move_profile(user_id: int, plan: Plan, reason: str) -> Plan:
    profile = Profile.objects.select_for_update().select_related("plan").get(user_id=user_id)
    if profile.plan_id == plan.pk:
        return plan
    old = profile.plan
    Profile.objects.filter(pk=profile.pk).update(plan=plan)
    PlanChange.objects.create(user_id=user_id, from_plan=old.name, to_plan=plan.name,
                              reason=reason[:200])
    from sselfie.billing.emails import send_plan_changed

    transaction.on_commit(lambda: send_plan_changed(user_id, old.pk, plan.pk))
    return plan
