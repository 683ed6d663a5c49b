"""Problems found in a photo or a set, worded for the person who uploaded it.

Every check reports a `Problem` with a stable machine `code` (templates and tests
key on it), a plain-language `message` (what is wrong) and a `hint` (how to fix it).
Keeping all wording here keeps the tone consistent across checks.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str
    hint: str


class ImageRejected(Exception):
    """The bytes can't be used as a photo at all (wrong type, corrupt, too many pixels)."""

    def __init__(self, code: str, message: str, hint: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint

    @classmethod
    def of(cls, problem: Problem) -> ImageRejected:
        return cls(problem.code, problem.message, problem.hint)

    @property
    def problem(self) -> Problem:
        return Problem(self.code, self.message, self.hint)


# -- decoding ---------------------------------------------------------------------------

_SEND_PHOTO = "Upload a JPEG, PNG, WebP or HEIC photo straight from your phone or camera."

EMPTY = Problem("empty", "This file is empty.", "Choose the photo again and re-upload it.")
NOT_IMAGE = Problem("not_image", "This file isn't a photo we can read.", _SEND_PHOTO)
CORRUPT = Problem(
    "corrupt",
    "This photo is damaged or incomplete, so we can't read all of it.",
    "Upload it again; if that fails, export a fresh copy from your photo app.",
)
ANIMATED = Problem(
    "animated",
    "This is an animation, not a still photo.",
    "Upload a single still photo (JPEG, PNG, WebP or HEIC).",
)
TOO_MANY_PIXELS = Problem(
    "too_many_pixels",
    "This image has far more pixels than any phone photo, so we won't open it.",
    "Upload the photo as your phone or camera saved it, or export a copy under 50 megapixels.",
)


def unsupported(kind: str) -> Problem:
    """A recognised but refused file type, named so people know what they sent."""
    return Problem("unsupported_type", f"This is {kind}, not a photo we accept.", _SEND_PHOTO)


# -- single photo -------------------------------------------------------------------------


def too_small(short_side: int, minimum: int) -> Problem:
    return Problem(
        "too_small",
        f"This photo is too small ({short_side} px on its short side; we need at least "
        f"{minimum} px).",
        "Upload the original photo rather than a screenshot or a copy from a chat app.",
    )


NO_FACE = Problem(
    "no_face",
    "We couldn't find a face in this photo.",
    "Use a photo where your face is clearly visible, facing the camera, well lit "
    "and not too small in the picture.",
)
MULTIPLE_PEOPLE = Problem(
    "multiple_people",
    "There's more than one person in this photo.",
    "Use photos of just you, or crop the others out before uploading.",
)
FACE_TOO_SMALL = Problem(
    "face_too_small",
    "Your face is too small in this photo for the model to learn it.",
    "Move closer to the camera, or crop the photo around yourself.",
)
FACE_CUT_OFF = Problem(
    "face_cut_off",
    "Part of your face is cut off by the edge of the photo.",
    "Use a photo where your whole face is inside the frame.",
)
BLURRY = Problem(
    "blurry",
    "This photo is too blurry around your face.",
    "Hold the camera still, tap your face to focus, and make sure the lens is clean.",
)
BLURRY_PHOTO = Problem(
    "blurry",
    "This photo is very blurry.",
    "Hold the camera still, tap your face to focus, and make sure the lens is clean.",
)
TOO_DARK = Problem(
    "too_dark",
    "This photo is too dark to see your face well.",
    "Take it in brighter light, for example facing a window in daylight.",
)
TOO_BRIGHT = Problem(
    "too_bright",
    "This photo is blown out: parts of your face are pure white.",
    "Avoid direct sun or flash on your face; soft daylight works best.",
)

# -- photo set ----------------------------------------------------------------------------

DUPLICATE = Problem(
    "duplicate",
    "This photo is the same as (or almost the same as) another one in your set.",
    "Remove it and add a different photo: another day, outfit, place or angle.",
)
DIFFERENT_PERSON = Problem(
    "different_person",
    "This photo seems to show someone other than the person in most of your photos.",
    "Remove it: every photo must show only you, or the model will mix faces.",
)
TWO_PEOPLE = Problem(
    "two_people",
    "Your photos show two different people, about half and half.",
    "Keep only photos of yourself and remove the ones of the other person.",
)
MANY_PEOPLE = Problem(
    "many_people",
    "Your photos show several different people.",
    "Keep only photos of yourself and remove all the others.",
)


def too_few(usable: int, minimum: int) -> Problem:
    need = minimum - usable
    return Problem(
        "too_few",
        f"You have {usable} usable photo{'s' if usable != 1 else ''}; we need at least {minimum}.",
        f"Add {need} more photo{'s' if need != 1 else ''} of yourself.",
    )


def too_many(usable: int, maximum: int) -> Problem:
    extra = usable - maximum
    return Problem(
        "too_many",
        f"You have {usable} usable photos; we train on at most {maximum}.",
        f"Remove {extra} photo{'s' if extra != 1 else ''}, keeping the most varied ones.",
    )
