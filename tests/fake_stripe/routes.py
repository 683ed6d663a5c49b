"""The HTTP side: Stripe's API (Bearer-key authentication, form-encoded parameters checked
strictly, Stripe's error shape, Idempotency-Key replay) and the hosted pages."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fake_stripe import pages, params
from tests.fake_stripe.world import Invalid, NotFound, World

MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    op: str
    params: dict[str, Any]
    status: int


class ApiError(Exception):
    def __init__(self, status: int, message: str, *, code: str = "", param: str = "",
                 kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param, self.kind = (
            status, message, code, param, kind)


API = [
    ("POST", r"/v1/customers", "customers.create"),
    ("GET", r"/v1/customers/(?P<id>[\w]+)", "customers.retrieve"),
    ("DELETE", r"/v1/customers/(?P<id>[\w]+)", "customers.delete"),
    ("POST", r"/v1/checkout/sessions", "checkout.sessions.create"),
    ("GET", r"/v1/checkout/sessions/(?P<id>[\w]+)", "checkout.sessions.retrieve"),
    ("POST", r"/v1/billing_portal/sessions", "billing_portal.sessions.create"),
    ("GET", r"/v1/subscriptions/(?P<id>[\w]+)", "subscriptions.retrieve"),
    ("POST", r"/v1/subscriptions/(?P<id>[\w]+)", "subscriptions.update"),
    ("DELETE", r"/v1/subscriptions/(?P<id>[\w]+)", "subscriptions.cancel"),
    ("GET", r"/v1/prices/(?P<id>[\w]+)", "prices.retrieve"),
    ("GET", r"/v1/events/(?P<id>[\w]+)", "events.retrieve"),
    ("GET", r"/v1/events", "events.list"),
]
PAGES = [
    ("GET", r"/c/pay/(?P<id>cs_test_\w+)", "checkout.page"),
    ("POST", r"/c/pay/(?P<id>cs_test_\w+)", "checkout.pay"),
    ("GET", r"/p/session/(?P<id>bps_\w+)", "portal.page"),
    ("POST", r"/p/session/(?P<id>bps_\w+)/(?P<action>cancel|renew|switch)", "portal.action"),
]


class Handler(BaseHTTPRequestHandler):
    fake: Any  # set on the bound subclass by FakeStripe.start
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 -- quiet
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    # --- plumbing ------------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._json(413, _error(ApiError(413, "Request too large.")))
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else b""
        for verb, pattern, op in PAGES:
            match = re.fullmatch(pattern, url.path)
            if match and verb == method:
                return self._page(op, match.groupdict(), body)
        for verb, pattern, op in API:
            match = re.fullmatch(pattern, url.path)
            if match and verb == method:
                return self._api(op, match.groupdict(), body if method == "POST"
                                 else url.query.encode())
        self._json(404, _error(ApiError(404, f"Unrecognized request URL ({method}: "
                                             f"{url.path}).")))

    def _api(self, op: str, ids: dict[str, str], raw: bytes) -> None:
        fake = self.fake
        decoded: dict[str, Any] = {}
        try:
            auth = self.headers.get("Authorization", "")
            if auth != f"Bearer {fake.secret_key}":
                raise ApiError(401, "Invalid API Key provided: " + _masked(auth))
            key = self.headers.get("Idempotency-Key")
            if key and self.command == "POST" and key in fake.idempotent:
                status, payload = fake.idempotent[key]
                return self._json(status, payload)
            try:
                decoded = params.decode(raw)
                with fake.world.lock:
                    status, payload = 200, _handle(fake.world, op, ids, decoded)
            except params.ParamError as exc:
                raise ApiError(400, exc.message, code=exc.code, param=exc.param) from None
            except NotFound as exc:
                raise ApiError(404, str(exc), code="resource_missing", param=exc.param) from None
            except Invalid as exc:
                raise ApiError(400, str(exc), param=exc.param) from None
            if key and self.command == "POST":
                fake.idempotent[key] = (status, payload)
        except ApiError as exc:
            status, payload = exc.status, _error(exc)
        fake.requests.append(RecordedRequest(self.command, self.path, op, decoded, status))
        self._json(status, payload)

    def _page(self, op: str, ids: dict[str, str], body: bytes) -> None:
        world: World = self.fake.world
        form = dict(parse_qsl(body.decode("utf-8", "replace")))
        try:
            with world.lock:
                if op == "checkout.page":
                    session = world.session(ids["id"])
                    return self._html(200, pages.checkout(
                        session, world.price(session["line_items_price"])))
                if op == "checkout.pay":
                    session = world.session(ids["id"])
                    card = re.sub(r"\D", "", form.get("card", ""))
                    if card == pages.DECLINED_CARD or len(card) < 12:
                        return self._html(402, pages.checkout(
                            session, world.price(session["line_items_price"]),
                            "Your card was declined."))
                    world.pay(ids["id"])
                    target = session["success_url"].replace("{CHECKOUT_SESSION_ID}",
                                                            session["id"])
                    return self._redirect(target)
                portal = world.portal(ids["id"])
                sub = world.live_subscription(portal["customer"])
                if op == "portal.page":
                    return self._html(200, pages.portal(portal, sub,
                                                        list(world.prices.values())))
                if sub is None:
                    raise Invalid("No active subscription.")
                action = ids["action"]
                if action == "cancel":
                    world.update_subscription(sub["id"], {"cancel_at_period_end": True})
                elif action == "renew":
                    world.update_subscription(sub["id"], {"cancel_at_period_end": False})
                else:
                    world.update_subscription(sub["id"], {
                        "items": [{"id": sub["items"]["data"][0]["id"],
                                   "price": form.get("price", "")}],
                        "proration_behavior": "always_invoice"})
                return self._redirect(f"/p/session/{portal['id']}")
        except (NotFound, Invalid) as exc:
            self._html(404 if isinstance(exc, NotFound) else 400,
                       pages._page("Something went wrong", f"<p>{exc}</p>"))

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Request-Id", "req_fake")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _html(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(303)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _masked(auth: str) -> str:
    key = auth.removeprefix("Bearer ")
    return (key[:8] + "*" * 4) if key else "(none)"


def _error(exc: ApiError) -> dict[str, Any]:
    error: dict[str, Any] = {"type": exc.kind, "message": exc.message}
    if exc.code:
        error["code"] = exc.code
    if exc.param:
        error["param"] = exc.param
    return {"error": error}


def _handle(world: World, op: str, ids: dict[str, str], given: dict[str, Any]) -> dict:
    P = params
    if op == "customers.create":
        return world.create_customer(P.check(given, P.CUSTOMER_CREATE))
    if op == "customers.retrieve":
        P.check(given, P.RETRIEVE)
        return world.customer(ids["id"])
    if op == "customers.delete":
        P.check(given, {})
        return world.delete_customer(ids["id"])
    if op == "checkout.sessions.create":
        return world.public_session(world.create_session(
            P.check(given, P.CHECKOUT_CREATE, required=("mode",))))
    if op == "checkout.sessions.retrieve":
        P.check(given, P.RETRIEVE)
        return world.public_session(world.session(ids["id"]))
    if op == "billing_portal.sessions.create":
        return world.create_portal(P.check(given, P.PORTAL_CREATE, required=("customer",)))
    if op == "subscriptions.retrieve":
        P.check(given, P.RETRIEVE)
        return world.subscription(ids["id"])
    if op == "subscriptions.update":
        return world.update_subscription(ids["id"], P.check(given, P.SUBSCRIPTION_UPDATE))
    if op == "subscriptions.cancel":
        P.check(given, P.SUBSCRIPTION_CANCEL)
        return world.cancel_now(ids["id"])
    if op == "prices.retrieve":
        P.check(given, P.RETRIEVE)
        return world.price(ids["id"])
    if op == "events.retrieve":
        P.check(given, P.RETRIEVE)
        for event in world.events:
            if event["id"] == ids["id"]:
                return event
        raise NotFound("event", ids["id"])
    if op == "events.list":
        query = P.check(given, P.EVENTS_LIST)
        found = [e for e in reversed(world.events) if query.get("type") in (None, e["type"])]
        limit = query.get("limit", 10)
        if not 1 <= limit <= 100:
            raise params.ParamError("limit must be between 1 and 100.", "limit",
                                    "parameter_invalid_integer")
        return {"object": "list", "url": "/v1/events", "has_more": len(found) > limit,
                "data": found[:limit]}
    raise AssertionError(op)
