"""Starting a subscription (hosted Checkout), managing it (the Customer Portal), and taking
the subscription's state on the way back from Checkout, before any webhook arrives."""

from __future__ import annotations

import time

from django.db import IntegrityError, transaction

from sselfie.accounts.models import Plan, Profile, User
from sselfie.billing import entitlement, stripe_api
from sselfie.billing.models import BillingAccount


class CannotBuy(Exception):
    pass


def purchasable(plan: Plan) -> bool:
    return stripe_api.enabled() and not plan.is_free and bool(plan.stripe_price_id)


def offers_for(profile: Profile, plans: list[Plan]) -> set[int]:
    """The plan ids that get an 'Upgrade' button for this person."""
    return {p.pk for p in plans if purchasable(p) and p.is_better_than(profile.plan)}


def account_for(user: User) -> BillingAccount:
    """The person's Stripe customer, created on first use. Two tabs racing make one row;
    the loser's customer stays unused at Stripe, harmless."""
    account = BillingAccount.objects.filter(user=user).first()
    if account is not None and account.customer_id:
        return account
    customer = stripe_api.create_customer(user.email, user.public_id)
    try:
        with transaction.atomic():
            account, _ = BillingAccount.objects.get_or_create(user=user)
            BillingAccount.objects.filter(pk=account.pk, customer_id__isnull=True).update(
                customer_id=customer["id"])
    except IntegrityError:
        pass
    return BillingAccount.objects.get(user=user)


def start(user: User, plan: Plan, success_url: str, cancel_url: str) -> str:
    """Where to send the person's browser: Checkout for a first subscription, the Portal
    (where plans are switched with proration) when they already pay for one."""
    if not purchasable(plan):
        raise CannotBuy(f"{plan.name} can't be bought online.")
    account = account_for(user)
    if account.is_live and account.subscription_id:
        # Our copy may lag (an event on its way): ask Stripe before sending them to the
        # Portal, so a subscription that just ended never blocks buying a new one.
        sub = stripe_api.retrieve_subscription(account.subscription_id)
        entitlement.apply_subscription(account.pk, sub, _now_at_stripe(account), fresh=True)
        account.refresh_from_db()
    if account.is_live and account.subscription_id:
        return stripe_api.create_portal(customer=account.customer_id or "",
                                        return_url=cancel_url)["url"]
    session = stripe_api.create_checkout(
        customer=account.customer_id or "", price=plan.stripe_price_id,
        public_id=user.public_id, success_url=success_url, cancel_url=cancel_url)
    return session["url"]


def portal_url(user: User, return_url: str) -> str:
    account = BillingAccount.objects.filter(user=user, customer_id__isnull=False).first()
    if account is None:
        raise CannotBuy("You have no subscription to manage yet.")
    return stripe_api.create_portal(customer=account.customer_id or "",
                                    return_url=return_url)["url"]


def finish(user: User, session_id: str) -> bool:
    """Back from Checkout: apply the new subscription now, so the limits are in force when
    the page loads (the webhook may come later; applying twice changes nothing)."""
    account = BillingAccount.objects.filter(user=user, customer_id__isnull=False).first()
    if account is None or not session_id.startswith("cs_"):
        return False
    session = stripe_api.retrieve_checkout(session_id)
    if (session.get("customer") != account.customer_id
            or session.get("client_reference_id") != user.public_id
            or session.get("status") != "complete" or not session.get("subscription")):
        return False  # not this person's, or not paid: nothing to apply
    sub = stripe_api.retrieve_subscription(str(session["subscription"]))
    entitlement.apply_subscription(account.pk, sub, _now_at_stripe(account), fresh=True)
    return True


def _now_at_stripe(account: BillingAccount) -> int:
    # Fresh state is at least as new as anything applied so far.
    return max(int(time.time()), account.state_as_of)
