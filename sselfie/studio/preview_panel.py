"""What the workspace's preview card shows: the latest training's preview photos while the
model trains, and, once the model has made its first photos, the two side by side."""

from dataclasses import dataclass

from django.conf import settings

from sselfie.accounts.models import User
from sselfie.studio.likeness import LIKE_YOU
from sselfie.studio.models import GeneratedImage, Generation, GenState
from sselfie.studio.preview import best_of
from sselfie.studio.prompts import load_catalog
from sselfie.training.models import State, Training


@dataclass(frozen=True)
class SideBySide:
    preview: float | None  # best likeness among the preview photos
    model: float | None  # best likeness among the trained model's first photos
    model_images: list[GeneratedImage]

    @property
    def gain(self) -> float | None:
        if self.preview is None or self.model is None:
            return None
        return round(self.model - self.preview, 1)


@dataclass(frozen=True)
class PreviewPanel:
    training: Training
    rows: list[Generation]
    images: list[GeneratedImage]
    side_by_side: SideBySide | None

    @property
    def active(self) -> bool:
        return any(row.is_active for row in self.rows)

    @property
    def title(self) -> str:
        row = self.rows[0]
        category = load_catalog().category(row.category)
        return f"{category.label} · {category.subcategory(row.subcategory).label}"

    @property
    def model_name(self) -> str:
        return self.rows[0].version or settings.PREVIEW_MODEL

    @property
    def problems(self) -> list[str]:
        """Each distinct reason a photo is missing, said once."""
        seen: list[str] = []
        for row in self.rows:
            for text in (row.error, row.notice):
                if text and text not in seen:
                    seen.append(text)
        return seen

    @property
    def waiting(self) -> int:
        return sum(1 for row in self.rows if row.is_active)

    @property
    def pending(self) -> range:
        """A placeholder tile for each photo still on its way, so the card keeps its size."""
        return range(self.waiting)

    @property
    def busy_note(self) -> str:
        return next((row.busy_note for row in self.rows if row.busy_note), "")

    @property
    def like_you(self) -> int:
        return LIKE_YOU

    @property
    def training_running(self) -> bool:
        return self.training.is_active

    @classmethod
    def for_user(cls, user: User) -> "PreviewPanel | None":
        training = Training.objects.owned_by(user).first()
        if training is None:
            return None
        rows = list(Generation.objects.previews().filter(training=training).order_by(
            "created_at"))
        if not rows:
            return None
        images = list(GeneratedImage.objects.filter(generation__in=rows).order_by(
            "created_at", "index"))
        images.sort(key=lambda i: (i.likeness is None, -(i.likeness or 0)))
        return cls(training, rows, images, _side_by_side(user, training, images))


def _side_by_side(user: User, training: Training,
                  preview_images: list[GeneratedImage]) -> SideBySide | None:
    """The trained model's first finished photos after this training, next to the preview."""
    if training.state != State.SUCCEEDED or not preview_images:
        return None
    first = Generation.objects.owned_by(user).photos().filter(
        created_at__gte=training.completed_at or training.created_at,
        state=GenState.SUCCEEDED).order_by("created_at").first()
    if first is None:
        return None
    model_images = sorted(first.images.all(), key=lambda i: -(i.likeness or 0))
    return SideBySide(best_of(preview_images), best_of(model_images), model_images[:2])
