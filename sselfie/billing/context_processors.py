"""The failed-payment banner, on every page of a signed-in person whose renewal failed."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest

from sselfie.billing.models import BillingAccount


def billing(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not settings.STRIPE_SECRET_KEY:
        return {}
    failed = BillingAccount.objects.filter(
        user=user, payment_failed_at__isnull=False).values_list("payment_failed_at",
                                                                flat=True).first()
    if failed is None:
        return {}
    return {"billing_grace_ends": failed + timedelta(days=settings.BILLING_GRACE_DAYS)}
