"""The Train button (it starts the training and, beside it, the instant preview) and the
preview card that the workspace polls while the preview is being made."""

import logging
from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from sselfie.accounts.models import User
from sselfie.studio import preview
from sselfie.studio.preview_panel import PreviewPanel
from sselfie.studio.prompts import UnknownChoice, load_catalog
from sselfie.training import services
from sselfie.training.status import expected_duration

log = logging.getLogger(__name__)
PANEL = "studio/preview.html"


def preview_choice(raw: str) -> tuple[str, str]:
    """"category/subcategory" from the Train form; anything else is the default choice (a
    preview's subject never stands between a person and their training)."""
    category, _, subcategory = (raw or "").partition("/")
    try:
        load_catalog().category(category).subcategory(subcategory)
    except UnknownChoice:
        return preview.DEFAULT_CHOICE
    return category, subcategory


def _user(request: HttpRequest) -> User:
    """LoginRequiredMiddleware lets no anonymous visitor reach these views."""
    return cast(User, request.user)


@require_POST
def train(request: HttpRequest) -> HttpResponse:
    try:
        training = services.start(_user(request))
    except services.CannotTrain as exc:
        message = exc.message
        if exc.resets_at:
            message += f" You can train again after {exc.resets_at:%b %-d, %H:%M} UTC."
        messages.error(request, message)
        return redirect("selfies")
    category, subcategory = preview_choice(request.POST.get("preview", ""))
    started = []
    try:
        started = preview.start(training, category=category, subcategory=subcategory)
    except Exception:  # noqa: BLE001 -- the training is committed; a preview never undoes it
        log.exception("Preview for training %s not started", training.pk)
    note = (" Your instant preview appears below in about a minute."
            if any(row.is_active for row in started) else "")
    messages.success(request, f"Training started. It takes {expected_duration()}; we'll "
                              f"email you when your model is ready.{note}")
    return redirect("workspace")


@require_GET
def panel(request: HttpRequest) -> HttpResponse:
    """The preview card, polled by htmx until its photos are in."""
    found = PreviewPanel.for_user(_user(request))
    response = render(request, PANEL, {"preview": found})
    if found is None or not found.active:
        response.status_code = HttpResponseStopPolling.status_code
    return response
