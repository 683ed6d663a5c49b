"""The studio's own billing emails: "plan changed" and "payment failed" (Stripe sends the
receipts). Plain text first, with a simple HTML alternative."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from sselfie.accounts.models import Plan, User

log = logging.getLogger(__name__)


def _link(name: str) -> str:
    return (settings.PUBLIC_URL or "http://127.0.0.1:8000") + reverse(name)


def _send(user: User, subject: str, template: str, context: dict[str, object]) -> None:
    context = {"user": user, **context}
    text = render_to_string(f"billing/email/{template}.txt", context)
    html = render_to_string(f"billing/email/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, None, [user.email])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except OSError as exc:  # the change happened either way; the studio shows it
        log.warning("Billing email %r to user %s not sent: %s", subject, user.pk, exc)


def send_plan_changed(user_id: int, old_plan_id: int, new_plan_id: int) -> None:
    user = User.objects.filter(pk=user_id).first()
    old, new = Plan.objects.filter(pk=old_plan_id).first(), Plan.objects.filter(
        pk=new_plan_id).first()
    if user is None or new is None:
        return
    _send(user, f"Your plan is now {new.name}", "plan_changed", {
        "old": old, "new": new, "upgrade": old is None or new.is_better_than(old),
        "studio_url": _link("workspace"), "pricing_url": _link("pricing"),
    })


def send_payment_failed(user_id: int, grace_ends: object) -> None:
    user = User.objects.select_related("profile__plan").filter(pk=user_id).first()
    if user is None:
        return
    _send(user, "Your payment didn't go through", "payment_failed", {
        "plan": user.profile.plan, "grace_ends": grace_ends,
        "studio_url": _link("workspace"),
    })
