"""Billing's part of deleting an account: the subscription is canceled at Stripe.

Queued as a StripeCancellation row in the same transaction as the deletion and sent at
once after commit; the reconcile loop's sweep retries it until Stripe confirms, so a person
is never charged again for an account that no longer exists, even if Stripe is down.
"""

from __future__ import annotations

from django.db import transaction

from sselfie.accounts.models import User
from sselfie.billing.models import BillingAccount, StripeCancellation


def cancel_subscription_of(user: User) -> None:
    account = BillingAccount.objects.filter(user=user).first()
    if account is None or not account.subscription_id or account.status in (
            "canceled", "incomplete_expired"):
        return
    StripeCancellation.objects.get_or_create(subscription_id=account.subscription_id)

    def send_now() -> None:
        from sselfie.billing.sweep import send_cancellations

        send_cancellations()
    transaction.on_commit(send_now)
