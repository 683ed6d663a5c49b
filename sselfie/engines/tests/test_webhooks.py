"""Standard Webhooks verification vectors (docs/security.md), checked against an oracle.

The verifier wraps the ``standardwebhooks`` library; the oracle is another implementation,
the official Replicate client's own validator (``replicate.webhook.Webhooks.validate``), and
signatures are computed here by hand.
"""

import base64
import hashlib
import hmac
import json

import pytest
from replicate.webhook import Webhooks, WebhookSigningSecret, WebhookValidationError

from sselfie.engines.errors import NotConfigured, WebhookInvalid
from sselfie.engines.webhooks import verify_webhook

KEY = base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
SECRET = f"whsec_{KEY}"
OTHER = "whsec_" + base64.b64encode(b"another secret, another account!").decode()
NOW = 1_750_000_000
BODY = json.dumps({"id": "p1", "status": "succeeded", "output": ["https://x/out-0.png"]}).encode()


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def sign(msg_id: str, stamp: int | str, body: bytes, secret: str) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(body: bytes = BODY, *, stamp: int | str = NOW, secret: str = SECRET, msg="msg_1"):
    return {
        "webhook-id": msg,
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(msg, stamp, body, secret),
    }


def oracle_accepts(hdrs: dict[str, str], body: bytes, secret: str = SECRET) -> bool:
    try:
        Webhooks.validate(headers=hdrs, body=body.decode(), secret=WebhookSigningSecret(key=secret))
    except WebhookValidationError:
        return False
    return True


def test_valid_delivery_returns_the_parsed_body_and_the_oracle_agrees():
    hdrs = headers()
    assert verify_webhook(hdrs, BODY, SECRET) == json.loads(BODY)
    assert oracle_accepts(hdrs, BODY)


def test_signature_is_hmac_sha256_over_id_timestamp_body():
    expected = hmac.new(base64.b64decode(KEY), b"msg_1.%d." % NOW + BODY, hashlib.sha256)
    assert headers()["webhook-signature"] == "v1," + base64.b64encode(expected.digest()).decode()


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_header_is_rejected(missing):
    hdrs = headers()
    del hdrs[missing]
    with pytest.raises(WebhookInvalid, match=f"missing {missing}"):
        verify_webhook(hdrs, BODY, SECRET)


@pytest.mark.parametrize("stamp", ["soon", "1750000000.5", "-1750000000", "１７５"])
def test_non_numeric_timestamp_is_rejected(stamp):
    with pytest.raises(WebhookInvalid, match="whole number"):
        verify_webhook(headers(stamp=stamp), BODY, SECRET)


def test_wrong_signature_is_rejected_and_the_oracle_agrees():
    hdrs = headers(secret=OTHER)
    with pytest.raises(WebhookInvalid, match="no valid signature"):
        verify_webhook(hdrs, BODY, SECRET)
    assert not oracle_accepts(hdrs, BODY)


def test_tampered_body_is_rejected_and_the_oracle_agrees():
    hdrs = headers()
    tampered = BODY.replace(b"succeeded", b"failed")
    with pytest.raises(WebhookInvalid, match="no valid signature"):
        verify_webhook(hdrs, tampered, SECRET)
    assert not oracle_accepts(hdrs, tampered)


@pytest.mark.parametrize("offset", [-301, 301])
def test_timestamp_301_seconds_old_or_ahead_is_rejected(offset):
    # Correctly signed: only the window may reject it.
    with pytest.raises(WebhookInvalid, match="window"):
        verify_webhook(headers(stamp=NOW + offset), BODY, SECRET)


@pytest.mark.parametrize("offset", [-300, 0, 300])
def test_timestamp_within_300_seconds_is_accepted(offset):
    assert verify_webhook(headers(stamp=NOW + offset), BODY, SECRET)["id"] == "p1"


def test_one_valid_signature_among_several_is_enough():
    good = headers()["webhook-signature"]
    wrong = headers(secret=OTHER)["webhook-signature"]
    hdrs = {**headers(), "webhook-signature": f"v1,bm9wZQ== {wrong} v2,{good[3:]} {good}"}
    assert verify_webhook(hdrs, BODY, SECRET)["status"] == "succeeded"
    assert oracle_accepts({**headers(), "webhook-signature": f"{wrong} {good}"}, BODY)


def test_only_v1_signatures_count():
    good = headers()["webhook-signature"]
    with pytest.raises(WebhookInvalid):
        verify_webhook({**headers(), "webhook-signature": "v2," + good[3:]}, BODY, SECRET)


@pytest.mark.parametrize("secret", [SECRET, KEY, f"  {SECRET}\n"])
def test_secret_with_or_without_the_whsec_prefix(secret):
    assert verify_webhook(headers(), BODY, secret)["id"] == "p1"


def test_header_names_are_case_insensitive():
    hdrs = {key.title(): value for key, value in headers().items()}
    assert verify_webhook(hdrs, BODY, SECRET)["id"] == "p1"


def test_signature_is_checked_before_the_body_is_parsed():
    junk = b"{not json"
    with pytest.raises(WebhookInvalid, match="no valid signature"):
        verify_webhook(headers(BODY), junk, SECRET)
    with pytest.raises(WebhookInvalid, match="not JSON"):
        verify_webhook(headers(junk), junk, SECRET)


def test_a_signed_body_that_is_not_an_object_is_rejected():
    body = b'["a", "list"]'
    with pytest.raises(WebhookInvalid, match="not a JSON object"):
        verify_webhook(headers(body), body, SECRET)


def test_a_malformed_secret_is_a_configuration_error_not_a_bad_delivery():
    with pytest.raises(NotConfigured):
        verify_webhook(headers(), BODY, "whsec_not*base64")


@pytest.mark.parametrize("stamp", ["9" * 400, "9" * 5000, "1" * 12, "1e9", "0x10"])
def test_hostile_timestamps_are_refused_not_crashed_on(stamp):
    with pytest.raises(WebhookInvalid, match="whole number"):
        verify_webhook(headers(stamp=stamp), BODY, SECRET)


@pytest.mark.parametrize("signature", ["v1", "v1,", "garbage", "v1,a,b", "v1,!!!", "," * 50,
                                       "v1,bm9wZQ== " * 500])
def test_malformed_signatures_are_refused_not_crashed_on(signature):
    with pytest.raises(WebhookInvalid, match="no valid signature"):
        verify_webhook({**headers(), "webhook-signature": signature}, BODY, SECRET)


def test_malformed_signatures_beside_a_good_one_are_skipped():
    good = headers()["webhook-signature"]
    hdrs = {**headers(), "webhook-signature": f"garbage v1,a,b {good}"}
    assert verify_webhook(hdrs, BODY, SECRET)["id"] == "p1"


def test_a_body_that_is_not_utf8_is_refused():
    body = b"\xff\xfe{}"
    with pytest.raises(WebhookInvalid):
        verify_webhook(headers(body), body, SECRET)
