"""The hosted pages a browser clicks through: Checkout (pay) and the Customer Portal
(switch plan, cancel, renew). Plain HTML forms, no scripts; the card fields are the fake's
own, so nothing typed there ever reaches the studio."""

from __future__ import annotations

from html import escape
from typing import Any

DECLINED_CARD = "4000000000000002"


def _money(price: dict[str, Any]) -> str:
    return f"{price['unit_amount'] / 100:,.2f} {price['currency'].upper()} / month"


def _page(title: str, body: str) -> bytes:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>
</head><body><main><h1>{escape(title)}</h1>{body}</main></body></html>""".encode()


def checkout(session: dict[str, Any], price: dict[str, Any], error: str = "") -> bytes:
    if session["status"] != "open":
        return _page("This checkout is closed", "<p>This checkout was already completed.</p>")
    problem = f'<p role="alert">{escape(error)}</p>' if error else ""
    cancel = session.get("cancel_url")
    back = f'<p><a href="{escape(cancel)}">Back</a></p>' if cancel else ""
    return _page("Subscribe (Stripe test mode)", f"""
<p>{escape(price['nickname'])}: <strong>{escape(_money(price))}</strong></p>{problem}
<form method="post" action="/c/pay/{escape(session['id'])}">
  <p><label for="card">Card number</label>
     <input id="card" name="card" inputmode="numeric" autocomplete="cc-number"
            value="4242 4242 4242 4242"></p>
  <p><button type="submit">Pay and subscribe</button></p>
</form>{back}""")


def portal(session: dict[str, Any], sub: dict[str, Any] | None,
           prices: list[dict[str, Any]]) -> bytes:
    pid = escape(session["id"])
    back = f'<p><a href="{escape(session["return_url"] or "/")}">Return to the studio</a></p>'
    if sub is None:
        return _page("Your subscription", "<p>You have no active subscription.</p>" + back)
    item = sub["items"]["data"][0]
    price = item["price"]
    parts = [f"<p>Current plan: <strong>{escape(price['nickname'])}</strong>, "
             f"{escape(_money(price))}. Status: {escape(sub['status'])}.</p>"]
    if sub["cancel_at_period_end"]:
        parts.append("<p>Your plan is canceled and ends at the end of this period.</p>"
                     f'<form method="post" action="/p/session/{pid}/renew">'
                     "<button type=\"submit\">Renew plan</button></form>")
    else:
        parts.append(f'<form method="post" action="/p/session/{pid}/cancel">'
                     "<button type=\"submit\">Cancel plan</button></form>")
        for other in prices:
            if other["id"] != price["id"] and other["active"]:
                parts.append(
                    f'<form method="post" action="/p/session/{pid}/switch">'
                    f'<input type="hidden" name="price" value="{escape(other["id"])}">'
                    f'<button type="submit">Switch to {escape(other["nickname"])} '
                    f"({escape(_money(other))})</button></form>")
    return _page("Your subscription", "".join(parts) + back)
