"""Billing's start-up settings, checked in a fresh process as an operator meets them."""

from __future__ import annotations

import json

import pytest

from tests.test_settings import manage

SHOW = ("import json; from django.conf import settings; "
        "print(json.dumps([str(source) for source in settings.SECURE_CSP['form-action']]))")


def form_action(env: dict[str, str], tmp_path) -> list[str]:
    result = manage("shell", "-c", SHOW, env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_keys_forms_post_only_to_the_studio(tmp_path):
    assert form_action({"STRIPE_SECRET_KEY": ""}, tmp_path) == ["'self'"]


def test_with_stripe_forms_may_redirect_to_checkout_and_the_portal_only(tmp_path):
    env = {"STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_WEBHOOK_SECRET": "whsec_x"}
    assert form_action(env, tmp_path) == ["'self'", "https://checkout.stripe.com",
                                          "https://billing.stripe.com"]


def test_a_stand_in_is_allowed_by_its_own_origin(tmp_path):
    env = {"STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_WEBHOOK_SECRET": "whsec_x",
           "STRIPE_API_BASE": "http://127.0.0.1:8766"}
    assert form_action(env, tmp_path) == ["'self'", "http://127.0.0.1:8766"]


@pytest.mark.parametrize(("env", "named"), [
    ({"STRIPE_SECRET_KEY": "sk_test_x"}, "STRIPE_WEBHOOK_SECRET"),
    ({"STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_WEBHOOK_SECRET": "whsec_x",
      "STRIPE_API_BASE": "ftp://x"}, "STRIPE_API_BASE"),
    ({"BILLING_GRACE_DAYS": "-1"}, "BILLING_GRACE_DAYS"),
    ({"REPLICATE_PREDICTION_PRICE_PER_SECOND": "cheap"}, "REPLICATE_PREDICTION_PRICE_PER_SECOND"),
])
def test_bad_billing_settings_stop_start_up_and_say_what_to_set(env, named, tmp_path):
    result = manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert named in result.stderr
