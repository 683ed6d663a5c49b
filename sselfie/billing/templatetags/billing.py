"""Upgrade buttons wherever plans are listed, without each view knowing about billing."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from sselfie.accounts.models import Plan
from sselfie.billing import checkout
from sselfie.billing.models import BillingAccount

register = template.Library()


def return_to(request: Any) -> str:
    """Where the person was: this page for a GET, the form's own `next` (or the studio) when
    the page answers a POST (a limit reached while creating or saving)."""
    if request.method == "GET":
        return request.get_full_path()
    return request.POST.get("next") or reverse("workspace")


@register.inclusion_tag("billing/upgrade_button.html", takes_context=True)
def upgrade_button(context: template.Context, plan: Plan, current: Plan | None) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    show = bool(user and user.is_authenticated and current is not None
                and checkout.purchasable(plan) and plan.is_better_than(current))
    return {"show": show, "plan": plan, "next": return_to(request) if show else "",
            "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("billing/manage_button.html", takes_context=True)
def manage_plan_button(context: template.Context) -> dict:
    """The workspace's way up: the next plan in one click, the Portal for people who
    already pay, and the pricing page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    has_customer = bool(user and user.is_authenticated and checkout.stripe_api.enabled()
                        and BillingAccount.objects.filter(user=user,
                                                          customer_id__isnull=False).exists())
    offer = None
    if user is not None and user.is_authenticated and checkout.stripe_api.enabled():
        from sselfie.accounts.models import Profile

        current = Profile.for_user(user).plan
        better = [p for p in Plan.objects.filter(is_public=True).exclude(stripe_price_id="")
                  if checkout.purchasable(p) and p.is_better_than(current)]
        offer = better[0] if better else None  # the cheapest step up
    return {"has_customer": has_customer, "offer": offer,
            "next": return_to(request) if request else "",
            "csrf_token": context.get("csrf_token")}
