"""GET /health/: is this process able to serve? Checks the database and the media storage."""

from django.contrib.auth.decorators import login_not_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

PROBE = "health/probe.txt"


@never_cache
@login_not_required
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database(), "storage": _storage()}
    healthy = all(result == "ok" for result in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means unhealthy; say which kind
        return f"error: {type(exc).__name__}"
    return "ok"


def _storage() -> str:
    try:
        if not default_storage.exists(PROBE):
            default_storage.save(PROBE, ContentFile(b"ok"))
        with default_storage.open(PROBE) as fh:
            fh.read(2)
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"
