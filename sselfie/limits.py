"""Request-size limits that fail early and kindly.

Three layers, cheapest first:

1. `BodyLimitMiddleware` refuses a request whose Content-Length is over its URL's cap with
   413 and a friendly page, before a byte of the body is read. Upload URLs allow a whole
   set of photos (or one, for replace); every other URL allows what Django keeps in memory
   for form fields (DATA_UPLOAD_MAX_MEMORY_SIZE).
2. `LimitedUploadHandler` counts bytes while multipart uploads stream in: a file over the
   per-photo limit, or a body over the cap (a client that sent no or a wrong length),
   stops the upload at once with the same 413.
3. Files beyond a set's maximum are skipped unread and counted, so the form can say
   "at most 15" in its own words instead of Django's bare "Bad Request (400)".
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.views.defaults import bad_request as django_bad_request

# Multipart framing (boundaries, part headers, the CSRF field) on top of the files.
OVERHEAD = 1024 * 1024
# Upload URLs and how many photos one request may carry.
UPLOAD_URLS = {"selfies": "set", "selfie_upload": "set", "selfie_replace": "one"}


class RequestTooLarge(RequestDataTooBig):
    """Refused for size; the message is meant for the person who sent it."""


def body_limit(request: HttpRequest) -> int:
    """The most bytes this request's URL accepts."""
    try:
        name = resolve(request.path_info).url_name
    except Resolver404:
        name = None
    kind = UPLOAD_URLS.get(name or "")
    if kind == "set":
        return settings.SELFIE_MAX_COUNT * settings.SELFIE_MAX_BYTES + OVERHEAD
    if kind == "one":
        return settings.SELFIE_MAX_BYTES + OVERHEAD
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE + OVERHEAD


class BodyLimitMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request)
        request.body_limit = limit  # type: ignore[attr-defined]  # read by the handler
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return too_large(request, None)
        return self.get_response(request)


class LimitedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: counts and caps; the default handlers store."""

    # Django builds upload handlers from the request being parsed, never without one.
    request: HttpRequest

    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request)
        self.limit = getattr(request, "body_limit", None) or body_limit(request)
        self.received = 0
        self.files = 0

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.files += 1
        if self.files > settings.SELFIE_MAX_COUNT:
            # Read past, not stored; the form reports the count (skipped_files).
            skipped = self.files - settings.SELFIE_MAX_COUNT
            self.request.skipped_files = skipped  # type: ignore[attr-defined]  # read by the view
            raise SkipFile

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if start + len(raw_data) > settings.SELFIE_MAX_BYTES:
            limit_mb = settings.SELFIE_MAX_BYTES // (1024 * 1024)
            raise RequestTooLarge(f"“{self.file_name}” is larger than {limit_mb} MB.")
        if self.received > self.limit:
            raise RequestTooLarge("The upload is larger than we accept in one go.")
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the file


def skipped_files(request: HttpRequest) -> int:
    return getattr(request, "skipped_files", 0)


def too_large(request: HttpRequest, exception: Exception | None, *, status: int = 413
              ) -> HttpResponse:
    """413 with a page that says what went wrong and what to do."""
    detail = str(exception) if isinstance(exception, RequestTooLarge) else ""
    limit_mb = settings.SELFIE_MAX_BYTES // (1024 * 1024)
    advice = (f"Photos can be at most {limit_mb} MB each, and at most "
              f"{settings.SELFIE_MAX_COUNT} at a time.")
    if request.headers.get("HX-Request"):
        return HttpResponse(f"{detail} {advice}".strip(), status=status,
                            content_type="text/plain; charset=utf-8")
    return render(request, "errors/too_large.html", {"detail": detail, "advice": advice},
                  status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a body refused for size is a 413; too many files says the limit."""
    if isinstance(exception, RequestDataTooBig):
        return too_large(request, exception)
    if isinstance(exception, TooManyFilesSent):
        return too_large(request, RequestTooLarge(
            f"That was more than {settings.SELFIE_MAX_COUNT} photos."), status=400)
    return django_bad_request(request, exception)
