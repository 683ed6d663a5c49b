"""Granting and revoking public display of a photo, and reading the showcase."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from sselfie.public.models import DisplayConsent, ShowcaseEntry
from sselfie.studio.models import GeneratedImage
from sselfie.studio.prompts import UnknownChoice, load_catalog

WALL_SIZE = 12


@dataclass(frozen=True)
class WallPhoto:
    entry_id: str
    category: str
    subcategory: str
    width: int
    height: int


def is_public(image: GeneratedImage) -> bool:
    return DisplayConsent.objects.live().filter(image=image).exists()


def grant(image: GeneratedImage) -> DisplayConsent:
    """Record the owner's consent; granting twice keeps the first record."""
    try:
        with transaction.atomic():
            return DisplayConsent.objects.create(image=image, owner_id=image.owner_id)
    except IntegrityError:  # already granted (a double click): the live row stands
        return DisplayConsent.objects.live().get(image=image)


def revoke(image: GeneratedImage) -> bool:
    """Take the photo off the showcase at once; True when there was something to revoke."""
    with transaction.atomic():
        changed = DisplayConsent.objects.live().filter(image=image).update(
            revoked_at=timezone.now())
        ShowcaseEntry.objects.filter(image=image).delete()
    return bool(changed)


def wall(limit: int = WALL_SIZE) -> list[WallPhoto]:
    """The landing page's photos, in the operator's order, with the labels people read."""
    catalog = load_catalog()
    photos = []
    for entry in ShowcaseEntry.objects.live().select_related("image")[:limit]:
        image = entry.image
        try:
            category = catalog.category(image.category)
            label, sub = category.label, category.subcategory(image.subcategory).label
        except UnknownChoice:  # a category retired since: still a real result
            label, sub = image.category.title(), image.subcategory.title()
        photos.append(WallPhoto(str(entry.id), label, sub, image.width, image.height))
    return photos
