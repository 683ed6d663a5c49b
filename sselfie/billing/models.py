"""What we know about each person's Stripe subscription, and what it paid.

Stripe is the source of truth for subscriptions; these rows are our copy, kept in step by
the webhook (billing/webhook.py) and the return from Checkout. `Profile.plan` is what the
quotas read; billing/entitlement.py is the only code that moves it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from sselfie.accounts.models import User


class BillingAccount(models.Model):
    """One per person who ever started a checkout: their Stripe customer and subscription."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="billing")
    # Null once Stripe tells us the customer was deleted; a new checkout makes a new one.
    customer_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    subscription_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=30, blank=True, help_text="Stripe's subscription status")
    paid_plan = models.ForeignKey("accounts.Plan", on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+",
                                  help_text="the plan the subscription's price belongs to")
    cancel_at_period_end = models.BooleanField(default=False)
    period_end = models.DateTimeField(null=True, blank=True)
    payment_failed_at = models.DateTimeField(null=True, blank=True)
    # Stripe's `created` (unix seconds) of the newest subscription state applied: an event
    # older than this carries stale state, so the subscription is fetched fresh instead.
    state_as_of = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"Billing of {self.user}"

    @property
    def is_live(self) -> bool:
        """A subscription Stripe still charges (or retries charging)."""
        return self.status in LIVE_STATUSES


LIVE_STATUSES = ("active", "trialing", "past_due")


class Payment(models.Model):
    """A paid invoice: revenue to date, per person and per plan."""

    account = models.ForeignKey(BillingAccount, on_delete=models.CASCADE,
                                related_name="payments")
    invoice_id = models.CharField(max_length=255, unique=True)
    plan = models.ForeignKey("accounts.Plan", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="payments")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    paid_at = models.DateTimeField()

    class Meta:
        ordering = ["-paid_at"]
        indexes = [models.Index(fields=["paid_at"])]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency.upper()} ({self.invoice_id})"


class PlanChange(models.Model):
    """Every move of `Profile.plan`: the history the data export includes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="plan_changes")
    from_plan = models.CharField(max_length=60)
    to_plan = models.CharField(max_length=60)
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.from_plan} → {self.to_plan}"


class StripeCancellation(models.Model):
    """A subscription to cancel at Stripe because its owner deleted their account. Kept
    without a link to the (deleted) user and retried by the sweep until Stripe confirms."""

    subscription_id = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["done_at"], condition=Q(done_at__isnull=True),
                                name="billing_cancel_pending")]

    def __str__(self) -> str:
        return f"Cancel {self.subscription_id}"


class Customer(User):
    """People seen from the money side, for the admin's margin list."""

    class Meta:
        proxy = True
        verbose_name = "customer margin"
        verbose_name_plural = "customer margins"
