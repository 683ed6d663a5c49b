"""A generation's results as the grid shows them: most like you first."""

from dataclasses import dataclass

from sselfie.studio.likeness import LIKE_YOU
from sselfie.studio.models import GeneratedImage, Generation
from sselfie.studio.prompts import load_catalog


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

    @classmethod
    def for_generation(cls, generation: Generation) -> "Results":
        images = list(generation.images.all())
        # Faces most like the owner first; photos without a face last.
        images.sort(key=lambda i: (i.likeness is None, -(i.likeness or 0), i.index))
        return cls(generation, images)
