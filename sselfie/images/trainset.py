"""The training zip for the trainer (ostris/flux-dev-lora-trainer, see docs/replicate.md).

The trainer wants a zip of images, optionally with `name.txt` captions beside them, and
trains at resolutions 512, 768 and 1024. We send each photo at about 1024 px on its long
side (973-1024), cropped towards the face when the picture is unusually tall or wide, as
001.jpg, 002.jpg...

The zip is deterministic: the same photos give the same bytes (photos ordered by content
hash, fixed timestamps and attributes, stored without compression since JPEGs don't
shrink), so its sha256 identifies a training set and retries upload the same thing.
"""

from __future__ import annotations

import hashlib
import io
import math
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image

from .decode import decode, probe

TRAIN_SIDE = 1024
TRAIN_QUALITY = 95
# Pictures longer than this ratio (long/short) are cropped to it, keeping the face.
MAX_ASPECT = 4 / 3
# In a tall crop, put the face centre this far down, leaving room above the head.
FACE_HEIGHT_IN_CROP = 0.4
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# Training images come out with a long side between 95% and 100% of TRAIN_SIDE (when the
# photo is that big): whatever decoding gives without a resample.
_SLACK = 0.95  # the earliest date a zip can hold


@dataclass(frozen=True, slots=True)
class TrainPhoto:
    data: bytes  # the cleaned JPEG from PhotoReport.cleaned (any accepted image works)
    # Face box as shares of width and height (PhotoReport.face_box), to crop around.
    face_box: tuple[float, float, float, float] | None = None
    caption: str | None = None  # written as NNN.txt beside NNN.jpg


def build_training_zip(photos: Sequence[TrainPhoto], *, workers: int = 2) -> bytes:
    """Zip of prepared photos (001.jpg, ... and captions); same photos, same bytes.

    Raises `ImageRejected` if a photo's bytes can't be decoded.
    """
    ordered = sorted(photos, key=lambda p: (sha256_hex(p.data), p.caption or "", p.face_box))
    # Pillow releases the GIL while resampling and encoding, so threads overlap well.
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        images = list(pool.map(prepare, ordered))
    entries: list[tuple[str, bytes]] = []
    for number, (photo, jpeg) in enumerate(zip(ordered, images, strict=True), start=1):
        entries.append((f"{number:03d}.jpg", jpeg))
        if photo.caption:
            entries.append((f"{number:03d}.txt", photo.caption.strip().encode("utf-8")))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, payload in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # unix, whatever machine builds it
            info.external_attr = 0o644 << 16
            archive.writestr(info, payload)
    return buf.getvalue()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def prepare(photo: TrainPhoto) -> bytes:
    """One training image: cropped if very tall or wide, ~1024 px long side, JPEG q95."""
    width, height = probe(photo.data)
    # Long side after any crop to MAX_ASPECT; decode just big enough for that to reach
    # TRAIN_SIDE. The 5% slack lets a 2016 px JPEG decode at 1008 px inside libjpeg
    # (~6 ms) instead of in full and then resampled (~55 ms). Landing a few percent under
    # 1024 costs nothing: the trainer resizes every image to its aspect bucket anyway
    # (1024-resolution buckets hold about 1024x1024 pixels, e.g. 1152x896 for 4:3).
    cropped_long = min(max(width, height), min(width, height) * MAX_ASPECT)
    shrink = TRAIN_SIDE / cropped_long
    max_side = math.ceil(max(width, height) * shrink) if shrink < 1 else None
    img = decode(photo.data, max_side=max_side, floor=_SLACK).image
    img = crop_for_training(img, photo.face_box)
    if max(img.size) > TRAIN_SIDE:
        ratio = TRAIN_SIDE / max(img.size)
        size = (max(1, round(img.width * ratio)), max(1, round(img.height * ratio)))
        img = img.resize(size, Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    # 4:4:4 chroma: the trainer learns skin and hair colour from these pixels.
    img.save(buf, "JPEG", quality=TRAIN_QUALITY, subsampling=0)
    return buf.getvalue()


def crop_for_training(
    img: Image.Image, face_box: tuple[float, float, float, float] | None
) -> Image.Image:
    """Crop to at most MAX_ASPECT, keeping the face in frame (centre crop without one)."""
    width, height = img.size
    if max(width, height) <= MAX_ASPECT * min(width, height):
        return img
    if face_box is not None:
        cx = (face_box[0] + face_box[2]) / 2 * width
        cy = (face_box[1] + face_box[3]) / 2 * height
    else:
        cx, cy = width / 2, height / 2
    if height > width:
        new_h = round(width * MAX_ASPECT)
        top = _clamp(round(cy - new_h * FACE_HEIGHT_IN_CROP), 0, height - new_h)
        return img.crop((0, top, width, top + new_h))
    new_w = round(height * MAX_ASPECT)
    left = _clamp(round(cx - new_w / 2), 0, width - new_w)
    return img.crop((left, 0, left + new_w, height))


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))
