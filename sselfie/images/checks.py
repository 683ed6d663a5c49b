"""`assess_photo()`: every check on one uploaded selfie, plus its cleaned bytes.

The photo is decoded once, at most CLEAN_SIDE px long (JPEGs shrink inside libjpeg), and
every measure works from that one image: faces, sharpness, exposure, hash, the cleaned
JPEG we store and the thumbnail. All problems are reported together, so people can fix
everything in one go instead of one rejection at a time.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field

from PIL import Image

from . import faces, hashing, problems, quality, thumbs
from .decode import Decoded, decode
from .faces import Box, Face
from .problems import ImageRejected, Problem

# Stored copy: long side at most this (the trainer uses 1024; the gallery a bit more).
CLEAN_SIDE = 2048
CLEAN_QUALITY = 92

# Face-size floor: at least this share of the short side, and this many original pixels.
# A full-length phone portrait (4032x3024) puts the face box at 6.5-9% of the short side;
# below ~100 px the trainer has too little of the face to learn from.
FACE_MIN_SHARE = 0.06
FACE_MIN_PX = 100
# Part of the face box may fall outside the frame by this share of its size before we
# call the face cut off (dlib's box edges are not precise to the pixel).
CUT_OFF_TOLERANCE = 0.04
# Sharpness (quality.sharpness) below this is blurry: at the 128 px measuring size it is
# a Gaussian blur of sigma ~1.5 px. Sharp phone faces score 20-60, soft scans ~6.
BLUR_BELOW = 2.0
# Without a face, a whole picture (quality.WHOLE_SIDE) this soft is called blurry too, as
# a likely reason no face was found: a Gaussian blur of sigma ~2.5 px at 256 px. Kept low
# because portrait-mode backgrounds are soft on purpose.
WHOLE_BLUR_BELOW = 1.0
FLAT_BELOW = 10.0  # luma standard deviation under which a picture is simply flat
# Face exposure: mean luma and the share of crushed or blown pixels on the face.
DARK_MEAN_BELOW = 55.0
DARK_SHARE_ABOVE = 0.35
BRIGHT_MEAN_ABOVE = 215.0
CLIPPED_SHARE_ABOVE = 0.25
# Framing from face-box height / image height (after orientation).
CLOSE_UP_FROM = 0.2
HALF_FROM = 0.09


@dataclass(frozen=True, slots=True)
class PhotoReport:
    problems: list[Problem]
    format: str | None = None  # "JPEG", "PNG", "WEBP", "HEIF"; None when unreadable
    width: int = 0  # original size, after orientation
    height: int = 0
    face_count: int = 0  # people in the picture (background faces not counted)
    # Main face as shares of width and height: (left, top, right, bottom), 0-1. Shares,
    # not pixels, so the box fits the original, the cleaned copy and thumbnails alike.
    face_box: tuple[float, float, float, float] | None = None
    embedding: list[float] | None = None  # 128 floats, see faces.embed
    phash: str | None = None  # 16 hex digits, see hashing.phash
    sharpness: float | None = None  # face region at 128 px (whole picture at 256 if no face)
    brightness: float | None = None  # mean luma 0-255 of the face (or whole picture)
    pose: str | None = None  # "frontal", "left", "right" (nose direction in the image)
    framing: str | None = None  # "close-up", "half", "full"
    cleaned: bytes | None = None  # JPEG re-encoded from pixels, no metadata, sRGB
    cleaned_size: tuple[int, int] | None = None
    thumbnail: bytes | None = None  # WebP, long side <= thumbs.THUMB_SIDE
    codes: list[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "codes", [p.code for p in self.problems])

    @property
    def ok(self) -> bool:
        return not self.problems


def assess_photo(data: bytes, *, min_short_side: int = 768) -> PhotoReport:
    """Check one uploaded photo. Never raises for bad input: problems are in the report."""
    try:
        decoded = decode(data, max_side=CLEAN_SIDE)
    except ImageRejected as rejected:
        return PhotoReport(problems=[rejected.problem])
    return _assess(decoded, min_short_side)


def assess_photos(
    items: Sequence[bytes],
    *,
    min_short_side: int = 768,
    workers: int = 2,
    executor: Executor | None = None,
) -> list[PhotoReport]:
    """`assess_photo` for several uploads at once; reports come back in input order.

    By default on `workers` threads: decoding, resampling, encoding and HOG detection
    release the GIL, so two threads keep two cores mostly busy. A long-lived
    `ProcessPoolExecutor` (initializer `faces.warm_up`) also parallelises the parts that
    hold the GIL (the identity network, ~80 ms a photo). Bigger files go first, so a slow
    HEIC doesn't run alone at the end.
    """
    order = sorted(range(len(items)), key=lambda i: len(items[i]), reverse=True)
    own = executor is None
    pool = ThreadPoolExecutor(max_workers=max(1, workers)) if executor is None else executor
    try:
        futures = {
            i: pool.submit(assess_photo, items[i], min_short_side=min_short_side) for i in order
        }
        return [futures[i].result() for i in range(len(items))]
    finally:
        if own:
            pool.shutdown()


def _assess(decoded: Decoded, min_short_side: int) -> PhotoReport:
    img = decoded.image
    found: list[Problem] = []
    short = min(decoded.width, decoded.height)
    if short < min_short_side:
        found.append(problems.too_small(short, min_short_side))

    people = _people(faces.find_faces(img))
    main = people[0] if people else None
    if main is None:
        found.append(problems.NO_FACE)
        # No face to measure: the whole picture, at a size that suits a whole picture.
        grey = quality.region(img, None, quality.WHOLE_SIDE)
        sharpness = quality.sharpness(grey)
        # A flat picture (a blank wall, a solid colour) has no detail to be blurry about.
        if sharpness < WHOLE_BLUR_BELOW and quality.exposure(grey).contrast >= FLAT_BELOW:
            found.append(problems.BLURRY_PHOTO)
    else:
        if len(people) > 1:
            found.append(problems.MULTIPLE_PEOPLE)
        found += _face_problems(main, img, decoded.scale)
        grey = quality.region(img, main.box)
        sharpness = quality.sharpness(grey)
        if sharpness < BLUR_BELOW:
            found.append(problems.BLURRY)
    light = quality.exposure(grey)
    if main is not None:
        if light.mean < DARK_MEAN_BELOW or light.dark_share > DARK_SHARE_ABOVE:
            found.append(problems.TOO_DARK)
        elif light.mean > BRIGHT_MEAN_ABOVE or light.clipped_share > CLIPPED_SHARE_ABOVE:
            found.append(problems.TOO_BRIGHT)

    return PhotoReport(
        problems=found,
        format=decoded.format,
        width=decoded.width,
        height=decoded.height,
        face_count=len(people),
        face_box=_shares(main.box, img) if main else None,
        embedding=[round(float(v), 6) for v in faces.embed(img, main)] if main else None,
        phash=hashing.phash(img),
        sharpness=round(sharpness, 2),
        brightness=round(light.mean, 1),
        pose=faces.head_pose(main) if main else None,
        framing=framing(main.box, img.height) if main else None,
        cleaned=_clean_jpeg(img),
        cleaned_size=img.size,
        thumbnail=thumbs.make_thumbnail(img),
    )


def _people(found: list[Face]) -> list[Face]:
    """The main (largest) face plus any face comparable in size: other people in the shot.

    Faces much smaller than the main one are strangers far in the background, or the
    detector's false hits on patterns (patches, prints), and are ignored.
    """
    if not found:
        return []
    main = found[0]
    return [main] + [f for f in found[1:] if f.box.width >= faces.COMPANION_RATIO * main.box.width]


def _face_problems(face: Face, img: Image.Image, scale: float) -> list[Problem]:
    found = []
    box = face.box
    short = min(img.size)
    if box.width < FACE_MIN_SHARE * short or box.width / scale < FACE_MIN_PX:
        found.append(problems.FACE_TOO_SMALL)
    if _cut_off(box, img.width, img.height):
        found.append(problems.FACE_CUT_OFF)
    return found


def _cut_off(box: Box, width: int, height: int) -> bool:
    slack_x, slack_y = box.width * CUT_OFF_TOLERANCE, box.height * CUT_OFF_TOLERANCE
    return (
        box.left < -slack_x
        or box.top < -slack_y
        or box.right > width + slack_x
        or box.bottom > height + slack_y
    )


def framing(box: Box, image_height: int) -> str:
    """close-up (head and shoulders), half (waist up) or full (most of the body)."""
    share = box.height / image_height
    if share >= CLOSE_UP_FROM:
        return "close-up"
    if share >= HALF_FROM:
        return "half"
    return "full"


def _shares(box: Box, img: Image.Image) -> tuple[float, float, float, float]:
    def share(value: float, total: int) -> float:
        return round(min(1.0, max(0.0, value / total)), 4)

    return (
        share(box.left, img.width),
        share(box.top, img.height),
        share(box.right, img.width),
        share(box.bottom, img.height),
    )


def _clean_jpeg(img: Image.Image) -> bytes:
    """Re-encode from pixels: no EXIF, XMP, GPS, ICC or comments can survive."""
    buf = io.BytesIO()
    # decode() converted to sRGB, and untagged JPEGs are read as sRGB, so no profile.
    img.save(buf, "JPEG", quality=CLEAN_QUALITY)
    return buf.getvalue()
