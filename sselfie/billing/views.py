"""The pricing page, and the doors to Stripe's hosted pages (no card ever touches ours)."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from sselfie.accounts.http import AuthedRequest
from sselfie.accounts.models import Plan, Profile
from sselfie.billing import checkout, stripe_api
from sselfie.billing.models import BillingAccount

log = logging.getLogger(__name__)


def _see_other(url: str) -> HttpResponse:
    """303: the browser follows with a GET to Stripe's hosted page."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _safe_next(request: HttpRequest, value: str) -> str:
    """A page of ours to come back to, never an open redirect."""
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return reverse("workspace")


def _absolute(request: HttpRequest, path: str) -> str:
    from django.conf import settings

    return (settings.PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")) + path


@login_not_required
@require_GET
def pricing(request: HttpRequest) -> HttpResponse:
    plans = list(Plan.objects.filter(is_public=True))
    current: Plan | None = None
    offers: set[int] = set()
    account: BillingAccount | None = None
    if request.user.is_authenticated:  # the page is public; signed in, it shows your plan
        profile = Profile.for_user(request.user)
        current = profile.plan
        offers = checkout.offers_for(profile, plans)
        account = BillingAccount.objects.filter(user=request.user).first()
    return render(request, "billing/pricing.html", {
        "plans": plans, "current": current, "offers": offers, "account": account,
        "billing_on": stripe_api.enabled(), "next": request.path,
    })


@require_POST
def start_checkout(request: AuthedRequest) -> HttpResponse:
    """One click from any limit: to Checkout (or the Portal when already subscribed)."""
    if not stripe_api.enabled():
        raise Http404("Billing is off.")
    chosen = request.POST.get("plan", "")
    if not chosen.isascii() or not chosen.isdigit() or len(chosen) > 18:
        raise Http404("No such plan.")
    plan = get_object_or_404(Plan, pk=int(chosen))
    back = _safe_next(request, request.POST.get("next", ""))
    done = _absolute(request, reverse("billing_return")) + "?" + urlencode(
        {"next": back}) + "&session_id={CHECKOUT_SESSION_ID}"
    try:
        url = checkout.start(request.user, plan, success_url=done,
                             cancel_url=_absolute(request, back))
    except checkout.CannotBuy as exc:
        messages.error(request, str(exc))
        return redirect(back)
    except stripe_api.StripeUnavailable as exc:
        log.warning("Checkout for user %s not started: %s", request.user.pk, exc)
        messages.error(request, "Payments are unavailable for a moment. Nothing was charged; "
                                "please try again shortly.")
        return redirect(back)
    return _see_other(url)


@require_GET
def checkout_return(request: AuthedRequest) -> HttpResponse:
    back = _safe_next(request, request.GET.get("next", ""))
    if not stripe_api.enabled():
        return redirect(back)
    try:
        applied = checkout.finish(request.user, request.GET.get("session_id", "")[:255])
    except stripe_api.StripeUnavailable as exc:
        log.warning("Return from checkout for user %s: %s", request.user.pk, exc)
        applied = False
    if applied:
        plan = Profile.for_user(request.user).plan
        messages.success(request, f"Welcome to {plan.name}. Your new limits apply now.")
    else:
        messages.info(request, "Thanks! We're confirming your payment with Stripe; your new "
                               "limits apply as soon as it's through (usually seconds).")
    return redirect(back)


@require_POST
def portal(request: AuthedRequest) -> HttpResponse:
    """Card changes, plan changes and cancellation, on Stripe's Customer Portal."""
    if not stripe_api.enabled():
        raise Http404("Billing is off.")
    back = _safe_next(request, request.POST.get("next", ""))
    try:
        url = checkout.portal_url(request.user, _absolute(request, back))
    except checkout.CannotBuy as exc:
        messages.info(request, str(exc))
        return redirect("pricing")
    except stripe_api.StripeUnavailable as exc:
        log.warning("Portal for user %s not opened: %s", request.user.pk, exc)
        messages.error(request, "Stripe is unavailable for a moment. Please try again shortly.")
        return redirect(back)
    return _see_other(url)
