"""``FakeStripe``: a real HTTP server speaking the part of Stripe's API the studio uses.

    with FakeStripe() as stripe:
        stripe.add_price("price_pro", 2900, nickname="Pro")
        settings.STRIPE_API_BASE = stripe.base_url   # the SDK talks to it over HTTP
        ...
        stripe.travel(31 * 86400)                    # periods end, renewals happen
        body, headers = stripe.signed(stripe.events[-1])

Webhooks: events are signed with ``webhook_secret``; with ``endpoints`` set, a worker
thread delivers them there, in order.
"""

from __future__ import annotations

import copy
import json
import secrets
import threading
from http.server import ThreadingHTTPServer
from typing import Any

from tests.fake_stripe.routes import Handler, RecordedRequest
from tests.fake_stripe.webhooks import Delivery, Dispatcher, new_secret, sign
from tests.fake_stripe.world import World


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


class FakeStripe:
    def __init__(self, secret_key: str | None = None, *, webhook_secret: str | None = None,
                 host: str = "127.0.0.1", port: int = 0,
                 endpoints: list[str] | None = None) -> None:
        self.secret_key = secret_key or "sk_test_" + secrets.token_hex(12)
        self.webhook_secret = webhook_secret or new_secret()
        self.host, self.port = host, port
        self.requests: list[RecordedRequest] = []
        self.idempotent: dict[str, tuple[int, dict[str, Any]]] = {}
        self._endpoints = endpoints or []
        self._server: _Server | None = None

    def start(self) -> FakeStripe:
        handler = type("BoundHandler", (Handler,), {"fake": self})
        self._server = _Server((self.host, self.port), handler)
        self.port = self._server.server_address[1]
        self.dispatcher = Dispatcher(self.webhook_secret)
        self.dispatcher.endpoints = list(self._endpoints)
        self.world = World(self.origin, self.dispatcher.submit)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.01}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self.dispatcher.stop()
        self._thread.join(timeout=2)

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What STRIPE_API_BASE should be set to (the SDK adds /v1/…)."""
        return self.origin

    # --- arranging ---------------------------------------------------------------------------

    def add_price(self, price_id: str, unit_amount: int, currency: str = "usd",
                  nickname: str = "") -> dict[str, Any]:
        with self.world.lock:
            return self.world.add_price(price_id, unit_amount, currency, nickname)

    def add_endpoint(self, url: str) -> None:
        self.dispatcher.endpoints.append(url)

    def decline_renewals(self, times: int = 1) -> None:
        with self.world.lock:
            self.world.decline_renewals += times

    # --- acting as the person or as time ----------------------------------------------------

    def pay(self, session_id: str) -> dict[str, Any]:
        """What clicking "Pay" on the hosted page does."""
        with self.world.lock:
            return copy.deepcopy(self.world.pay(session_id))

    def cancel_at_period_end(self, subscription_id: str) -> dict[str, Any]:
        """What "Cancel plan" in the portal does."""
        with self.world.lock:
            return copy.deepcopy(self.world.update_subscription(
                subscription_id, {"cancel_at_period_end": True}))

    def switch_price(self, subscription_id: str, price_id: str) -> dict[str, Any]:
        with self.world.lock:
            sub = self.world.subscription(subscription_id)
            return copy.deepcopy(self.world.update_subscription(subscription_id, {
                "items": [{"id": sub["items"]["data"][0]["id"], "price": price_id}],
                "proration_behavior": "always_invoice"}))

    def delete_customer(self, customer_id: str) -> None:
        with self.world.lock:
            self.world.delete_customer(customer_id)

    def pay_open_invoices(self, subscription_id: str) -> None:
        with self.world.lock:
            self.world.pay_open_invoices(subscription_id)

    def travel(self, seconds: float) -> None:
        with self.world.lock:
            self.world.travel(seconds)

    def emit(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Raise any event, e.g. one of a type the studio does not handle."""
        with self.world.lock:
            return self.world.emit(kind, obj)

    # --- looking -------------------------------------------------------------------------------

    @property
    def events(self) -> list[dict[str, Any]]:
        with self.world.lock:
            return copy.deepcopy(self.world.events)

    def events_of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == kind]

    def subscription(self, subscription_id: str) -> dict[str, Any]:
        with self.world.lock:
            return copy.deepcopy(self.world.subscription(subscription_id))

    def subscriptions(self) -> list[dict[str, Any]]:
        with self.world.lock:
            return copy.deepcopy(list(self.world.subscriptions.values()))

    def calls(self, op: str | None = None) -> list[RecordedRequest]:
        return [r for r in list(self.requests) if op is None or r.op == op]

    @property
    def deliveries(self) -> list[Delivery]:
        return list(self.dispatcher.deliveries)

    def wait_for_webhooks(self, timeout: float = 10.0) -> bool:
        return self.dispatcher.wait_idle(timeout)

    def signed(self, event: dict[str, Any], *, skew: int = 0, tamper: bool = False,
               secret: str | None = None) -> tuple[bytes, dict[str, str]]:
        """The body and headers Stripe would POST for this event (``skew`` seconds off the
        real time; ``tamper`` changes the body after signing)."""
        import time

        body = json.dumps(event, indent=2).encode()
        header = sign(body, secret or self.webhook_secret, int(time.time()) + skew)
        if tamper:
            body = body.replace(b'"livemode": false', b'"livemode": true ')
        return body, {"Stripe-Signature": header, "Content-Type": "application/json"}
