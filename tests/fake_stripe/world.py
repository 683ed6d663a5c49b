"""The fake's Stripe account: customers, prices, Checkout and Portal sessions,
subscriptions, invoices and the events they raise, on a clock the tests can move.

Objects are shaped as Stripe's API version 2025-03-31 and later shapes them (the billing
period lives on subscription items; invoices name their subscription under
``parent.subscription_details``). Every change appends an event; the server signs and
delivers them.
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PERIOD = 30 * 24 * 3600  # one "month"
API_VERSION = "2026-10-28.endive"
LIVE = ("active", "trialing", "past_due")


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


class NotFound(Exception):
    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"No such {kind}: '{ident}'")
        self.param = "id"


class Invalid(Exception):
    def __init__(self, message: str, param: str = "") -> None:
        super().__init__(message)
        self.param = param


@dataclass
class Clock:
    offset: float = 0.0

    def now(self) -> int:
        return int(time.time() + self.offset)


@dataclass
class World:
    origin: str
    on_event: Callable[[dict[str, Any]], None]
    clock: Clock = field(default_factory=Clock)
    lock: threading.RLock = field(default_factory=threading.RLock)
    prices: dict[str, dict[str, Any]] = field(default_factory=dict)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    portals: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    decline_renewals: int = 0

    # --- events ------------------------------------------------------------------------

    def emit(self, kind: str, obj: dict[str, Any],
             previous: dict[str, Any] | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {"object": copy.deepcopy(obj)}
        if previous is not None:
            data["previous_attributes"] = previous
        event = {"id": new_id("evt"), "object": "event", "api_version": API_VERSION,
                 "created": self.clock.now(), "type": kind, "data": data, "livemode": False,
                 "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None}}
        self.events.append(event)
        self.on_event(event)
        return event

    # --- prices and customers ---------------------------------------------------------------

    def add_price(self, price_id: str, unit_amount: int, currency: str = "usd",
                  nickname: str = "") -> dict[str, Any]:
        price = {"id": price_id, "object": "price", "active": True, "currency": currency,
                 "unit_amount": unit_amount, "nickname": nickname or price_id,
                 "type": "recurring", "recurring": {"interval": "month", "interval_count": 1},
                 "livemode": False, "created": self.clock.now()}
        self.prices[price_id] = price
        return price

    def price(self, price_id: str) -> dict[str, Any]:
        if price_id not in self.prices:
            raise NotFound("price", price_id)
        return self.prices[price_id]

    def create_customer(self, params: dict[str, Any]) -> dict[str, Any]:
        customer = {"id": new_id("cus"), "object": "customer", "created": self.clock.now(),
                    "email": params.get("email"), "name": params.get("name"),
                    "description": params.get("description"),
                    "metadata": params.get("metadata", {}), "livemode": False}
        self.customers[customer["id"]] = customer
        self.emit("customer.created", customer)
        return customer

    def customer(self, customer_id: str) -> dict[str, Any]:
        found = self.customers.get(customer_id)
        if found is None or found.get("deleted"):
            raise NotFound("customer", customer_id)
        return found

    def delete_customer(self, customer_id: str) -> dict[str, Any]:
        customer = self.customer(customer_id)
        for sub in list(self.subscriptions.values()):
            if sub["customer"] == customer_id and sub["status"] in LIVE:
                self.cancel_now(sub["id"])
        customer["deleted"] = True
        self.emit("customer.deleted", customer)
        return {"id": customer_id, "object": "customer", "deleted": True}

    # --- Checkout ------------------------------------------------------------------------

    def create_session(self, params: dict[str, Any]) -> dict[str, Any]:
        if params["mode"] != "subscription":
            raise Invalid("This stand-in supports only mode=subscription.", "mode")
        items = params.get("line_items") or []
        if len(items) != 1:
            raise Invalid("Pass exactly one line item.", "line_items")
        for i, item in enumerate(items):
            if "price" not in item:
                raise Invalid(f"Missing required param: line_items[{i}][price].",
                              f"line_items[{i}][price]")
            self.price(item["price"])
        if "success_url" not in params:
            raise Invalid("Missing required param: success_url.", "success_url")
        customer = params.get("customer")
        if customer:
            self.customer(customer)
        sid = f"cs_test_{secrets.token_hex(16)}"
        session = {
            "id": sid, "object": "checkout.session", "mode": "subscription",
            "status": "open", "payment_status": "unpaid", "customer": customer,
            "customer_email": params.get("customer_email"),
            "client_reference_id": params.get("client_reference_id"),
            "success_url": params["success_url"], "cancel_url": params.get("cancel_url"),
            "metadata": params.get("metadata", {}), "subscription": None, "invoice": None,
            "url": f"{self.origin}/c/pay/{sid}", "created": self.clock.now(),
            "expires_at": self.clock.now() + 24 * 3600, "livemode": False,
            "line_items_price": items[0]["price"],
            "subscription_metadata": (params.get("subscription_data") or {}).get("metadata", {}),
        }
        self.sessions[sid] = session
        return session

    def session(self, sid: str) -> dict[str, Any]:
        if sid not in self.sessions:
            raise NotFound("checkout.session", sid)
        return self.sessions[sid]

    def pay(self, sid: str) -> dict[str, Any]:
        """The person pays on the hosted page: subscription, first invoice, events."""
        session = self.session(sid)
        if session["status"] != "open":
            raise Invalid("This Checkout Session is no longer open.")
        if not session["customer"]:
            session["customer"] = self.create_customer({"email": session["customer_email"]})["id"]
        sub = self._new_subscription(session["customer"], session["line_items_price"],
                                     session["subscription_metadata"])
        invoice = self._invoice(sub, self.price(session["line_items_price"])["unit_amount"],
                                "subscription_create", paid=True)
        session.update(status="complete", payment_status="paid", subscription=sub["id"],
                       invoice=invoice["id"])
        self.emit("invoice.paid", invoice)
        self.emit("checkout.session.completed", self.public_session(session))
        return session

    @staticmethod
    def public_session(session: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in session.items()
                if k not in ("line_items_price", "subscription_metadata")}

    # --- subscriptions -----------------------------------------------------------------------

    def _new_subscription(self, customer: str, price_id: str,
                          metadata: dict[str, str]) -> dict[str, Any]:
        now = self.clock.now()
        sub_id = new_id("sub")
        sub = {"id": sub_id, "object": "subscription", "customer": customer,
               "status": "active", "cancel_at_period_end": False, "cancel_at": None,
               "canceled_at": None, "ended_at": None, "created": now, "start_date": now,
               "currency": self.price(price_id)["currency"], "metadata": metadata,
               "latest_invoice": None, "livemode": False,
               "items": {"object": "list", "has_more": False,
                         "url": f"/v1/subscription_items?subscription={sub_id}",
                         "data": [self._item(sub_id, price_id, now)]}}
        self.subscriptions[sub_id] = sub
        self.emit("customer.subscription.created", sub)
        return sub

    def _item(self, sub_id: str, price_id: str, start: int) -> dict[str, Any]:
        return {"id": new_id("si"), "object": "subscription_item", "subscription": sub_id,
                "price": copy.deepcopy(self.price(price_id)), "quantity": 1,
                "current_period_start": start, "current_period_end": start + PERIOD,
                "created": start}

    def subscription(self, sub_id: str) -> dict[str, Any]:
        if sub_id not in self.subscriptions:
            raise NotFound("subscription", sub_id)
        return self.subscriptions[sub_id]

    def update_subscription(self, sub_id: str, params: dict[str, Any]) -> dict[str, Any]:
        sub = self.subscription(sub_id)
        if sub["status"] not in LIVE:
            raise Invalid("A canceled subscription can only update its metadata.")
        previous: dict[str, Any] = {}
        item = sub["items"]["data"][0]
        if "cancel_at_period_end" in params:
            previous["cancel_at_period_end"] = sub["cancel_at_period_end"]
            sub["cancel_at_period_end"] = params["cancel_at_period_end"]
            sub["cancel_at"] = item["current_period_end"] if sub["cancel_at_period_end"] else None
            sub["canceled_at"] = self.clock.now() if sub["cancel_at_period_end"] else None
        for change in params.get("items", []):
            if change.get("id") not in (None, item["id"]):
                raise NotFound("subscription_item", change["id"])
            if "price" in change:
                old = item["price"]
                new = copy.deepcopy(self.price(change["price"]))
                previous["items"] = copy.deepcopy(sub["items"])
                item["price"] = new
                difference = new["unit_amount"] - old["unit_amount"]
                if difference > 0 and params.get("proration_behavior") != "none":
                    self.emit("invoice.paid", self._invoice(sub, difference,
                                                            "subscription_update", paid=True))
        if "metadata" in params:
            previous["metadata"] = sub["metadata"]
            sub["metadata"] = params["metadata"]
        self.emit("customer.subscription.updated", sub, previous)
        return sub

    def cancel_now(self, sub_id: str) -> dict[str, Any]:
        sub = self.subscription(sub_id)
        if sub["status"] == "canceled":
            raise Invalid("This subscription is already canceled.")
        now = self.clock.now()
        sub.update(status="canceled", canceled_at=sub["canceled_at"] or now, ended_at=now)
        self.emit("customer.subscription.deleted", sub)
        return sub

    def _invoice(self, sub: dict[str, Any], amount: int, reason: str,
                 paid: bool) -> dict[str, Any]:
        now = self.clock.now()
        invoice = {"id": new_id("in"), "object": "invoice", "customer": sub["customer"],
                   "currency": sub["currency"], "amount_due": amount,
                   "amount_paid": amount if paid else 0, "billing_reason": reason,
                   "status": "paid" if paid else "open", "created": now,
                   "status_transitions": {"paid_at": now if paid else None},
                   "parent": {"type": "subscription_details",
                              "subscription_details": {"subscription": sub["id"],
                                                       "metadata": sub["metadata"]}},
                   "livemode": False}
        self.invoices[invoice["id"]] = invoice
        sub["latest_invoice"] = invoice["id"]
        return invoice

    # --- time ------------------------------------------------------------------------------

    def travel(self, seconds: float) -> None:
        """Move the clock on; periods that end renew (or fail to), or end the subscription."""
        self.clock.offset += seconds
        now = self.clock.now()
        for sub in list(self.subscriptions.values()):
            item = sub["items"]["data"][0]
            while sub["status"] in LIVE and item["current_period_end"] <= now:
                if sub["cancel_at_period_end"]:
                    sub.update(status="canceled", ended_at=item["current_period_end"])
                    self.emit("customer.subscription.deleted", sub)
                    break
                item["current_period_start"] = item["current_period_end"]
                item["current_period_end"] += PERIOD
                amount = item["price"]["unit_amount"]
                if self.decline_renewals > 0:
                    self.decline_renewals -= 1
                    invoice = self._invoice(sub, amount, "subscription_cycle", paid=False)
                    sub["status"] = "past_due"
                    self.emit("invoice.payment_failed", invoice)
                else:
                    invoice = self._invoice(sub, amount, "subscription_cycle", paid=True)
                    sub["status"] = "active"
                    self.emit("invoice.paid", invoice)
                self.emit("customer.subscription.updated", sub)

    def pay_open_invoices(self, sub_id: str) -> None:
        """The card works again: open invoices are paid and the subscription is active."""
        sub = self.subscription(sub_id)
        now = self.clock.now()
        for invoice in self.invoices.values():
            if invoice["parent"]["subscription_details"]["subscription"] == sub_id and \
                    invoice["status"] == "open":
                invoice.update(status="paid", amount_paid=invoice["amount_due"],
                               status_transitions={"paid_at": now})
                self.emit("invoice.paid", invoice)
        if sub["status"] == "past_due":
            sub["status"] = "active"
            self.emit("customer.subscription.updated", sub, {"status": "past_due"})

    # --- portal --------------------------------------------------------------------------

    def create_portal(self, params: dict[str, Any]) -> dict[str, Any]:
        self.customer(params["customer"])
        pid = new_id("bps")
        portal = {"id": pid, "object": "billing_portal.session", "customer": params["customer"],
                  "return_url": params.get("return_url"), "created": self.clock.now(),
                  "livemode": False, "url": f"{self.origin}/p/session/{pid}"}
        self.portals[pid] = portal
        return portal

    def portal(self, pid: str) -> dict[str, Any]:
        if pid not in self.portals:
            raise NotFound("billing_portal.session", pid)
        return self.portals[pid]

    def live_subscription(self, customer: str) -> dict[str, Any] | None:
        for sub in self.subscriptions.values():
            if sub["customer"] == customer and sub["status"] in LIVE:
                return sub
        return None
