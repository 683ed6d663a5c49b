"""How much a created photo looks like its owner: face-embedding similarity to the
accepted selfies. No peer studio tells its users this; we rank the grid by it."""

from dataclasses import dataclass

import numpy as np
from PIL import Image

from sselfie.accounts.models import User
from sselfie.images.faces import SAME_PERSON_DISTANCE, distance, embed, find_faces
from sselfie.selfies.coach import coach_for

# Scores at or above this are "like you"; it is the same-person distance, as a score.
LIKE_YOU = round(100 * (1 - SAME_PERSON_DISTANCE))


@dataclass(frozen=True)
class Likeness:
    score: float | None  # 0-100; None when the photo shows no face
    has_face: bool

    @property
    def low(self) -> bool:
        return self.score is not None and self.score < LIKE_YOU


@dataclass(frozen=True)
class Reference:
    embeddings: list[np.ndarray]

    def score(self, img: Image.Image) -> Likeness:
        faces = find_faces(img)  # thread-safe: sselfie.images.faces guards dlib's nets
        found = embed(img, faces[0]) if faces and self.embeddings else None
        if not faces:
            return Likeness(None, has_face=False)
        if found is None:
            return Likeness(None, has_face=True)
        # Closest selfie, not the mean: one good match in pose and light is what counts.
        best = min(distance(found, ref) for ref in self.embeddings)
        return Likeness(round(max(0.0, min(1.0, 1 - best)) * 100, 1), has_face=True)


def reference_for(user: User) -> Reference:
    coach = coach_for(user)
    usable = set(coach.usable_ids)
    return Reference([np.asarray(s.embedding, dtype=np.float32)
                      for s in coach.selfies if str(s.id) in usable])
