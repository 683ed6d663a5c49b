"""Signed webhook deliveries, as Stripe signs them:

    Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by whsec_…>

A worker thread delivers events to the registered endpoints in the order they happened,
retrying a failed delivery a few times. Tests that drive the studio in-process take the
signed bodies themselves (``FakeStripe.signed``) instead.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(24)


def sign(body: bytes, secret: str, timestamp: int | None = None) -> str:
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
    return f"t={stamp},v1={digest.hexdigest()}"


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event, indent=2).encode()


@dataclass(frozen=True)
class Delivery:
    event_id: str
    type: str
    url: str
    status: int | None
    attempt: int


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # Stripe counts a redirect as a failed delivery


class Dispatcher:
    def __init__(self, secret: str, retry_delays: tuple[float, ...] = (0.2, 0.5, 1.0)) -> None:
        self.secret = secret
        self.retry_delays = retry_delays
        self.endpoints: list[str] = []
        self.deliveries: list[Delivery] = []
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._idle = threading.Event()
        self._idle.set()
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                                   _NoRedirect())
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def submit(self, event: dict[str, Any]) -> None:
        if self.endpoints:
            self._idle.clear()
            self._queue.put(event)

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=2)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            if event is None:
                return
            for url in list(self.endpoints):
                self._deliver(url, event)
            if self._queue.empty():
                self._idle.set()

    def _deliver(self, url: str, event: dict[str, Any]) -> None:
        body = encode(event)
        for attempt, delay in enumerate((0.0, *self.retry_delays), start=1):
            time.sleep(delay)
            # The endpoints are http(s) URLs the test or the demo registered.
            request = urllib.request.Request(url, data=body, method="POST", headers={  # noqa: S310
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                "Stripe-Signature": sign(body, self.secret),
            })
            try:
                with self._opener.open(request, timeout=10) as response:
                    status: int | None = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError:
                status = None
            self.deliveries.append(Delivery(event["id"], event["type"], url, status, attempt))
            if status is not None and 200 <= status < 300:
                return
