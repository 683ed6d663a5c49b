"""The request a signed-in view receives, typed: LoginRequiredMiddleware guarantees a
signed-in User, and django-htmx's middleware adds ``htmx``."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from sselfie.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User  # narrowed: never AnonymousUser past the middleware
    htmx: HtmxDetails


class PublicRequest(HttpRequest):
    """A view open to everyone (login_not_required) that still reads ``htmx``."""

    htmx: HtmxDetails
