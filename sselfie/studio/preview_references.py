"""Which selfies an identity model sees: the best few, from what the coach measured.

"Best" uses the coach's own data, no new image work: only photos the coach counts as usable
(its own checks passed, not a duplicate, the same person as the rest); then variety first,
one photo per framing and pose, close-ups facing the camera leading (they carry the face
best); within each, the sharpest. When there are fewer kinds than places, the next sharpest
fill the rest.
"""

from sselfie.accounts.models import User
from sselfie.selfies.coach import coach_for
from sselfie.selfies.models import Selfie

MIN_REFERENCES = 3  # fewer, and an identity model guesses the face from too little
FRAMING_ORDER = {"close-up": 0, "half": 1, "full": 2}
POSE_ORDER = {"frontal": 0, "left": 1, "right": 2}


def best_references(user: User, count: int) -> list[Selfie]:
    coach = coach_for(user)
    usable = set(coach.usable_ids)
    ranked = sorted((s for s in coach.selfies if str(s.id) in usable),
                    key=lambda s: -s.sharpness)
    firsts: dict[tuple[str, str], Selfie] = {}
    for selfie in ranked:
        firsts.setdefault((selfie.framing, selfie.pose), selfie)
    varied = sorted(firsts.values(), key=lambda s: (FRAMING_ORDER.get(s.framing, 9),
                                                    POSE_ORDER.get(s.pose, 9)))
    chosen = varied[:count]
    for selfie in ranked:
        if len(chosen) >= count:
            break
        if selfie not in chosen:
            chosen.append(selfie)
    return chosen
