"""Run the Stripe stand-in for a local demo: ``python -m tests.fake_stripe --help``."""

from __future__ import annotations

import argparse
import signal
import threading

from tests.fake_stripe.server import FakeStripe


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fake_stripe",
        description="A Stripe stand-in on this machine: Checkout and Portal pages, "
                    "subscriptions and signed webhooks to the studio you name.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766, help="0 for any free port")
    parser.add_argument("--webhook-url", default="http://127.0.0.1:8000/webhooks/stripe/",
                        help="where to deliver events (default: a local `make run`)")
    parser.add_argument("--price", action="append", default=[], metavar="ID:CENTS[:NAME]",
                        help="a monthly price to sell, e.g. price_pro:2900:Pro (repeatable)")
    args = parser.parse_args(argv)
    fake = FakeStripe("sk_test_dev", host=args.host, port=args.port,
                      endpoints=[args.webhook_url]).start()
    for spec in args.price or ["price_pro:2900:Pro"]:
        price_id, cents, *name = spec.split(":")
        fake.add_price(price_id, int(cents), nickname=name[0] if name else price_id)
    print(f"Fake Stripe listening on {fake.origin}", flush=True)
    print(f"  STRIPE_API_BASE={fake.base_url}")
    print(f"  STRIPE_SECRET_KEY={fake.secret_key}")
    print(f"  STRIPE_WEBHOOK_SECRET={fake.webhook_secret}")
    print("  prices: " + ", ".join(fake.world.prices) + " (put them on plans in the admin)")
    print("Ctrl-C stops it.", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
