"""The stand-in itself: strict like Stripe, signed like Stripe, clickable like Stripe."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest
import stripe

from tests.fake_stripe import FakeStripe
from tests.fake_stripe.webhooks import sign


class _Keep(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _Keep())


def http(method: str, url: str, form: dict | None = None) -> tuple[int, dict, str]:
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


@pytest.fixture
def fake():
    with FakeStripe() as server:
        server.add_price("price_pro", 2900, nickname="Pro")
        server.add_price("price_max", 7900, nickname="Max")
        yield server


@pytest.fixture
def sdk(fake):
    return stripe.StripeClient(fake.secret_key, base_addresses={"api": fake.base_url})


def checkout(sdk, customer: str, price: str = "price_pro"):
    return sdk.v1.checkout.sessions.create({
        "mode": "subscription", "customer": customer,
        "line_items": [{"price": price, "quantity": 1}],
        "success_url": "http://studio.test/back?s={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://studio.test/"})


def test_bad_keys_are_refused(fake):
    for key in ("sk_test_wrong", fake.secret_key + "x"):
        client = stripe.StripeClient(key, base_addresses={"api": fake.base_url})
        with pytest.raises(stripe.AuthenticationError):
            client.v1.customers.create({"email": "a@example.com"})
    assert {r.status for r in fake.calls("customers.create")} == {401}


@pytest.mark.parametrize("params", [
    {"email": "a@example.com", "nickname": "x"},
    {"email": "a@example.com", "metadata": {"k" * 41: "v"}},
])
def test_unknown_or_malformed_parameters_are_refused(sdk, params):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        sdk.v1.customers.create(params)
    assert caught.value.http_status == 400


def test_checkout_needs_a_known_price_and_subscription_mode(sdk, fake):
    customer = sdk.v1.customers.create({"email": "a@example.com"})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        checkout(sdk, customer.id, price="price_nope")
    assert caught.value.code == "resource_missing"
    with pytest.raises(stripe.InvalidRequestError):
        sdk.v1.checkout.sessions.create({"mode": "payment", "customer": customer.id,
                                         "line_items": [{"price": "price_pro", "quantity": 1}],
                                         "success_url": "http://x/"})
    with pytest.raises(stripe.InvalidRequestError):
        sdk.v1.subscriptions.retrieve("sub_missing")


def test_idempotency_keys_replay_the_first_answer(sdk, fake):
    first = sdk.v1.customers.create({"email": "a@example.com"},
                                    {"idempotency_key": "same"})
    again = sdk.v1.customers.create({"email": "a@example.com"},
                                    {"idempotency_key": "same"})
    assert first.id == again.id
    assert len(fake.world.customers) == 1


def test_the_hosted_checkout_page_pays_and_redirects(sdk, fake):
    customer = sdk.v1.customers.create({"email": "a@example.com"})
    session = checkout(sdk, customer.id)
    status, _, page = http("GET", session.url)
    assert status == 200 and "Pay and subscribe" in page and "29.00 USD / month" in page
    status, _, page = http("POST", session.url, {"card": "4000 0000 0000 0002"})
    assert status == 402 and "declined" in page
    status, headers, _ = http("POST", session.url, {"card": "4242 4242 4242 4242"})
    assert status == 303
    assert headers["Location"] == f"http://studio.test/back?s={session.id}"
    paid = sdk.v1.checkout.sessions.retrieve(session.id)
    assert paid.status == "complete"
    sub = sdk.v1.subscriptions.retrieve(paid.subscription)
    assert sub.status == "active" and sub["items"]["data"][0]["price"]["id"] == "price_pro"
    assert [e["type"] for e in fake.events][-3:] == [
        "customer.subscription.created", "invoice.paid", "checkout.session.completed"]


def test_the_portal_page_cancels_renews_and_switches(sdk, fake):
    customer = sdk.v1.customers.create({"email": "a@example.com"})
    session = checkout(sdk, customer.id)
    fake.pay(session.id)
    sub_id = fake.world.sessions[session.id]["subscription"]
    portal = sdk.v1.billing_portal.sessions.create({"customer": customer.id,
                                                    "return_url": "http://studio.test/"})
    status, _, page = http("GET", portal.url)
    assert status == 200 and "Switch to Max" in page
    assert http("POST", portal.url + "/switch", {"price": "price_max"})[0] == 303
    assert fake.subscription(sub_id)["items"]["data"][0]["price"]["id"] == "price_max"
    assert http("POST", portal.url + "/cancel")[0] == 303
    assert fake.subscription(sub_id)["cancel_at_period_end"] is True
    fake.travel(31 * 86400)
    assert fake.subscription(sub_id)["status"] == "canceled"
    assert fake.events[-1]["type"] == "customer.subscription.deleted"


def test_events_are_signed_as_stripe_signs_them(sdk, fake):
    fake.emit("customer.updated", {"id": "cus_1", "object": "customer"})
    body, headers = fake.signed(fake.events[-1])
    event = sdk.construct_event(body, headers["Stripe-Signature"], fake.webhook_secret)
    assert event.type == "customer.updated"
    assert headers["Stripe-Signature"] == sign(body, fake.webhook_secret,
                                               int(headers["Stripe-Signature"][2:12]))
    tampered, headers = fake.signed(fake.events[-1], tamper=True)
    with pytest.raises(stripe.SignatureVerificationError):
        sdk.construct_event(tampered, headers["Stripe-Signature"], fake.webhook_secret)


def test_renewals_can_fail_and_be_paid_later(sdk, fake):
    customer = sdk.v1.customers.create({"email": "a@example.com"})
    session = checkout(sdk, customer.id)
    fake.pay(session.id)
    sub_id = fake.world.sessions[session.id]["subscription"]
    fake.decline_renewals(1)
    fake.travel(31 * 86400)
    assert fake.subscription(sub_id)["status"] == "past_due"
    assert fake.events_of("invoice.payment_failed")
    fake.pay_open_invoices(sub_id)
    assert fake.subscription(sub_id)["status"] == "active"
