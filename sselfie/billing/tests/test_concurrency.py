"""Twenty deliveries of one event at the same moment, over real HTTP to a live server with
real transactions (run it on PostgreSQL with DATABASE_URL): one change, one email."""

from __future__ import annotations

import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail

from conftest import logged_in, make_user
from sselfie.accounts.models import Profile
from sselfie.billing.models import PlanChange
from sselfie.billing.tests.conftest import start_checkout
from sselfie.jobs.models import InboundDelivery

pytestmark = pytest.mark.django_db(transaction=True)


def _post(url: str, body: bytes, signature: str) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310
        "Content-Type": "application/json", "Stripe-Signature": signature})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.parametrize("kind", ["checkout.session.completed",
                                  "customer.subscription.created"])
def test_twenty_parallel_deliveries_of_one_event_make_one_change(live_server, stripe_fake,
                                                                 plans, kind):
    owner = make_user("racer@example.com")
    session_id = start_checkout(logged_in(owner), plans["pro"])
    stripe_fake.pay(session_id)
    event = stripe_fake.events_of(kind)[-1]
    body, headers = stripe_fake.signed(event)
    url = f"{live_server.url}/webhooks/stripe/"
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda _: _post(url, body, headers["Stripe-Signature"]),
                                 range(20)))
    assert statuses == [200] * 20
    assert InboundDelivery.objects.filter(source="stripe", delivery_id=event["id"]).count() == 1
    assert Profile.for_user(owner).plan == plans["pro"]
    assert PlanChange.objects.filter(user=owner).count() == 1
    assert [m.subject for m in mail.outbox] == ["Your plan is now Pro"]
