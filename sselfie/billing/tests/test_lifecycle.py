"""Limits follow the subscription over time: cancellation keeps the plan to the period's
end, a failed renewal has a grace period, going down never deletes photos."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from sselfie.accounts.models import Profile
from sselfie.billing import sweep
from sselfie.billing.models import BillingAccount, PlanChange
from sselfie.billing.tests.conftest import deliver_all, subscribe

pytestmark = pytest.mark.django_db
DAY = 24 * 3600


@pytest.fixture
def pro(owner, owner_client, stripe_fake, plans):
    _, sub_id = subscribe(owner_client, stripe_fake, plans["pro"])
    deliver_all(owner_client, stripe_fake)
    return sub_id


def test_cancel_keeps_the_plan_until_the_period_ends(owner, owner_client, stripe_fake, plans,
                                                     pro):
    seen = len(stripe_fake.events)
    stripe_fake.cancel_at_period_end(pro)
    deliver_all(owner_client, stripe_fake, since=seen)
    account = BillingAccount.objects.get(user=owner)
    assert account.cancel_at_period_end
    assert Profile.for_user(owner).plan == plans["pro"]
    # Before the end nothing moves; after it, the sweep moves the plan even with no webhook.
    with time_machine.travel(account.period_end - timedelta(minutes=1)):
        assert sweep.end_lapsed_plans() == 0
    assert Profile.for_user(owner).plan == plans["pro"]
    with time_machine.travel(account.period_end + timedelta(seconds=1)):
        assert sweep.end_lapsed_plans() == 1
        assert sweep.end_lapsed_plans() == 0
    assert Profile.for_user(owner).plan == plans["default"]
    # Stripe's own "deleted" event then changes nothing more.
    seen = len(stripe_fake.events)
    stripe_fake.travel(31 * DAY)
    assert stripe_fake.events_of("customer.subscription.deleted")
    deliver_all(owner_client, stripe_fake, since=seen)
    assert Profile.for_user(owner).plan == plans["default"]
    assert PlanChange.objects.filter(user=owner).count() == 2


def test_a_failed_renewal_shows_a_banner_and_keeps_limits_for_the_grace_period(
        owner, owner_client, stripe_fake, plans, pro, settings,
        django_capture_on_commit_callbacks):
    settings.BILLING_GRACE_DAYS = 7
    stripe_fake.decline_renewals(1)
    seen = len(stripe_fake.events)
    stripe_fake.travel(31 * DAY)
    with django_capture_on_commit_callbacks(execute=True):
        deliver_all(owner_client, stripe_fake, since=seen)
    account = BillingAccount.objects.get(user=owner)
    assert account.status == "past_due" and account.payment_failed_at is not None
    assert Profile.for_user(owner).plan == plans["pro"]
    page = owner_client.get("/studio/").content.decode()
    assert "Your last payment didn't go through." in page
    assert "Update payment details" in page
    failed = [m for m in mail.outbox if m.subject == "Your payment didn't go through"]
    assert len(failed) == 1 and "Pro" in failed[0].body
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        assert sweep.end_lapsed_plans() == 0
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert sweep.end_lapsed_plans() == 1
    assert Profile.for_user(owner).plan == plans["default"]
    # The card works again: paid limits back, banner gone.
    seen = len(stripe_fake.events)
    stripe_fake.pay_open_invoices(pro)
    deliver_all(owner_client, stripe_fake, since=seen)
    assert Profile.for_user(owner).plan == plans["pro"]
    page = owner_client.get("/studio/").content.decode()
    assert "Your last payment didn't go through." not in page


def test_renewals_record_revenue_once_per_invoice(owner, owner_client, stripe_fake, plans, pro):
    from sselfie.billing.models import Payment

    stripe_fake.travel(31 * DAY)
    deliver_all(owner_client, stripe_fake)  # everything, again: duplicates count once
    payments = Payment.objects.filter(account__user=owner)
    assert [str(p.amount) for p in payments] == ["29.00", "29.00"]
    assert {p.plan for p in payments} == {plans["pro"]}


def test_going_down_keeps_every_saved_photo(owner, owner_client, stripe_fake, plans, pro):
    from sselfie.gallery.tests.factories import make_images
    from sselfie.studio.models import GeneratedImage

    plans["default"].saved_images = 3
    plans["default"].save()
    make_images(owner, 5, files=False)
    extra = make_images(owner, saved=False, files=False)[0]
    seen = len(stripe_fake.events)
    with stripe_fake.world.lock:
        stripe_fake.world.cancel_now(pro)
    deliver_all(owner_client, stripe_fake, since=seen)
    assert Profile.for_user(owner).plan == plans["default"]
    assert GeneratedImage.objects.filter(owner=owner, saved=True).count() == 5
    response = owner_client.post(f"/images/{extra.id}/save/", {"next": "/gallery/"})
    assert response.status_code == 409
    assert "Upgrade to Pro" in response.content.decode()


def test_an_old_subscription_ending_does_not_end_its_replacement(owner, owner_client,
                                                                 stripe_fake, plans, pro):
    """Canceled, then subscribed again before the old one's `deleted` event arrived."""
    with stripe_fake.world.lock:
        stripe_fake.world.cancel_now(pro)
    old_deleted = stripe_fake.events_of("customer.subscription.deleted")[-1]
    _, new_sub = subscribe(owner_client, stripe_fake, plans["max"])
    from sselfie.billing.tests.conftest import deliver

    deliver(owner_client, stripe_fake, old_deleted)
    account = BillingAccount.objects.get(user=owner)
    assert account.subscription_id == new_sub
    assert Profile.for_user(owner).plan == plans["max"]


def test_the_reconcile_loop_runs_the_billing_sweep(owner, owner_client, stripe_fake, plans, pro,
                                                   settings):
    from django.core.management import call_command

    settings.REPLICATE_API_TOKEN = ""
    stripe_fake.cancel_at_period_end(pro)
    deliver_all(owner_client, stripe_fake)
    end = BillingAccount.objects.get(user=owner).period_end
    with time_machine.travel(end + timedelta(minutes=1)):
        call_command("reconcile")
    assert Profile.for_user(owner).plan == plans["default"]
