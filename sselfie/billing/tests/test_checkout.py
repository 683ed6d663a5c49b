"""Upgrading: from a limit to Checkout and back with the new limits, the Portal, and the
doors that must stay shut."""

from __future__ import annotations

import pytest
from django.core import mail

from sselfie.accounts.models import Profile
from sselfie.billing.models import BillingAccount, PlanChange
from sselfie.billing.tests.conftest import deliver_all, return_url, start_checkout, subscribe

pytestmark = pytest.mark.django_db


def test_upgrade_applies_on_return_before_any_webhook(owner, owner_client, stripe_fake, plans,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        back, sub_id = subscribe(owner_client, stripe_fake, plans["pro"], next_url="/gallery/")
    assert back["Location"] == "/gallery/"  # back where they were
    assert Profile.for_user(owner).plan == plans["pro"]
    account = BillingAccount.objects.get(user=owner)
    assert (account.status, account.subscription_id) == ("active", sub_id)
    assert account.period_end is not None
    page = owner_client.get("/studio/")
    assert "Welcome to Pro. Your new limits apply now." in page.content.decode()
    assert "of 200 today (UTC)" in page.content.decode()  # the meter shows the new limit
    # The webhooks then arrive: they change nothing more, and nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert set(deliver_all(owner_client, stripe_fake)) == {200}
    assert PlanChange.objects.filter(user=owner).count() == 1
    assert [m.subject for m in mail.outbox] == ["Your plan is now Pro"]
    assert "200 images a day" in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0].mimetype == "text/html"


def test_stripe_receives_only_email_and_a_public_id(owner, owner_client, stripe_fake, plans):
    start_checkout(owner_client, plans["pro"])
    (customer,) = stripe_fake.calls("customers.create")
    assert customer.params == {"email": owner.email,
                               "metadata": {"studio_user": owner.public_id}}
    (session,) = stripe_fake.calls("checkout.sessions.create")
    assert session.params["mode"] == "subscription"
    assert session.params["line_items"] == [{"price": "price_pro", "quantity": "1"}]
    assert session.params["client_reference_id"] == owner.public_id


def test_webhooks_alone_upgrade_when_the_person_never_comes_back(owner, owner_client,
                                                                 stripe_fake, plans):
    session_id = start_checkout(owner_client, plans["pro"])
    stripe_fake.pay(session_id)
    deliver_all(owner_client, stripe_fake)
    assert Profile.for_user(owner).plan == plans["pro"]
    assert PlanChange.objects.filter(user=owner).count() == 1


def test_cancelled_checkout_changes_nothing(owner, owner_client, stripe_fake, plans):
    session_id = start_checkout(owner_client, plans["pro"])
    response = owner_client.get(return_url(stripe_fake, session_id))  # not paid
    assert response.status_code == 302
    assert Profile.for_user(owner).plan == plans["default"]
    assert "confirming your payment" in owner_client.get("/studio/").content.decode()


def test_someone_elses_session_is_not_applied(owner, stranger, owner_client, stranger_client,
                                              stripe_fake, plans):
    start_checkout(stranger_client, plans["pro"])
    session_id = start_checkout(owner_client, plans["pro"])
    stripe_fake.pay(session_id)
    stolen = return_url(stripe_fake, session_id)
    stranger_client.get(stolen)
    assert Profile.for_user(stranger).plan == plans["default"]
    owner_client.get(stolen)
    assert Profile.for_user(owner).plan == plans["pro"]


def test_a_subscriber_choosing_a_bigger_plan_goes_to_the_portal(owner, owner_client,
                                                                stripe_fake, plans):
    _, sub_id = subscribe(owner_client, stripe_fake, plans["pro"])
    response = owner_client.post("/billing/checkout/", {"plan": plans["max"].pk,
                                                        "next": "/studio/"})
    assert response.status_code == 303
    assert "/p/session/bps_" in response["Location"]
    assert len(stripe_fake.calls("checkout.sessions.create")) == 1  # never a second subscription
    seen = len(stripe_fake.events)
    stripe_fake.switch_price(sub_id, "price_max")
    deliver_all(owner_client, stripe_fake, since=seen)
    assert Profile.for_user(owner).plan == plans["max"]


@pytest.mark.parametrize("plan", ["0", "999999", "abc", "", "1; DROP TABLE", "9" * 40])
def test_checkout_refuses_unknown_plans(owner_client, stripe_fake, plans, plan):
    response = owner_client.post("/billing/checkout/", {"plan": plan})
    assert response.status_code == 404
    assert stripe_fake.calls("checkout.sessions.create") == []


def test_free_and_unpriced_plans_cannot_be_bought(owner_client, stripe_fake, plans):
    from sselfie.accounts.models import Plan

    unpriced = Plan.objects.create(name="Agency", monthly_price=199)
    for plan in (plans["default"], unpriced):
        response = owner_client.post("/billing/checkout/", {"plan": plan.pk})
        assert response.status_code == 302
    assert stripe_fake.calls("checkout.sessions.create") == []


def test_next_never_leaves_the_studio(owner_client, stripe_fake, plans):
    session_id = start_checkout(owner_client, plans["pro"], next_url="https://evil.example/")
    session = stripe_fake.world.sessions[session_id]
    assert session["cancel_url"] == "http://testserver/studio/"
    assert "next=%2Fstudio%2F" in session["success_url"]
    back = owner_client.get("/billing/return/?next=//evil.example/&session_id=cs_x")
    assert back["Location"] == "/studio/"


def test_stripe_down_tells_the_person_and_charges_nothing(owner_client, stripe_fake, plans,
                                                          settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    response = owner_client.post("/billing/checkout/", {"plan": plans["pro"].pk,
                                                        "next": "/studio/"}, follow=True)
    assert "Payments are unavailable for a moment" in response.content.decode()


def test_portal_for_a_customer_and_pricing_for_others(owner, owner_client, stranger_client,
                                                      stripe_fake, plans):
    response = stranger_client.post("/billing/portal/", {"next": "/studio/"})
    assert response["Location"] == "/pricing/"
    subscribe(owner_client, stripe_fake, plans["pro"])
    response = owner_client.post("/billing/portal/", {"next": "/gallery/"})
    assert response.status_code == 303
    (portal,) = stripe_fake.calls("billing_portal.sessions.create")
    assert portal.params["return_url"] == "http://testserver/gallery/"


def test_limit_pages_offer_one_click_upgrades(owner, owner_client, stripe_fake, plans):
    from sselfie.gallery.tests.factories import make_images

    make_images(owner, 500, files=False)
    extra = make_images(owner, saved=False, files=False)[0]
    page = owner_client.post(f"/images/{extra.id}/save/", {"next": "/gallery/"})
    body = page.content.decode()
    assert page.status_code == 409
    assert "Upgrade to Pro" in body and "Upgrade to Max" in body
    assert 'name="next" value="/gallery/"' in body
    workspace = owner_client.get("/studio/").content.decode()
    assert "Upgrade to Pro · $29 / month" in workspace


def test_without_keys_the_pricing_page_has_no_checkout(owner_client, plans, settings):
    settings.STRIPE_SECRET_KEY = ""
    body = owner_client.get("/pricing/").content.decode()
    assert "$29 / month" in body and "Pro" in body
    assert "Upgrade to" not in body
    assert "Online payment isn't set up" in body
    assert "Upgrade to" not in owner_client.get("/studio/").content.decode()


def test_pricing_lists_only_public_plans(client, plans):
    plans["max"].is_public = False
    plans["max"].save()
    body = client.get("/pricing/").content.decode()
    assert "Pro" in body and "Max" not in body
