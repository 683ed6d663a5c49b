"""A generation's results as the grid shows them: most like you first."""

from dataclasses import dataclass

from django.utils import timezone

from sselfie.studio.likeness import LIKE_YOU
from sselfie.studio.models import GeneratedImage, Generation, GenState
from sselfie.studio.prompts import load_catalog

# Typical time from pressing Create to four stored photos (the spec's 28 steps on FLUX dev);
# the placeholder tiles' progress is measured against it and never claims to be done.
TYPICAL_SECONDS = 60
# What each moment is called while the photos are on their way.
STAGE_WORDS = {
    GenState.QUEUED: "Getting ready",
    GenState.SUBMITTING: "Getting ready",
    GenState.PROCESSING: "Creating your photos",
    GenState.INGESTING: "Almost there: developing your photos",
}


@dataclass(frozen=True)
class Results:
    generation: Generation
    images: list[GeneratedImage]

    @property
    def title(self) -> str:
        category = load_catalog().category(self.generation.category)
        return f"{category.label} · {category.subcategory(self.generation.subcategory).label}"

    @property
    def like_you(self) -> int:
        return LIKE_YOU

    @property
    def ratio_class(self) -> str:
        """A CSS class that gives placeholders the shape the photos will have."""
        return "ratio-" + self.generation.aspect_ratio.replace(":", "-")

    @property
    def pending(self) -> range:
        """Placeholder tiles for the photos still on their way."""
        if not self.generation.is_active:
            return range(0)
        return range(max(self.generation.requested - len(self.images), 0))

    @property
    def stage(self) -> str:
        return STAGE_WORDS.get(GenState(self.generation.state), "")

    @property
    def percent(self) -> int:
        """Time-based progress, capped below 100 until the photos are really in."""
        elapsed = (timezone.now() - self.generation.created_at).total_seconds()
        return max(3, min(95, round(100 * elapsed / TYPICAL_SECONDS)))

    @classmethod
    def for_generation(cls, generation: Generation) -> "Results":
        images = list(generation.images.all())
        # Faces most like the owner first; photos without a face last.
        images.sort(key=lambda i: (i.likeness is None, -(i.likeness or 0), i.index))
        return cls(generation, images)
