"""Per-plan limits: taking and giving back quota, and what the workspace meters show.

Taking is one conditional UPDATE (no read-then-write), so parallel requests can never push
usage past the limit; every take has an exact refund.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Greatest
from django.utils import timezone

from sselfie.accounts.models import Profile


def today_utc() -> date:
    return timezone.now().astimezone(UTC).date()


def next_utc_midnight(now: datetime | None = None) -> datetime:
    now = (now or timezone.now()).astimezone(UTC)
    return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def take_images(profile: Profile, count: int) -> date | None:
    """Take `count` images from today's allowance; returns the day charged, or None if it
    doesn't fit. Call inside the transaction that creates the job."""
    day = today_utc()
    limit = profile.plan.images_per_day
    fits = Q(images_day=day, images_used__lte=limit - count) | ~Q(images_day=day) | Q(
        images_day__isnull=True
    )
    if count > limit:
        return None
    taken = Profile.objects.filter(pk=profile.pk).filter(fits).update(
        images_used=Case(When(images_day=day, then=F("images_used") + count),
                         default=Value(count)),
        images_day=day,
    )
    return day if taken else None


def give_back_images(profile_id: int, day: date, count: int) -> None:
    """Refund `count` images charged on `day`; a refund after midnight has nothing to give."""
    if count > 0:
        Profile.objects.filter(pk=profile_id, images_day=day).update(
            images_used=Greatest(F("images_used") - count, Value(0))
        )


def images_used_today(profile: Profile) -> int:
    return profile.images_used if profile.images_day == today_utc() else 0


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
    from sselfie.studio.models import GeneratedImage
    from sselfie.training.models import Training

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
