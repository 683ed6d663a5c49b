"""The workspace's usage meters: one per plan limit, counted from each app's own rows."""

from dataclasses import dataclass
from datetime import datetime

from sselfie.accounts.models import Profile
from sselfie.accounts.quota import images_used_today, next_utc_midnight
from sselfie.studio.models import GeneratedImage
from sselfie.training.models import Training


@dataclass(frozen=True)
class Meter:
    key: str
    label: str
    used: int
    limit: int
    window: str
    resets_at: datetime | None = None

    @property
    def left(self) -> int:
        return max(self.limit - self.used, 0)

    @property
    def percent(self) -> int:
        return 100 if self.limit <= 0 else min(round(100 * self.used / self.limit), 100)


def meters_for(profile: Profile) -> list[Meter]:
    plan = profile.plan
    trainings = Training.objects.filter(owner_id=profile.user_id).counting_against_quota()
    saved = GeneratedImage.objects.filter(owner_id=profile.user_id, saved=True).count()
    return [
        Meter("trainings", "Model trainings", trainings.count(), plan.trainings_per_day,
              "per 24 hours"),
        Meter("images", "Images created", images_used_today(profile), plan.images_per_day,
              "today (UTC)", next_utc_midnight()),
        Meter("saved", "Saved in gallery", saved, plan.saved_images, "in total"),
    ]
