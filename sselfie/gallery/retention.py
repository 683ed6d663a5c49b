"""Deleting photos: rows first, then their files once the deletion has committed.

Files go only after the commit: a rolled-back deletion must never leave rows that point
at missing files. A crash between the two leaves orphan files at worst, never broken rows.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from sselfie.studio.models import GeneratedImage

BATCH = 500


def delete_images(images: QuerySet[GeneratedImage]) -> int:
    """Delete these photos (their share links cascade) and, after commit, their files."""
    with transaction.atomic():
        found = list(images.select_for_update().values_list("pk", "image", "thumbnail"))
        GeneratedImage.objects.filter(pk__in=[pk for pk, *_ in found]).delete()
        names = [name for _, *files in found for name in files if name]
        transaction.on_commit(lambda: _delete_files(names))
    return len(found)


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def unsaved_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.GALLERY_UNSAVED_DAYS)


def purge_unsaved(now: datetime | None = None) -> int:
    """Delete results nobody saved within GALLERY_UNSAVED_DAYS; returns how many went.
    Batched, so a backlog never loads every row at once; `saved=False` is checked again
    under the row lock, so a photo saved meanwhile survives."""
    stale = GeneratedImage.objects.filter(saved=False, created_at__lt=unsaved_cutoff(now))
    purged = 0
    while batch := list(stale.order_by("created_at").values_list("pk", flat=True)[:BATCH]):
        purged += delete_images(stale.filter(pk__in=batch))
    return purged
