"""Billing with Stripe replaced by tests/fake_stripe, a real HTTP server the SDK talks to.

Webhooks are taken from the fake's event log, signed by it, and posted through Django's
test client (the test's own thread and database connection); tests that need real
concurrency use a live server instead.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.fake_stripe import FakeStripe


@pytest.fixture
def stripe_fake(settings):
    with FakeStripe() as fake:
        fake.add_price("price_pro", 2900, nickname="Pro")
        fake.add_price("price_max", 7900, nickname="Max")
        settings.STRIPE_SECRET_KEY = fake.secret_key
        settings.STRIPE_WEBHOOK_SECRET = fake.webhook_secret
        settings.STRIPE_API_BASE = fake.base_url
        yield fake


@pytest.fixture
def plans(db):
    from sselfie.accounts.models import Plan

    default = Plan.default()
    pro = Plan.objects.create(name="Pro", monthly_price=Decimal("29"), stripe_price_id="price_pro",
                              trainings_per_day=3, images_per_day=200, saved_images=2000)
    top = Plan.objects.create(name="Max", monthly_price=Decimal("79"), stripe_price_id="price_max",
                              trainings_per_day=10, images_per_day=1000, saved_images=10000)
    return {"default": default, "pro": pro, "max": top}


def deliver(client, fake: FakeStripe, event: dict, **signing) -> object:
    body, headers = fake.signed(event, **signing)
    return client.post("/webhooks/stripe/", body, content_type="application/json",
                       headers={"Stripe-Signature": headers["Stripe-Signature"]})


def deliver_all(client, fake: FakeStripe, since: int = 0) -> list[int]:
    return [deliver(client, fake, e).status_code for e in fake.events[since:]]


def start_checkout(client, plan, next_url: str = "/studio/") -> str:
    """Press 'Upgrade'; returns the Checkout session id the browser is sent to."""
    response = client.post("/billing/checkout/", {"plan": plan.pk, "next": next_url})
    assert response.status_code == 303, response.content
    return urlsplit(response["Location"]).path.rsplit("/", 1)[-1]


def return_url(fake: FakeStripe, session_id: str) -> str:
    success = fake.world.sessions[session_id]["success_url"]
    parts = urlsplit(success.replace("{CHECKOUT_SESSION_ID}", session_id))
    return f"{parts.path}?{parts.query}"


def subscribe(client, fake: FakeStripe, plan, next_url: str = "/studio/"):
    """Checkout, pay on the hosted page, come back: the whole upgrade."""
    session_id = start_checkout(client, plan, next_url)
    fake.pay(session_id)
    back = client.get(return_url(fake, session_id))
    assert back.status_code == 302
    return back, fake.world.sessions[session_id]["subscription"]


def query(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query)
