"""The daily image allowance: taking and giving back quota.

Taking is a compare-and-set UPDATE (no blind read-then-write), so parallel requests can
never push usage past the limit; every take has an exact refund. The meters the workspace
shows are in studio/meters.py, which can count every app's rows.
"""

from datetime import UTC, date, datetime, timedelta

from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from sselfie.accounts.models import Profile


def today_utc() -> date:
    return timezone.now().astimezone(UTC).date()


def next_utc_midnight(now: datetime | None = None) -> datetime:
    now = (now or timezone.now()).astimezone(UTC)
    return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def take_images(profile: Profile, wanted: int) -> tuple[date, int] | None:
    """Take up to `wanted` images from today's allowance: all of them, or what is left of
    it. Returns the day charged and how many were taken, or None when nothing is left.
    Call inside the transaction that creates the job.

    A compare-and-set on the usage we read: a racing request that changed it first makes
    ours read again, so usage never passes the limit and the last images of a day are
    usable even when fewer than `wanted` remain."""
    day = today_utc()
    limit = profile.plan.images_per_day
    mine = Profile.objects.filter(pk=profile.pk)
    while True:
        seen_day, seen_used = mine.values_list("images_day", "images_used").get()
        used = seen_used if seen_day == day else 0
        count = min(wanted, limit - used)
        if count <= 0:
            return None
        unchanged = Q(images_day=seen_day, images_used=seen_used) if seen_day else Q(
            images_day__isnull=True)
        if mine.filter(unchanged).update(images_used=used + count, images_day=day):
            return day, count


def give_back_images(profile_id: int, day: date, count: int) -> None:
    """Refund `count` images charged on `day`; a refund after midnight has nothing to give."""
    if count > 0:
        Profile.objects.filter(pk=profile_id, images_day=day).update(
            images_used=Greatest(F("images_used") - count, Value(0))
        )


def images_used_today(profile: Profile) -> int:
    return profile.images_used if profile.images_day == today_utc() else 0
