"""Privacy covers billing: deleting the account cancels at Stripe (retried until Stripe
confirms), the export holds the plan history, the privacy page names Stripe."""

from __future__ import annotations

import pytest

from sselfie.billing import sweep
from sselfie.billing.models import StripeCancellation
from sselfie.billing.tests.conftest import deliver_all, subscribe
from sselfie.privacy.tests.test_erasure import login_for_real

pytestmark = pytest.mark.django_db


def test_deleting_the_account_cancels_the_subscription_at_stripe(
        client, owner, stripe_fake, plans, django_capture_on_commit_callbacks):
    login_for_real(client, owner.email)
    _, sub_id = subscribe(client, stripe_fake, plans["pro"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/delete/account/confirm/", {"confirm": "DELETE"})
    assert response.status_code == 302
    assert stripe_fake.subscription(sub_id)["status"] == "canceled"
    item = StripeCancellation.objects.get(subscription_id=sub_id)
    assert item.done_at is not None
    # Stripe's "deleted" event for a person who no longer exists is simply acknowledged.
    assert set(deliver_all(client, stripe_fake)) == {200}


def test_a_cancellation_stripe_missed_is_retried_until_done(
        client, owner, stripe_fake, plans, settings, django_capture_on_commit_callbacks):
    login_for_real(client, owner.email)
    _, sub_id = subscribe(client, stripe_fake, plans["pro"])
    base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # Stripe unreachable
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/delete/account/confirm/", {"confirm": "DELETE"})
    item = StripeCancellation.objects.get(subscription_id=sub_id)
    assert item.done_at is None and item.attempts == 1 and item.last_error
    assert stripe_fake.subscription(sub_id)["status"] == "active"
    settings.STRIPE_API_BASE = base
    assert sweep.send_cancellations() == 1
    assert sweep.send_cancellations() == 0
    assert stripe_fake.subscription(sub_id)["status"] == "canceled"


def test_the_export_holds_plan_history_and_payments(owner, owner_client, stripe_fake, plans):
    from sselfie.privacy.export import _profile

    subscribe(owner_client, stripe_fake, plans["pro"])
    deliver_all(owner_client, stripe_fake)
    data = _profile(owner)
    assert [(c["from_plan"], c["to_plan"]) for c in data["plan_history"]] == [("Studio", "Pro")]
    assert data["subscription"]["status"] == "active"
    assert data["payments"][0]["amount"] == "29.00"


def test_the_privacy_page_says_what_stripe_receives(client):
    body = client.get("/privacy/").content.decode()
    assert "Stripe, Inc." in body
    assert "your email address" in body and "never pass through the studio" in body
