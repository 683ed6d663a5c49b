"""What the workspace page shows, gathered in one place so the view stays a few lines."""

from dataclasses import dataclass

from django.conf import settings

from sselfie.accounts.models import Profile
from sselfie.studio.forms import GenerateForm
from sselfie.studio.meters import Meter, meters_for
from sselfie.studio.models import Generation
from sselfie.studio.preview_panel import PreviewPanel
from sselfie.studio.prompts import Category, load_catalog
from sselfie.studio.results import Results
from sselfie.training.status import ModelStatus

RECENT_GENERATIONS = 3


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
        if form is None and card.model_ready:
            form = GenerateForm(initial={"model": card.model.pk})
        generations = Generation.objects.owned_by(profile.user).photos().select_related(
            "personal_model")[:RECENT_GENERATIONS]
        return cls(
            profile=profile,
            model_card=card,
            meters=meters_for(profile),
            replicate_configured=bool(settings.REPLICATE_API_TOKEN),
            form=form,
            recent=[Results.for_generation(g) for g in generations],
            preview=PreviewPanel.for_user(profile.user),
        )
