"""Billing's part of a person's data export: their plan history and payments."""

from __future__ import annotations

from typing import Any

from sselfie.billing.models import BillingAccount, Payment, PlanChange


def billing_history(user: Any) -> dict[str, Any]:
    account = BillingAccount.objects.filter(user=user).first()
    return {
        "plan_history": list(PlanChange.objects.filter(user=user).order_by("created_at").values(
            "created_at", "from_plan", "to_plan", "reason")),
        "subscription": account and {
            "stripe_customer": account.customer_id, "status": account.status,
            "plan": account.paid_plan.name if account.paid_plan else None,
            "renews_or_ends_at": account.period_end,
            "ends_at_period_end": account.cancel_at_period_end,
        },
        "payments": [
            {"paid_at": p.paid_at, "amount": str(p.amount), "currency": p.currency,
             "plan": p.plan.name if p.plan else None, "stripe_invoice": p.invoice_id}
            for p in Payment.objects.filter(account__user=user).select_related("plan")
            .order_by("paid_at")
        ],
    }
