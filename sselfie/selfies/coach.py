"""The coach's view of a person's whole set: what counts, what to fix, and whether to train."""

from dataclasses import dataclass

from django.conf import settings

from sselfie.accounts.models import User
from sselfie.images.photoset import SetMember, SetReport, assess_set
from sselfie.images.problems import Problem
from sselfie.selfies.models import Selfie


@dataclass(frozen=True)
class Coach:
    selfies: list[Selfie]
    report: SetReport
    flags: dict[str, list[Problem]]  # selfie id -> set-level problems (duplicate, outlier)

    @property
    def ready(self) -> bool:
        return self.report.ready

    @property
    def usable(self) -> int:
        return self.report.usable

    @property
    def minimum(self) -> int:
        return settings.SELFIE_MIN_COUNT

    @property
    def maximum(self) -> int:
        return settings.SELFIE_MAX_COUNT

    @property
    def entries(self) -> list[tuple[Selfie, list[Problem]]]:
        return [(s, self.flags.get(str(s.id), [])) for s in self.selfies]

    @property
    def usable_ids(self) -> list[str]:
        return [str(i) for i in self.report.usable_ids]


def coach_for(user: User) -> Coach:
    selfies = list(Selfie.objects.owned_by(user))
    members = [
        SetMember(
            id=str(s.id), phash=s.phash, embedding=s.embedding, pose=s.pose,
            framing=s.framing, brightness=s.brightness,
        )
        for s in selfies
    ]
    report = assess_set(members)
    flags = {str(key): found for key, found in report.flagged.items()}
    return Coach(selfies=selfies, report=report, flags=flags)
