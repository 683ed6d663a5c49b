"""What the workspace page shows, gathered in one place so the view stays a few lines."""

from dataclasses import dataclass

from sselfie.accounts.models import Profile
from sselfie.jobs import engine
from sselfie.studio.forms import GenerateForm, subcategory_field
from sselfie.studio.generation_settings import ASPECT_RATIOS
from sselfie.studio.meters import Meter, meters_for
from sselfie.studio.models import Generation
from sselfie.studio.preview_panel import PreviewPanel
from sselfie.studio.prompts import Category, load_catalog
from sselfie.studio.results import Results
from sselfie.studio.samples import sample_url
from sselfie.training.status import ModelStatus

RECENT_GENERATIONS = 3
STEPS = (("questionnaire", "Your story"), ("selfies", "Selfies"), ("training", "Training"),
         ("create", "Create"))


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    number: int
    status: str  # done | current | todo


@dataclass(frozen=True)
class CategoryCard:
    """One category as the generator draws it, with its own group of subcategories."""

    category: Category
    checked: bool
    field: str  # the subcategory radio group's name, e.g. "sub-lifestyle"
    picked: str  # the subcategory key checked in that group
    sample: str | None  # a showcase photo, or None for the drawn placeholder


@dataclass(frozen=True)
class Workspace:
    profile: Profile
    model_card: ModelStatus
    meters: list[Meter]
    replicate_configured: bool
    form: GenerateForm | None
    recent: list[Results]
    preview: PreviewPanel | None = None

    @property
    def categories(self) -> tuple[Category, ...]:
        return load_catalog().categories

    @property
    def images_left(self) -> int:
        """Today's images still to create: a click creates up to 4 of them."""
        return next((m.left for m in self.meters if m.key == "images"), 0)

    @property
    def step(self) -> str:
        return self.model_card.step

    @property
    def steps(self) -> list[Step]:
        current = [key for key, _ in STEPS].index(self.step)
        return [Step(key, label, n + 1, "done" if n < current else
                     "current" if n == current else "todo")
                for n, (key, label) in enumerate(STEPS)]

    @property
    def category_cards(self) -> list[CategoryCard]:
        if self.form is None:
            return []
        chosen = self.form.picked_category()
        return [CategoryCard(c, c.key == chosen, subcategory_field(c.key),
                             self.form.picked_subcategory(c.key), sample_url(c))
                for c in self.categories]

    @property
    def aspect_ratios(self) -> list[tuple[str, str, bool]]:
        if self.form is None:
            return []
        chosen = (self.form.data.get("aspect_ratio") if self.form.is_bound else None) \
            or self.form.fields["aspect_ratio"].initial
        return [(value, label, value == chosen) for value, label in ASPECT_RATIOS]

    @property
    def generator_locked_reason(self) -> str | None:
        if not self.replicate_configured:
            return "Creating photos needs the studio's Replicate token (see the note above)."
        if self.model_card.model_ready:
            return None
        if self.model_card.state == "training":
            return "The generator opens as soon as your model finishes training."
        return "The generator opens once your personal model is trained. Start with your selfies."

    @classmethod
    def for_profile(cls, profile: Profile, *, form: GenerateForm | None = None) -> "Workspace":
        card = ModelStatus.for_user(profile.user)
        if form is None and card.model is not None and card.model_ready:
            form = GenerateForm(initial={"model": card.model.pk})
        generations = Generation.objects.owned_by(profile.user).photos().select_related(
            "personal_model")[:RECENT_GENERATIONS]
        return cls(
            profile=profile,
            model_card=card,
            meters=meters_for(profile),
            replicate_configured=engine.configured(),
            form=form,
            recent=[Results.for_generation(g) for g in generations],
            preview=PreviewPanel.for_user(profile.user),
        )
