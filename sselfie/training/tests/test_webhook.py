"""The webhook endpoint, driven with the Django test client and bodies signed by the fake's
secret: the Standard Webhooks test vectors from docs/security.md, deduplication, binding
to our own job and forward-only state changes."""

import json
import time

import pytest
from django.core import mail
from django.test import Client

from sselfie.jobs.models import InboundDelivery
from sselfie.training import services
from sselfie.training.models import State, Training
from sselfie.training.tests.conftest import WEBHOOK_URL, post_webhook, sign, signed_headers

pytestmark = pytest.mark.django_db


@pytest.fixture
def training(fake, ready_owner):
    """A training running at the fake (polling mode: the fake sends no webhooks itself)."""
    started = services.start(ready_owner)
    services.submit(str(started.pk))
    started.refresh_from_db()
    assert started.state == State.STARTING and started.provider_id
    return started


def unchanged(training: Training) -> bool:
    before = (training.state, training.synced_at, training.version, training.progress)
    training.refresh_from_db()
    after = (training.state, training.synced_at, training.version, training.progress)
    return before == after and not InboundDelivery.objects.exists() and not mail.outbox


def test_a_valid_delivery_finishes_the_training(
    fake, training, client, django_capture_on_commit_callbacks
):
    payload = fake.complete(training.provider_id)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(client, payload, fake.webhook_secret, webhook_id="msg_done")
    assert response.status_code == 200
    training.refresh_from_db()
    assert training.state == State.SUCCEEDED
    assert training.version == payload["output"]["version"]
    assert training.personal_model.version == training.version
    assert InboundDelivery.objects.get().delivery_id == "msg_done"
    assert len(mail.outbox) == 1


def test_one_delivery_five_times_changes_state_once_and_sends_one_email(
    fake, training, client, django_capture_on_commit_callbacks
):
    payload = fake.complete(training.provider_id)
    body = json.dumps(payload).encode()
    answers = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _ in range(5):
            # Replicate's retries keep the webhook-id and sign a fresh timestamp.
            headers = signed_headers(body, fake.webhook_secret, webhook_id="msg_same")
            answers.append(client.post(WEBHOOK_URL, body, content_type="application/json",
                                       headers=headers))
    assert [a.status_code for a in answers] == [200] * 5
    assert [a.content for a in answers] == [b"OK"] + [b"Already processed."] * 4
    assert len(callbacks) == 1  # one transition to "succeeded", finished once
    assert InboundDelivery.objects.count() == 1
    assert len(mail.outbox) == 1
    assert len(fake.calls("files.delete")) == 1


def test_a_start_delivery_moves_nothing_backwards_or_sideways(fake, training, client):
    payload = fake.job(training.provider_id)
    assert payload["status"] == "starting"
    assert post_webhook(client, payload, fake.webhook_secret, webhook_id="msg_s").status_code == 200
    training.refresh_from_db()
    assert training.state == State.STARTING


def test_a_late_processing_never_overwrites_succeeded(
    fake, training, client, django_capture_on_commit_callbacks
):
    for _ in range(3):
        fake.advance(training.provider_id)
    processing = fake.job(training.provider_id)
    assert processing["status"] == "processing"
    done = fake.complete(training.provider_id)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook(client, done, fake.webhook_secret, webhook_id="m1").status_code == 200
        late = post_webhook(client, processing, fake.webhook_secret, webhook_id="m2")
    assert late.status_code == 200  # accepted (so Replicate stops), but changes nothing
    training.refresh_from_db()
    assert training.state == State.SUCCEEDED and training.progress == 100
    assert training.personal_model.training_status == State.SUCCEEDED


def test_a_processing_delivery_records_progress(fake, training, client):
    for _ in range(4):
        fake.advance(training.provider_id)
    response = post_webhook(client, fake.job(training.provider_id), fake.webhook_secret)
    assert response.status_code == 200
    training.refresh_from_db()
    assert training.state == State.TRAINING and training.progress == 40


def forged(fake, body):
    other = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="
    return signed_headers(body, other, webhook_id="msg_forged")


def stale(fake, body):
    return signed_headers(body, fake.webhook_secret, timestamp=int(time.time()) - 301)


def future(fake, body):
    return signed_headers(body, fake.webhook_secret, timestamp=int(time.time()) + 301)


def non_numeric_timestamp(fake, body):
    headers = signed_headers(body, fake.webhook_secret)
    headers["webhook-timestamp"] = "yesterday"
    return headers


def wrong_version_prefix(fake, body):
    headers = signed_headers(body, fake.webhook_secret)
    headers["webhook-signature"] = headers["webhook-signature"].replace("v1,", "v2,")
    return headers


def without(name):
    def headers(fake, body):
        signed = signed_headers(body, fake.webhook_secret)
        del signed[name]
        return signed

    headers.__name__ = f"missing_{name}"
    return headers


@pytest.mark.parametrize("make_headers", [
    forged, stale, future, non_numeric_timestamp, wrong_version_prefix,
    without("webhook-id"), without("webhook-timestamp"), without("webhook-signature"),
], ids=lambda f: f.__name__)
def test_deliveries_that_fail_verification_get_400_and_change_nothing(
    fake, training, client, make_headers
):
    body = json.dumps(fake.complete(training.provider_id)).encode()
    response = client.post(WEBHOOK_URL, body, content_type="application/json",
                           headers=make_headers(fake, body))
    assert response.status_code == 400
    assert unchanged(training)


