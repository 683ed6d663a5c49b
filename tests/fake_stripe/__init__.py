"""A strict stand-in for Stripe: see server.py."""

from tests.fake_stripe.server import FakeStripe

__all__ = ["FakeStripe"]
