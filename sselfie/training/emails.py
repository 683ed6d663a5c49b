"""Telling the owner how a training ended: ready (with a look at the photos it learned
from) or failed (with the reason in plain words). Sent once, by whichever caller moved the
training to its final state."""

import logging

from django.urls import reverse

from sselfie import mail
from sselfie.selfies.models import Selfie
from sselfie.training.models import State, Training

log = logging.getLogger(__name__)
PREVIEWS = 4


def notify(training: Training) -> None:
    """The email for a finished training, if its ending deserves one; never raises for a
    mail server that is down: the workspace tells the same story."""
    try:
        if training.state == State.SUCCEEDED and training.version:
            _ready(training)
        elif training.state == State.FAILED:
            _failed(training)
    except OSError as exc:
        log.warning("Training %s: %s email not sent: %s", training.pk, training.state, exc)


def _ready(training: Training) -> None:
    selfies = Selfie.objects.owned_by(training.owner).order_by("created_at")[:PREVIEWS]
    inline = [found for n, selfie in enumerate(selfies, start=1)
              if (found := mail.preview(selfie.thumbnail, f"selfie-{n}@sselfie.studio"))]
    mail.send("model_ready", {
        "link": mail.absolute(reverse("workspace")), "photo_count": training.photo_count,
        "previews": [image.cid for image in inline],
    }, [training.owner.email], inline=inline)


def _failed(training: Training) -> None:
    mail.send("training_failed", {
        "link": mail.absolute(reverse("workspace")), "error": training.error,
    }, [training.owner.email])
