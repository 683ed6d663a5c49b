"""The fake's webhooks: signed like Replicate's, filtered, retried, and faulty on request.

Signatures are checked with the official client's validator as an independent oracle.
"""

import json

import pytest
from replicate.webhook import Webhooks, WebhookSigningSecret, WebhookValidationError


@pytest.fixture
def version(fake):
    fake.add_model("lora")
    return fake.add_version("sselfie", "lora")


def predict(api, version, hook, events=None):
    body = {"version": version, "input": {"prompt": "x"}, "webhook": hook.url}
    if events is not None:
        body["webhook_events_filter"] = events
    return api.post("predictions", json=body).json()["id"]


def valid(fake, received, tolerance=None) -> bool:
    try:
        Webhooks.validate(headers=received.headers, body=received.body.decode(),
                          secret=WebhookSigningSecret(key=fake.webhook_secret), tolerance=tolerance)
    except WebhookValidationError:
        return False
    return True


def statuses(hook):
    return [json.loads(r.body)["status"] for r in hook.received]


def test_deliveries_are_signed_standard_webhooks(fake, api, hook, version):
    fake.complete(predict(api, version, hook, ["start", "logs", "output", "completed"]))
    assert fake.wait_for_webhooks()
    assert statuses(hook) == ["starting", "processing", "succeeded", "succeeded"]
    assert [d.event for d in fake.deliveries] == ["start", "logs", "output", "completed"]
    for received in hook.received:
        assert valid(fake, received, tolerance=300)
        assert received.headers["webhook-id"].startswith("msg_")
        assert received.headers["webhook-signature"].startswith("v1,")
        assert received.headers["content-type"] == "application/json"
    assert json.loads(hook.received[-1].body) == fake.job(json.loads(hook.received[-1].body)["id"])


def test_the_filter_is_respected_and_defaults_to_output_and_completed(fake, api, hook, version):
    fake.complete(predict(api, version, hook, ["completed"]))
    fake.complete(predict(api, version, hook))
    fake.wait_for_webhooks()
    assert [d.event for d in fake.deliveries] == ["completed", "output", "completed"]


def test_only_the_completed_webhook_is_retried_with_the_same_id(fake, api, hook, version):
    prediction = predict(api, version, hook, ["start", "completed"])
    fake.wait_for_webhooks()
    hook.statuses = [500, 302]  # a redirect is not followed: it fails like a 5xx
    fake.complete(prediction)
    fake.wait_for_webhooks()
    completed = [d for d in fake.deliveries if d.event == "completed"]
    assert [(d.attempt, d.status) for d in completed] == [(1, 500), (2, 302), (3, 200)]
    assert len({d.webhook_id for d in completed}) == 1
    assert all(valid(fake, r, tolerance=300) for r in hook.received)

    hook.statuses = [500]
    predict(api, version, hook, ["start", "completed"])
    fake.wait_for_webhooks()
    assert [(d.event, d.status) for d in fake.deliveries[-1:]] == [("start", 500)]  # no retry


def test_retries_stop_after_the_last_delay(fake, api, hook, version):
    hook.statuses = [503] * 10
    fake.complete(predict(api, version, hook, ["completed"]))
    fake.wait_for_webhooks()
    assert [d.attempt for d in fake.deliveries] == [1, 2, 3, 4]


def test_an_unreachable_receiver_is_retried_too(fake, api, version):
    class Nowhere:
        url = "http://127.0.0.1:9/hook"

    fake.complete(predict(api, version, Nowhere, ["completed"]))
    fake.wait_for_webhooks()
    assert [d.status for d in fake.deliveries] == [None] * 4
    assert all(d.error for d in fake.deliveries)


def test_duplicates_share_an_id(fake, api, hook, version):
    fake.webhook_faults.duplicates = 2
    fake.complete(predict(api, version, hook, ["completed"]))
    fake.wait_for_webhooks()
    assert len(hook.received) == 3
    assert len({r.headers["webhook-id"] for r in hook.received}) == 1
    assert [d.note for d in fake.deliveries] == ["", "duplicate", "duplicate"]


def test_a_late_stale_processing_arrives_after_succeeded(fake, api, hook, version):
    fake.webhook_faults.late_stale = True
    fake.complete(predict(api, version, hook, ["logs", "completed"]))
    fake.wait_for_webhooks()
    assert statuses(hook) == ["processing", "succeeded", "processing"]
    assert all(valid(fake, r, tolerance=300) for r in hook.received)  # validly signed, just late


def test_dropped_webhooks_never_arrive(fake, api, hook, version):
    fake.webhook_faults.drop = {"completed"}
    fake.complete(predict(api, version, hook, ["start", "completed"]))
    fake.wait_for_webhooks()
    assert statuses(hook) == ["starting"]
    last = fake.deliveries[-1]
    assert (last.event, last.note, last.status) == ("completed", "dropped", None)


def test_tampered_bodies_fail_verification(fake, api, hook, version):
    fake.webhook_faults.tamper = True
    fake.complete(predict(api, version, hook, ["completed"]))
    fake.wait_for_webhooks()
    assert hook.received and not any(valid(fake, r) for r in hook.received)


@pytest.mark.parametrize("skew", [-301, 301])
def test_stale_or_future_timestamps_fail_a_five_minute_window(fake, api, hook, version, skew):
    fake.webhook_faults.timestamp_skew = skew
    predict(api, version, hook, ["start"])
    fake.wait_for_webhooks()
    [received] = hook.received
    assert valid(fake, received) and not valid(fake, received, tolerance=300)


def test_trainings_send_webhooks_too(fake, api, hook):
    fake.add_model("lora")
    path = f"models/{fake.trainer_version.replace(':', '/versions/')}/trainings"
    body = {"destination": "sselfie/lora", "input": {"input_images": "https://x/y.zip"},
            "webhook": hook.url + "?training=42", "webhook_events_filter": ["start", "completed"]}
    training = api.post(path, json=body).json()
    fake.fail(training["id"], "CUDA out of memory")
    fake.wait_for_webhooks()
    assert statuses(hook) == ["starting", "failed"]
    assert hook.received[0].path == "/hooks/replicate?training=42"  # query params survive
    assert json.loads(hook.received[-1].body)["error"] == "CUDA out of memory"
