from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseStopPolling

from sselfie.accounts.http import AuthedRequest
from sselfie.engines import replicate
from sselfie.training import services
from sselfie.training.models import Training
from sselfie.training.status import ModelStatus

# The Train button is served by studio/preview_views.py: it starts the instant preview too.


def owned_training(request: AuthedRequest, pk: str) -> Training:
    return get_object_or_404(Training, pk=pk, owner=request.user)


@require_http_methods(["GET", "POST"])
def cancel(request: AuthedRequest, pk: str) -> HttpResponse:
    """GET asks first (a page, so it works without JavaScript); POST cancels."""
    training = owned_training(request, pk)
    if not training.is_active:
        messages.info(request, "That training has already finished.")
        return redirect("workspace")
    if request.method == "GET":
        card = ModelStatus.for_user(request.user)
        return render(request, "training/cancel.html", {"training": training, "body": card.body})
    try:
        services.cancel(training)
    except replicate.ProviderError:
        messages.error(request, "Replicate didn't answer. Try canceling again in a minute.")
        return redirect("workspace")
    messages.success(request, "Training canceled. Your training slot is free again.")
    return redirect("workspace")


@require_GET
def status(request: AuthedRequest) -> HttpResponse:
    """The model card, polled by htmx while a training runs."""
    card = ModelStatus.for_user(request.user)
    response = render(request, "training/model_card.html", {"card": card})
    if not card.polling:
        if request.htmx:
            # Training just ended: reload the page so the generator opens (or the error
            # shows) everywhere on it, not only in this card. The reload stops the polling.
            response["HX-Refresh"] = "true"
        else:
            response.status_code = HttpResponseStopPolling.status_code
    return response
