"""Time-driven billing work, registered as housekeeping chores of the reconcile loop:

- a canceled subscription's paid plan ends at the period's end, and a failed renewal's
  grace period runs out, even if Stripe's `customer.subscription.deleted` never arrives;
- subscriptions of deleted accounts are canceled at Stripe, retried until Stripe confirms.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from sselfie.accounts.models import Plan
from sselfie.billing import entitlement, stripe_api
from sselfie.billing.models import BillingAccount, StripeCancellation

log = logging.getLogger(__name__)


def end_lapsed_plans() -> int:
    """Move people whose paid time is over to the default plan; returns how many moved."""
    now = timezone.now()
    grace = timedelta(days=settings.BILLING_GRACE_DAYS)
    lapsed = BillingAccount.objects.filter(
        Q(cancel_at_period_end=True, period_end__lte=now)
        | Q(payment_failed_at__lte=now - grace)
    ).exclude(user__profile__plan=Plan.default())
    moved = 0
    for account in lapsed.only("pk"):
        if entitlement.settle(account.pk, reason="paid period ended").is_default:
            moved += 1
    return moved


def send_cancellations() -> int:
    if not stripe_api.enabled():
        return 0
    done = 0
    for item in StripeCancellation.objects.filter(done_at__isnull=True).order_by("created_at"):
        try:
            stripe_api.cancel_subscription(item.subscription_id)
        except stripe_api.StripeUnavailable as exc:
            StripeCancellation.objects.filter(pk=item.pk).update(
                attempts=F("attempts") + 1, last_error=str(exc)[:500])
            log.warning("Stripe cancellation of %s not done yet: %s", item.subscription_id, exc)
            continue
        StripeCancellation.objects.filter(pk=item.pk).update(
            attempts=F("attempts") + 1, last_error="", done_at=timezone.now())
        done += 1
    return done

