"""Per-plan limits: what the workspace meters show.

Consumption happens in the apps that own each resource, always through a single
conditional UPDATE (see design.md, "Quotas"); this module only reads.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from sselfie.accounts.models import Profile


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


def next_utc_midnight(now: datetime | None = None) -> datetime:
    now = (now or timezone.now()).astimezone(UTC)
    return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def meters_for(profile: Profile) -> list[Meter]:
    plan = profile.plan
    return [
        Meter("trainings", "Model trainings", 0, plan.trainings_per_day, "per 24 hours"),
        Meter("images", "Images created", 0, plan.images_per_day, "today (UTC)",
              next_utc_midnight()),
        Meter("saved", "Saved in gallery", 0, plan.saved_images, "in total"),
    ]
