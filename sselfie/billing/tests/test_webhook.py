"""Stripe's webhook: refused unless signed and fresh; each event counts once, in any order;
no 5xx, and never a double upgrade."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from sselfie.accounts.models import Profile
from sselfie.billing.models import BillingAccount, PlanChange
from sselfie.billing.tests.conftest import deliver, deliver_all, start_checkout, subscribe
from sselfie.jobs.models import InboundDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(owner, owner_client, stripe_fake, plans):
    """The owner paid for Pro at Checkout; no webhook delivered yet, no return visit."""
    session_id = start_checkout(owner_client, plans["pro"])
    stripe_fake.pay(session_id)
    return stripe_fake.world.sessions[session_id]["subscription"]


def completed(fake):
    return fake.events_of("checkout.session.completed")[-1]


def test_a_bad_signature_is_refused_and_changes_nothing(owner, client, stripe_fake, paid):
    event = completed(stripe_fake)
    for signing in ({"secret": "whsec_not_ours"}, {"tamper": True}):
        response = deliver(client, stripe_fake, event, **signing)
        assert response.status_code == 400
    for header in ("garbage", "t=abc,v1=00", "v1=deadbeef", "t=1", ""):
        response = client.post("/webhooks/stripe/", json.dumps(event),
                               content_type="application/json",
                               headers={"Stripe-Signature": header})
        assert response.status_code == 400
    assert not InboundDelivery.objects.filter(source="stripe").exists()
    assert Profile.for_user(owner).plan.name != "Pro"


@pytest.mark.parametrize("skew", [-301, -3600, 3600])
def test_a_stale_or_future_timestamp_is_refused(owner, client, stripe_fake, paid, skew):
    response = deliver(client, stripe_fake, completed(stripe_fake), skew=skew)
    assert response.status_code == 400
    assert not InboundDelivery.objects.filter(source="stripe").exists()


def test_a_replayed_event_counts_once(owner, client, stripe_fake, paid,
                                      django_capture_on_commit_callbacks):
    event = completed(stripe_fake)
    with django_capture_on_commit_callbacks(execute=True):
        first = deliver(client, stripe_fake, event)
        again = deliver(client, stripe_fake, event)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.content == b"Already processed."
    assert Profile.for_user(owner).plan.name == "Pro"
    assert PlanChange.objects.filter(user=owner).count() == 1
    assert len(mail.outbox) == 1


def test_out_of_order_events_converge_on_stripes_state(owner, client, stripe_fake, paid):
    """`subscription.updated` (a cancellation) before `checkout.session.completed`, then the
    stale `subscription.created` last: the result is Stripe's current state, once."""
    stripe_fake.travel(60)
    stripe_fake.cancel_at_period_end(paid)
    events = {e["type"]: e for e in stripe_fake.events}
    for kind in ("customer.subscription.updated", "checkout.session.completed",
                 "invoice.paid", "customer.subscription.created"):
        assert deliver(client, stripe_fake, events[kind]).status_code == 200
    account = BillingAccount.objects.get(user=owner)
    assert account.cancel_at_period_end is True  # the stale "created" did not undo it
    assert Profile.for_user(owner).plan.name == "Pro"
    assert PlanChange.objects.filter(user=owner).count() == 1
    # The events older than what was known were answered from a fresh copy.
    assert len(stripe_fake.calls("subscriptions.retrieve")) >= 2


def test_an_unknown_event_type_is_acknowledged_and_ignored(owner, client, stripe_fake, paid):
    event = stripe_fake.emit("customer.tax_id.created", {"id": "txi_1", "object": "tax_id",
                                                         "customer": "cus_x"})
    response = deliver(client, stripe_fake, event)
    assert response.status_code == 200
    assert response.content.startswith(b"Ignored")
    assert Profile.for_user(owner).plan.name != "Pro"


def test_events_for_customers_we_dont_know_are_ignored(client, stripe_fake, plans):
    event = stripe_fake.emit("customer.subscription.updated", {
        "id": "sub_other", "object": "subscription", "customer": "cus_someone_else",
        "status": "active", "items": {"data": []}})
    assert deliver(client, stripe_fake, event).status_code == 200


def test_a_customer_deleted_at_stripe_falls_back_to_the_default_plan(
        owner, owner_client, stripe_fake, plans):
    subscribe(owner_client, stripe_fake, plans["pro"])
    seen = len(stripe_fake.events)
    customer = BillingAccount.objects.get(user=owner).customer_id
    stripe_fake.delete_customer(customer)
    assert set(deliver_all(owner_client, stripe_fake, since=seen)) == {200}
    account = BillingAccount.objects.get(user=owner)
    assert account.customer_id is None
    assert Profile.for_user(owner).plan == plans["default"]
    # Buying again makes a new customer.
    start_checkout(owner_client, plans["pro"])
    assert BillingAccount.objects.get(user=owner).customer_id not in (None, customer)


def test_stripe_unreachable_while_applying_asks_for_a_retry(owner, client, stripe_fake, paid,
                                                            settings):
    event = completed(stripe_fake)
    base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    response = deliver(client, stripe_fake, event)
    assert response.status_code == 503
    # Not recorded: the retry will apply it.
    assert not InboundDelivery.objects.filter(source="stripe").exists()
    settings.STRIPE_API_BASE = base
    assert deliver(client, stripe_fake, event).status_code == 200
    assert Profile.for_user(owner).plan.name == "Pro"


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'{"id": "evt_1"}',
                                  '{"caf\u00e9": 1}'.encode("latin-1"),
                                  b'{"id": "evt_1", "type": "invoice.paid", "created": "x", '
                                  b'"data": {"object": {}}}'])
def test_malformed_bodies_with_valid_signatures_are_refused(client, stripe_fake, body):
    from tests.fake_stripe.webhooks import sign

    response = client.post("/webhooks/stripe/", body, content_type="application/json",
                           headers={"Stripe-Signature": sign(body, stripe_fake.webhook_secret)})
    assert response.status_code == 400


def test_oversized_and_wrong_method(client, stripe_fake):
    big = b"{" + b" " * (300 * 1024) + b"}"
    response = client.post("/webhooks/stripe/", big, content_type="application/json",
                           headers={"Stripe-Signature": "t=1,v1=00"})
    assert response.status_code == 413
    assert client.get("/webhooks/stripe/").status_code == 405


def test_with_billing_off_the_webhook_does_not_exist(client, settings):
    settings.STRIPE_SECRET_KEY = ""
    response = client.post("/webhooks/stripe/", b"{}", content_type="application/json",
                           headers={"Stripe-Signature": "t=1,v1=00"})
    assert response.status_code == 404
