"""The coach's view of a person's whole set: what counts, what to fix, and whether to train."""

from dataclasses import dataclass

from django.conf import settings

from sselfie.accounts.models import User
from sselfie.images.photoset import SetMember, SetReport, assess_set
from sselfie.images.problems import Problem
from sselfie.selfies.models import Selfie


@dataclass(frozen=True)
class Blocker:
    """A photo that stops the set from training, with what to do about it."""

    selfie: Selfie
    number: int  # its place in the grid, 1-based, as the page labels it
    problem: Problem


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
    def blockers(self) -> list[Blocker]:
        """Flagged photos, in grid order: the summary panel links each one to its tile."""
        return [Blocker(s, n, problems[0])
                for n, (s, problems) in enumerate(self.entries, start=1) if problems]

    @property
    def train_state(self) -> str:
        """Why the Train button is (not) there, in a sentence."""
        if self.ready:
            return "Your set is ready to train."
        blockers = self.blockers
        if blockers:
            what = "this photo is" if len(blockers) == 1 else f"these {len(blockers)} photos are"
            return f"Train my model unlocks when {what} removed or replaced."
        if self.report.problems:
            return "Train my model unlocks when the set is fixed: " + self.report.problems[0].hint
        return "Train my model unlocks once enough photos are in."

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
