"""Training tests talk HTTP to a real, in-process fake Replicate (tests/fake_replicate).

- ``fake``: the fake server, with the studio's REPLICATE_* settings pointed at it, no
  REPLICATE_OWNER (the engine asks /v1/account), no PUBLIC_URL (polling) and the engine's
  caches cleared before and after;
- ``ready_owner``: the owner persona with ten checked selfies (``ready_owner_with_zip``: and
  the training zip already built);
- ``sign`` / ``post_webhook``: Standard Webhooks deliveries signed with the fake's secret,
  computed here independently of the studio's own verifier.
"""

import base64
import hashlib
import hmac
import json
import time

import pytest

from conftest import point_at
from sselfie.engines import replicate
from tests.fake_replicate import FakeReplicate

TOKEN = "training-test-token"
WEBHOOK_URL = "/webhooks/replicate/"


@pytest.fixture
def fake(settings):
    with FakeReplicate(
        TOKEN, image_megapixels=0.005, webhook_retry_delays=(0.05, 0.05, 0.05),
        webhook_timeout=5.0,
    ) as server:
        point_at(server, settings)
        settings.REPLICATE_TRAINING_STEPS = 1000
        yield server
    replicate.clear_caches()


@pytest.fixture
def ready_owner(owner):
    """The owner with ten checked selfies (a set the coach accepts) and its training zip
    built, as the background rebuild leaves it. Train never builds the zip itself."""
    from sselfie.selfies.tasks import rebuild_training_set
    from tests.photos import distinct_selfies, seed_selfies

    seed_selfies(owner, distinct_selfies(12)[:10])
    rebuild_training_set.call(owner.pk)
    return owner


@pytest.fixture
def ready_owner_with_zip(ready_owner):
    return ready_owner


def sign(webhook_id: str, timestamp: int | str, body: bytes, secret: str) -> str:
    """One ``v1,`` signature over ``id.timestamp.body``, keyed with the decoded secret."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def signed_headers(body: bytes, secret: str, *, webhook_id: str = "msg_test",
                   timestamp: int | None = None) -> dict[str, str]:
    stamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(webhook_id, stamp, body, secret),
    }


def post_webhook(client, payload: dict | bytes, secret: str, **kwargs):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = signed_headers(body, secret, **kwargs)
    return client.post(WEBHOOK_URL, body, content_type="application/json", headers=headers)


class SharedDatabase:
    """The test database as other threads and processes reach it: a file for SQLite (see
    settings: DATABASES TEST NAME) or the PostgreSQL test database, named by ``url``."""

    def __init__(self) -> None:
        from urllib.parse import quote

        from django.db import connection

        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            self.url = f"sqlite:///{settings['NAME']}"
        else:
            auth = quote(settings["USER"] or "", safe="")
            if settings["PASSWORD"]:
                auth += ":" + quote(settings["PASSWORD"], safe="")
            host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
            self.url = f"postgres://{auth}@{host}/{settings['NAME']}"

    def __enter__(self) -> "SharedDatabase":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def use_in_this_thread(self) -> None:
        """Threads open their own connections to the same database: nothing to do."""

    def done_in_this_thread(self) -> None:
        from django.db import connection

        connection.close()


@pytest.fixture
def shared_db(transactional_db):
    return SharedDatabase()
