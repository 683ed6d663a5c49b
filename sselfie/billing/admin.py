"""Billing in the operations admin: plans with their 30-day margin, each person's plan,
subscription, revenue and provider cost, and the raw Stripe records (read-only)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from sselfie.accounts.admin import PlanAdmin
from sselfie.accounts.models import Plan, User
from sselfie.billing import margin
from sselfie.billing.models import (
    BillingAccount,
    Customer,
    Payment,
    PlanChange,
    StripeCancellation,
)


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)):,.2f}"


admin.site.unregister(Plan)


@admin.register(Plan)
class PlanWithMarginAdmin(PlanAdmin):
    list_display = ["name", "price_label", "stripe_price_id", "is_public", "is_default",
                    "trainings_per_day", "images_per_day", "saved_images", "revenue_30d",
                    "cost_30d", "margin_30d"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Plan]:
        return margin.plans_with_margin(super().get_queryset(request))

    @admin.display(description="Revenue, 30 days")
    def revenue_30d(self, plan: Any) -> str:
        return _money(plan.revenue_30d)

    @admin.display(description="Provider cost, 30 days (USD)")
    def cost_30d(self, plan: Any) -> str:
        return _money(plan.generation_cost_30d + plan.training_cost_30d)

    @admin.display(description="Margin, 30 days")
    def margin_30d(self, plan: Any) -> str:
        return _money(plan.revenue_30d - plan.generation_cost_30d - plan.training_cost_30d)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["email", "plan", "subscription", "revenue_to_date", "provider_cost",
                    "margin"]
    list_filter = ["profile__plan", "billing__status"]
    search_fields = ["email", "billing__customer_id"]
    list_select_related = ["profile__plan", "billing"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        # Customer rows at run time (a proxy of User); the margin query is typed for users.
        return margin.users_with_margin(super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="Plan", ordering="profile__plan__name")
    def plan(self, user: Any) -> str:
        profile = getattr(user, "profile", None)
        return profile.plan.name if profile else "—"

    @admin.display(description="Subscription", ordering="billing__status")
    def subscription(self, user: Any) -> str:
        account = getattr(user, "billing", None)
        if account is None or not account.status:
            return "none"
        ending = " (ends at period end)" if account.cancel_at_period_end else ""
        failed = " · payment failed" if account.payment_failed_at else ""
        return f"{account.status}{ending}{failed}"

    @admin.display(description="Revenue to date", ordering="revenue")
    def revenue_to_date(self, user: Any) -> str:
        return _money(user.revenue)

    @admin.display(description="Provider cost (USD)")
    def provider_cost(self, user: Any) -> str:
        return _money(user.generation_cost + user.training_cost)

    @admin.display(description="Margin")
    def margin(self, user: Any) -> str:
        return _money(user.revenue - user.generation_cost - user.training_cost)


class ReadOnly(admin.ModelAdmin):
    """Stripe is the source of truth: these rows are evidence, not something to edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(BillingAccount)
class BillingAccountAdmin(ReadOnly):
    list_display = ["user", "status", "paid_plan", "period_end", "cancel_at_period_end",
                    "payment_failed_at", "customer_id"]
    list_filter = ["status", "cancel_at_period_end"]
    search_fields = ["user__email", "customer_id", "subscription_id"]


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = ["paid_at", "account", "plan", "amount", "currency", "invoice_id"]
    list_filter = ["plan", "currency"]
    date_hierarchy = "paid_at"


@admin.register(PlanChange)
class PlanChangeAdmin(ReadOnly):
    list_display = ["created_at", "user", "from_plan", "to_plan", "reason"]
    search_fields = ["user__email"]


@admin.register(StripeCancellation)
class StripeCancellationAdmin(ReadOnly):
    list_display = ["subscription_id", "created_at", "attempts", "done_at", "last_error"]
