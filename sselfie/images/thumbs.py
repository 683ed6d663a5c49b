"""WebP thumbnails, for uploaded selfies and (later) for generated images."""

from __future__ import annotations

import io
import math

from PIL import Image

from .decode import REDUCE_FLOOR, decode

THUMB_SIDE = 384
# Quality 80 for previews; method 2 encodes twice as fast as the default 4 for files
# about 3% larger (measured on 384 px photos).
_WEBP = {"quality": 80, "method": 2}


def make_thumbnail(img: Image.Image, size: int = THUMB_SIDE) -> bytes:
    """WebP bytes of `img` shrunk so its long side is at most `size` (never enlarged)."""
    small = img if img.mode == "RGB" else img.convert("RGB")
    if max(small.size) > size:
        ratio = size / max(small.size)
        dims = (max(1, round(small.width * ratio)), max(1, round(small.height * ratio)))
        # Box-reduce most of the way, Lanczos the last ~1.5x: sharp and cheap.
        small = small.resize(dims, Image.Resampling.LANCZOS, reducing_gap=1.5)
    buf = io.BytesIO()
    # No exif/icc arguments: the thumbnail carries pixels only.
    small.save(buf, "WEBP", **_WEBP)
    return buf.getvalue()


def thumbnail(img_bytes: bytes, size: int = THUMB_SIDE) -> bytes:
    """Decode untrusted image bytes safely and return a WebP thumbnail.

    Raises `ImageRejected` when the bytes aren't an accepted, intact image.
    """
    # decode() may stop shrinking at REDUCE_FLOOR x max_side; ask for enough to fill `size`.
    decoded = decode(img_bytes, max_side=math.ceil(size / REDUCE_FLOOR))
    return make_thumbnail(decoded.image, size)
