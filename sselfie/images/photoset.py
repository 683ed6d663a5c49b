"""`assess_set()`: is this set of selfies ready to train a model on?

Works on what `assess_photo()` already measured (hash, embedding, pose, framing,
brightness), so re-checking a set after an upload or a removal costs no image work.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import problems
from .faces import SAME_PERSON_DISTANCE
from .hashing import hamming
from .problems import Problem

MIN_PHOTOS = 10
MAX_PHOTOS = 15
# pHash bits that may differ for two photos to count as (near-)duplicates. Measured:
# re-encodes, resizes and exposure changes of one photo differ by 0-4 bits; different
# crops, mirror images and different photos by 14 or more.
DUPLICATE_BITS = 8

# Diversity targets for a 10-15 photo set, and the points each is worth (sum 100).
_TARGETS = {
    "close-up": (4, 20),
    "wider": (3, 20),  # half or full length
    "frontal": (3, 10),
    "left": (2, 15),
    "right": (2, 15),
}
_LIGHT_POINTS = 20
# Standard deviation of face brightness (0-255) that earns full lighting points.
_LIGHT_SPREAD = 20.0


@dataclass(frozen=True, slots=True)
class SetMember:
    id: Hashable
    phash: str | None
    embedding: Sequence[float] | None
    pose: str | None = None
    framing: str | None = None
    brightness: float | None = None
    ok: bool = True  # passed its own photo checks (PhotoReport.ok)


@dataclass(frozen=True, slots=True)
class SetReport:
    ready: bool
    usable: int
    usable_ids: list[Hashable]
    # Per photo: set-level problems (duplicate, different person), keyed by member id.
    flagged: dict[Hashable, list[Problem]]
    problems: list[Problem]  # about the set as a whole
    score: int  # diversity, 0-100
    hints: list[str]  # how to raise the diversity score
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return "Ready to train" if self.ready else "Not ready yet"


def assess_set(members: list[SetMember]) -> SetReport:
    flagged: dict[Hashable, list[Problem]] = {}
    duplicates = _duplicates(members)
    for member in duplicates:
        flagged.setdefault(member.id, []).append(problems.DUPLICATE)

    repeated = {m.id for m in duplicates}
    candidates = [m for m in members if m.embedding is not None and m.id not in repeated]
    outliers, identity_problem = _identity(candidates)
    for member in outliers:
        flagged.setdefault(member.id, []).append(problems.DIFFERENT_PERSON)

    usable = [m for m in candidates if m.ok and m.id not in flagged]
    set_problems = [identity_problem] if identity_problem else []
    if len(usable) < MIN_PHOTOS:
        set_problems.append(problems.too_few(len(usable), MIN_PHOTOS))
    elif len(usable) > MAX_PHOTOS:
        set_problems.append(problems.too_many(len(usable), MAX_PHOTOS))

    counts = _counts(usable)
    score, hints = _diversity(usable, counts)
    return SetReport(
        ready=not set_problems and not outliers,
        usable=len(usable),
        usable_ids=[m.id for m in usable],
        flagged=flagged,
        problems=set_problems,
        score=score,
        hints=hints,
        counts=counts,
    )


def _duplicates(members: list[SetMember]) -> list[SetMember]:
    """Members that repeat an earlier one; the first of a pair is kept, the later flagged.

    Only photos that passed their own checks take part: a better retake of a rejected
    photo is what we asked for, not a duplicate.
    """
    seen: list[str] = []
    repeated = []
    for member in members:
        if member.phash is None or not member.ok:
            continue
        if any(hamming(member.phash, earlier) <= DUPLICATE_BITS for earlier in seen):
            repeated.append(member)
        seen.append(member.phash)
    return repeated


def _identity(members: list[SetMember]) -> tuple[list[SetMember], Problem | None]:
    """Split members into people; flag whoever is not the clear largest group.

    Groups form around the member with the most same-person neighbours (the medoid), then
    again among the rest. When the largest group is strictly larger than every other, its
    members are the owner and the rest are outliers. A tie at the top means we can't tell
    who the owner is, so nobody is flagged and the set says so instead.
    """
    if len(members) < 2:
        return [], None
    vectors = np.asarray([m.embedding for m in members], dtype=np.float64)
    dist = np.linalg.norm(vectors[:, None, :] - vectors[None, :, :], axis=-1)
    same = dist < SAME_PERSON_DISTANCE
    remaining = list(range(len(members)))
    groups: list[list[int]] = []
    while remaining:
        sub = np.ix_(remaining, remaining)
        neighbours = same[sub].sum(axis=1)
        closeness = -dist[sub].sum(axis=1)
        centre = remaining[max(range(len(remaining)), key=lambda k: (neighbours[k], closeness[k]))]
        group = [i for i in remaining if same[centre, i]]
        groups.append(group)
        remaining = [i for i in remaining if i not in group]
    groups.sort(key=len, reverse=True)
    if len(groups) == 1:
        return [], None
    if len(groups[0]) > len(groups[1]):
        return [members[i] for g in groups[1:] for i in g], None
    return [], problems.TWO_PEOPLE if len(groups) == 2 else problems.MANY_PEOPLE


def _counts(usable: list[SetMember]) -> dict[str, int]:
    counts = dict.fromkeys(("close-up", "half", "full", "frontal", "left", "right"), 0)
    for m in usable:
        for value in (m.framing, m.pose):
            if value in counts:
                counts[value] += 1
    counts["wider"] = counts["half"] + counts["full"]
    return counts


def _diversity(usable: list[SetMember], counts: dict[str, int]) -> tuple[int, list[str]]:
    """A 0-100 variety score and the hints that would raise it."""
    score = 0.0
    hints = []
    wording = {
        "close-up": "close-up{s} (head and shoulders)",
        "wider": "photo{s} showing more of you (waist up or full length)",
        "frontal": "photo{s} looking straight at the camera",
        "left": "photo{s} with your head turned a little to one side",
        "right": "photo{s} with your head turned a little to the other side",
    }
    for key, (target, points) in _TARGETS.items():
        have = counts.get(key, 0)
        score += points * min(1.0, have / target)
        if have < target:
            need = target - have
            hints.append(f"Add {need} {wording[key].format(s='' if need == 1 else 's')}.")
    levels = [m.brightness for m in usable if m.brightness is not None]
    spread = float(np.std(levels)) if len(levels) >= 2 else 0.0
    score += _LIGHT_POINTS * min(1.0, spread / _LIGHT_SPREAD)
    if spread < _LIGHT_SPREAD:
        hints.append("Add photos in different light: daylight outdoors, indoors, evening.")
    return round(score), hints
