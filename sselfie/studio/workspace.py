"""What the workspace page shows, gathered in one place so the view stays a few lines."""

from dataclasses import dataclass

from django.conf import settings

from sselfie.accounts.models import Profile
from sselfie.accounts.quota import Meter, meters_for


@dataclass(frozen=True)
class ModelCard:
    state: str  # "no_selfies" until the later stages add theirs
    title: str
    body: str
    action_label: str
    action_url: str | None


@dataclass(frozen=True)
class Workspace:
    profile: Profile
    model_card: ModelCard
    generator_locked_reason: str | None
    meters: list[Meter]
    replicate_configured: bool

    @classmethod
    def for_profile(cls, profile: Profile) -> "Workspace":
        card = ModelCard(
            state="no_selfies",
            title="Your personal model",
            body="Upload 10–15 selfies and we train a model that knows your face.",
            action_label="Upload your selfies",
            action_url=None,
        )
        return cls(
            profile=profile,
            model_card=card,
            generator_locked_reason=(
                "The generator opens once your personal model is trained. "
                "Start with your selfies."
            ),
            meters=meters_for(profile),
            replicate_configured=bool(settings.REPLICATE_API_TOKEN),
        )
