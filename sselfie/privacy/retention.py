"""The published retention schedule, carried out: called by the reconcile loop."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from sselfie.privacy import erasure, export
from sselfie.selfies import intake
from sselfie.selfies.models import Selfie


def purge_old_selfies(now: datetime | None = None) -> int:
    """Only when the operator sets SELFIE_RETENTION_DAYS; by default selfies stay until
    the person deletes them."""
    days = settings.SELFIE_RETENTION_DAYS
    if not days:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    old = list(Selfie.objects.filter(created_at__lt=cutoff))
    for selfie in old:
        intake.remove(selfie)
    return len(old)


def run_schedule(now: datetime | None = None) -> dict[str, int]:
    from sselfie.gallery.retention import purge_unsaved

    return {
        "selfies": purge_old_selfies(now),
        "unsaved_photos": purge_unsaved(now),
        "exports": export.purge_expired(now),
        "provider_deletions": erasure.send_provider_deletions(),
    }
