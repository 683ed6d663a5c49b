"""Keeping photos in the gallery, within the plan's limit."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from sselfie.accounts.models import Plan, Profile, User
from sselfie.studio.models import GeneratedImage


class GalleryFull(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"Your gallery holds {limit} photos, the most your plan allows.")
        self.limit = limit


def save(image: GeneratedImage) -> None:
    """Mark an image saved. The owner's profile row is locked while counting, so parallel
    saves can never pass the limit (SQLite serialises writers the same way)."""
    with transaction.atomic():
        profile = Profile.objects.select_for_update().select_related("plan").get(
            user_id=image.owner_id
        )
        if GeneratedImage.objects.filter(pk=image.pk, saved=True).exists():
            return
        saved = GeneratedImage.objects.filter(owner_id=image.owner_id, saved=True).count()
        if saved >= profile.plan.saved_images:
            raise GalleryFull(profile.plan.saved_images)
        GeneratedImage.objects.filter(pk=image.pk).update(saved=True, saved_at=timezone.now())


def unsave(image: GeneratedImage) -> None:
    """Back to the unsaved pile (purged after GALLERY_UNSAVED_DAYS). Its share links are
    revoked, so saving it again never silently republishes an old link."""
    from sselfie.gallery.models import ShareLink

    with transaction.atomic():
        GeneratedImage.objects.filter(pk=image.pk).update(saved=False, saved_at=None,
                                                          favourite=False)
        ShareLink.objects.filter(image_id=image.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now())


def set_favourite(owner_id: int, ids: Iterable[object], favourite: bool) -> int:
    """Favourite (or not) the owner's saved photos among `ids`; others' ids match nothing."""
    return GeneratedImage.objects.filter(owner_id=owner_id, saved=True, pk__in=list(ids)).update(
        favourite=favourite)


@dataclass(frozen=True)
class Usage:
    saved: int
    limit: int

    @property
    def full(self) -> bool:
        return self.saved >= self.limit

    @property
    def percent(self) -> int:
        return 100 if self.limit <= 0 else min(round(100 * self.saved / self.limit), 100)


def usage(user: User) -> Usage:
    """How full the gallery is: two queries (the count and the plan's limit)."""
    saved = GeneratedImage.objects.owned_by(user).filter(saved=True).count()
    limit = Plan.objects.filter(profiles__user=user).values_list("saved_images", flat=True).first()
    return Usage(saved, Plan.default().saved_images if limit is None else limit)
