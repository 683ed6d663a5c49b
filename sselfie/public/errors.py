"""The CSRF-failure page (settings.CSRF_FAILURE_VIEW): branded, with a way back to the form."""

from django.http import HttpRequest, HttpResponseForbidden
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponseForbidden:
    """A stale form (logged out in another tab, an old page) meets a page that says so and
    links back to the page the form was on, when that page is ours."""
    referer = request.META.get("HTTP_REFERER", "")
    safe = url_has_allowed_host_and_scheme(referer, {request.get_host()},
                                           require_https=request.is_secure())
    body = loader.get_template("errors/csrf.html").render({"back": referer if safe else "/"})
    return HttpResponseForbidden(body)
