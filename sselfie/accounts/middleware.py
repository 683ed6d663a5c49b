from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from sselfie.accounts.models import Profile

# Account pages (login, logout, email, password) and the admin stay reachable before onboarding.
_EXEMPT_MODULE_PREFIXES = ("allauth.", "django.contrib.admin.")


def onboarding_not_required[F: Callable[..., Any]](view: F) -> F:
    """Mark a view a signed-in person may use before finishing the questionnaire."""
    view.onboarding_not_required = True  # type: ignore[attr-defined]
    return view


class OnboardingMiddleware:
    """The studio is reachable only once the questionnaire is complete."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not request.user.is_authenticated:
            return None
        if getattr(view_func, "onboarding_not_required", False):
            return None
        if not getattr(view_func, "login_required", True):
            return None  # public pages (landing, share links, webhooks) need no profile
        module = getattr(view_func, "__module__", "") or ""
        if module.startswith(_EXEMPT_MODULE_PREFIXES):
            return None
        if Profile.for_user(request.user).is_onboarded:
            return None
        return redirect("profile")
