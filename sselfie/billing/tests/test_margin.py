"""The operator's margin: provider cost recorded at completion, shown in the admin."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from conftest import make_user
from sselfie.billing.tests.conftest import deliver_all, subscribe
from sselfie.studio import generation
from sselfie.studio.models import Generation
from sselfie.training.models import Training, provider_cost

pytestmark = pytest.mark.django_db


def test_cost_is_predict_time_times_the_price_per_second():
    assert provider_cost(10.0, 0.001525) == Decimal("0.015250")
    assert provider_cost(0.333333, 0.001525) == Decimal("0.000508")
    assert provider_cost(None, 0.001525) is None
    assert provider_cost(-1, 0.001525) is None


def test_a_finished_generation_records_its_cost_once(owner, trained, fake, settings):
    from sselfie.engines import replicate

    settings.REPLICATE_PREDICTION_PRICE_PER_SECOND = 0.002
    gen = generation.create(owner, trained, category="story", subcategory="journey",
                            aspect_ratio="1:1")
    generation.submit(str(gen.pk))
    gen.refresh_from_db()
    fake.complete(gen.provider_id)
    remote = replicate.get_prediction(gen.provider_id)
    assert remote.metrics["predict_time"] > 0
    generation.apply(gen.pk, remote)
    expected = provider_cost(remote.metrics["predict_time"], 0.002)
    assert Generation.objects.get(pk=gen.pk).provider_cost == expected
    settings.REPLICATE_PREDICTION_PRICE_PER_SECOND = 1.0  # a later price never rewrites it
    generation.apply(gen.pk, remote)
    assert Generation.objects.get(pk=gen.pk).provider_cost == expected


def test_a_failed_generation_is_billed_too(owner, trained, fake):
    from sselfie.engines import replicate

    gen = generation.create(owner, trained, category="story", subcategory="journey",
                            aspect_ratio="1:1")
    generation.submit(str(gen.pk))
    gen.refresh_from_db()
    fake.advance(gen.provider_id)
    fake.fail(gen.provider_id)
    remote = replicate.get_prediction(gen.provider_id)
    generation.apply(gen.pk, remote)
    gen.refresh_from_db()
    assert gen.state == "failed"
    assert remote.metrics["predict_time"] >= 0  # it ran before failing: Replicate bills that
    assert gen.provider_cost == provider_cost(remote.metrics["predict_time"], 0.001525)


def test_a_training_records_its_cost_once(owner, trained, settings):
    training = Training.objects.create(
        owner=owner, personal_model=trained, zip_sha256="0" * 64, photo_count=10,
        trainer_version="t", steps=1000, state="succeeded")
    training.record_cost(1200.0)
    training.record_cost(9999.0)
    assert Training.objects.get(pk=training.pk).provider_cost == Decimal("1.830000")


def test_the_admin_shows_plan_status_revenue_cost_and_margin(owner, owner_client, trained,
                                                             stripe_fake, plans):
    subscribe(owner_client, stripe_fake, plans["pro"])
    deliver_all(owner_client, stripe_fake)
    Generation.objects.create(
        owner=owner, personal_model=trained, version=trained.version, category="story",
        subcategory="journey", aspect_ratio="1:1", prompt="p", seed=1, requested=4, charged=4,
        charged_day=timezone.now().date(), state="succeeded", provider_cost=Decimal("1.25"))
    Training.objects.create(
        owner=owner, personal_model=trained, zip_sha256="0" * 64, photo_count=10,
        trainer_version="t", steps=1000, state="succeeded", provider_cost=Decimal("2.50"))
    operator = make_user("operator@example.com")
    operator.is_staff = operator.is_superuser = True
    operator.save()
    admin = Client()
    admin.force_login(operator)
    people = admin.get("/admin/billing/customer/").content.decode()
    row = people[people.index("owner@example.com"):]
    row = row[:row.index("</tr>")]
    for text in ("Pro", "active", "29.00", "3.75", "25.25"):
        assert text in row, text
    plan_page = admin.get("/admin/accounts/plan/").content.decode()
    row = plan_page[plan_page.index(">Pro<"):]
    row = row[:row.index("</tr>")]
    for text in ("$29 / month", "29.00", "3.75", "25.25"):
        assert text in row, text
    assert admin.get(f"/admin/accounts/plan/{plans['pro'].pk}/change/").status_code == 200
    assert admin.get("/admin/jobs/inbounddelivery/?source=stripe").status_code == 200