def test_a_tampered_body_gets_400_and_changes_nothing(fake, training, client):
    body = json.dumps(fake.complete(training.provider_id)).encode()
    headers = signed_headers(body, fake.webhook_secret)
    response = client.post(WEBHOOK_URL, body.replace(b'"succeeded"', b'"failed"'),
                           content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert unchanged(training)


def test_one_valid_signature_among_several_is_enough(fake, training, client):
    body = json.dumps(fake.job(training.provider_id)).encode()
    stamp = int(time.time())
    good = sign("msg_rotated", stamp, body, fake.webhook_secret)
    old = sign("msg_rotated", stamp, body, "whsec_" + "T0xEU0VDUkVUT0xEU0VDUkVU")
    headers = {"webhook-id": "msg_rotated", "webhook-timestamp": str(stamp),
               "webhook-signature": f"{old} {good}"}
    response = client.post(WEBHOOK_URL, body, content_type="application/json", headers=headers)
    assert response.status_code == 200


@pytest.mark.parametrize("job_id", ["someoneelsesjob0000000000", "", None, 7, ["a"]])
def test_a_signed_delivery_for_a_job_we_did_not_create_is_ignored_with_a_200(
    fake, training, client, job_id
):
    """200, so Replicate stops retrying something we will never act on (design.md:
    ignored payloads still get 200); nothing changes and no delivery is recorded."""
    payload = {**fake.complete(training.provider_id), "id": job_id}
    response = post_webhook(client, payload, fake.webhook_secret)
    assert response.status_code == 200 and b"Ignored" in response.content
    assert unchanged(training)


@pytest.mark.parametrize("status", ["queued", "paused", "", None, 42])
def test_a_signed_delivery_with_an_unknown_status_is_a_200_and_the_job_stays_in_flight(
    fake, training, client, status
):
    payload = {**fake.complete(training.provider_id), "status": status}
    response = post_webhook(client, payload, fake.webhook_secret)
    assert response.status_code == 200
    training.refresh_from_db()
    assert training.is_active and not training.version


def test_an_aborted_training_fails_with_a_plain_reason_and_frees_the_slot(
    fake, training, client, django_capture_on_commit_callbacks
):
    payload = {**fake.complete(training.provider_id), "status": "aborted", "output": None}
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook(client, payload, fake.webhook_secret).status_code == 200
    training.refresh_from_db()
    assert training.state == State.FAILED and "too busy" in training.error
    assert not Training.objects.filter(owner=training.owner).counting_against_quota().exists()


@pytest.mark.parametrize("stamp", ["9" * 400, "9" * 5000, "-1", "1.5", "abc", " "])
def test_hostile_timestamps_are_a_400_never_a_500(fake, training, client, stamp):
    body = json.dumps(fake.complete(training.provider_id)).encode()
    headers = {**signed_headers(body, fake.webhook_secret), "webhook-timestamp": stamp}
    response = client.post(WEBHOOK_URL, body, content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert unchanged(training)


def test_get_is_not_allowed(client):
    assert client.get(WEBHOOK_URL).status_code == 405


def test_no_csrf_token_needed(fake, training, django_capture_on_commit_callbacks):
    strict = Client(enforce_csrf_checks=True)
    payload = fake.complete(training.provider_id)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(strict, payload, fake.webhook_secret)
    assert response.status_code == 200
    training.refresh_from_db()
    assert training.state == State.SUCCEEDED


def test_a_signed_body_that_is_not_a_json_object_gets_400(fake, training, client):
    for body in (b"not json", b"[1, 2, 3]"):
        response = post_webhook(client, body, fake.webhook_secret)
        assert response.status_code == 400
    assert unchanged(training)


def test_a_rotated_secret_is_fetched_again_but_forgeries_cannot_make_us_hammer_replicate(
    fake, training, client
):
    from django.core.cache import cache

    cache.delete("replicate-secret-refreshed")  # the cache table outlives transactional tests
    payload = fake.job(training.provider_id)
    assert post_webhook(client, payload, fake.webhook_secret, webhook_id="a").status_code == 200
    assert len(fake.calls("webhooks.default.secret.get")) == 1  # fetched once, then cached

    rotated = "whsec_" + "Um90YXRlZFNlY3JldFJvdGF0ZWRTZWNyZXQ="
    fake.config.webhook_secret = rotated
    assert post_webhook(client, payload, rotated, webhook_id="b").status_code == 200
    assert len(fake.calls("webhooks.default.secret.get")) == 2

    forged_secret = "whsec_" + "Rm9yZ2VkRm9yZ2VkRm9yZ2VkRm9yZ2Vk"
    for n in range(3):
        response = post_webhook(client, payload, forged_secret, webhook_id=f"forged-{n}")
        assert response.status_code == 400
    assert len(fake.calls("webhooks.default.secret.get")) == 2  # at most once per 5 minutes
    assert InboundDelivery.objects.count() == 2
