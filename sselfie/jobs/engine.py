"""The one answer to "which engine runs our jobs, and is it configured?"."""

from django.conf import settings
from django.urls import reverse


def configured() -> bool:
    """Training and image creation are on: the studio has a Replicate token."""
    return bool(settings.REPLICATE_API_TOKEN)


def webhook_url() -> str | None:
    """Where Replicate should send its webhooks; None when the studio has no public address
    (a laptop, a self-host behind NAT): then polling alone keeps jobs moving."""
    if not settings.PUBLIC_URL:
        return None
    return settings.PUBLIC_URL + reverse("replicate_webhook")
