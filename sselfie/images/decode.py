"""Safe decoding of uploaded photos.

One entry point, `decode()`, turns untrusted bytes into an upright RGB Pillow image:

- The type comes from the content (magic bytes), never from a file name, and only the
  matching Pillow plugin is allowed to run (`Image.open(..., formats=[one])`), so decoders
  we don't need (FITS, PSD, TIFF, ...) never see user data. HEIC goes through pillow-heif.
- Pixel bombs are refused from the header, before any pixel is decoded: the size check
  happens between `open()` (which only parses headers) and `load()`.
- Truncated files raise; `ImageFile.LOAD_TRUNCATED_IMAGES` is kept False.
- JPEGs are decoded at reduced size with `draft()` (libjpeg's DCT scaling), so a 12 MP
  photo costs about a quarter of a full decode; every format is decoded exactly once.
- EXIF orientation is applied; 16-bit, palette, alpha, grey, CMYK and ICC-tagged images
  all come out as 8-bit sRGB RGB (CMYK and wide-gamut photos are converted through their
  ICC profile when they carry one, so stripping the profile later doesn't shift colours).
"""

from __future__ import annotations

import io
import math
import struct
import warnings
import zlib
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import pillow_heif
from PIL import Image, ImageFile

from . import problems
from .problems import ImageRejected

# Product cap: 48 MP phone modes fit, anything beyond is refused before decoding.
MAX_PIXELS = 50_000_000
# When shrinking at decode we accept a long side down to this fraction of `max_side`, so
# that a 4032 px photo becomes 2016 px through cheap 1/2 DCT scaling instead of a full
# decode plus resample to exactly 2048.
REDUCE_FLOOR = 0.75

# Pillow keeps these as process-wide settings; the security policy wants them this way
# everywhere, so set them on import (the explicit size check below doesn't rely on them).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
ImageFile.LOAD_TRUNCATED_IMAGES = False
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)
pillow_heif.register_heif_opener()

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"heif"}
_AVIF_BRANDS = {b"avif", b"avis"}
_ORIENTATION = 0x0112
# How to turn stored pixels upright for each EXIF orientation (what exif_transpose does).
_TRANSPOSE = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SWAPS_SIDES = {5, 6, 7, 8}
# Errors Pillow, its plugins (EXIF/TIFF parsing included) and pillow-heif raise on
# malformed data. The fuzz test in tests/test_decode.py keeps this list honest.
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    TypeError,
    KeyError,
    RuntimeError,
    struct.error,
    zlib.error,
)


@dataclass(frozen=True, slots=True)
class Decoded:
    image: Image.Image  # RGB, upright, long side <= max_side when one was given
    width: int  # original size, after orientation
    height: int
    format: str  # "JPEG", "PNG", "WEBP" or "HEIF"

    @property
    def scale(self) -> float:
        """Decoded pixels per original pixel (1.0 when decoded at full size)."""
        return self.image.width / self.width


def decode(
    data: bytes | BinaryIO, *, max_side: int | None = None, floor: float = REDUCE_FLOOR
) -> Decoded:
    """Decode an uploaded photo, or raise `ImageRejected` saying why it can't be used.

    With `max_side`, the long side comes out at most `max_side` and, when the source is
    larger, at least `floor * max_side`: that slack lets JPEGs shrink inside libjpeg and
    other formats by integer box reduction instead of a full-size resample.
    """
    fp: BinaryIO = io.BytesIO(data) if isinstance(data, bytes | bytearray | memoryview) else data
    start = fp.tell()
    head = fp.read(1024)
    fp.seek(start)
    fmt = sniff(head)
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Some other library flipped the global; truncated uploads must still fail.
        ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        return _decode(fp, fmt, max_side, floor)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected.of(problems.TOO_MANY_PIXELS) from exc
    except MemoryError as exc:
        raise ImageRejected.of(problems.TOO_MANY_PIXELS) from exc
    except _DECODE_ERRORS as exc:
        raise ImageRejected.of(problems.CORRUPT) from exc


def probe(data: bytes | BinaryIO) -> tuple[int, int]:
    """Width and height after orientation, from the headers alone (nothing is decoded)."""
    fp: BinaryIO = io.BytesIO(data) if isinstance(data, bytes | bytearray | memoryview) else data
    start = fp.tell()
    fmt = sniff(fp.read(1024))
    fp.seek(start)
    try:
        im = Image.open(fp, formats=[fmt])
        width, height = im.size
        # A PNG's eXIf chunk may sit after the pixels; reading it would decode them.
        orientation = 1 if fmt == "PNG" and "exif" not in im.info else _orientation(im)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected.of(problems.TOO_MANY_PIXELS) from exc
    except _DECODE_ERRORS as exc:
        raise ImageRejected.of(problems.CORRUPT) from exc
    finally:
        fp.seek(start)
    return (height, width) if orientation in _SWAPS_SIDES else (width, height)


def sniff(head: bytes) -> str:
    """Return the Pillow format name for an accepted type, or raise naming what it is."""
    if not head:
        raise ImageRejected.of(problems.EMPTY)
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        brands = {head[8:12]} | {head[i : i + 4] for i in range(16, min(len(head), 64), 4)}
        if head[8:12] in _AVIF_BRANDS:
            raise ImageRejected.of(problems.unsupported("an AVIF image"))
        if brands & _HEIF_BRANDS:
            return "HEIF"
        raise ImageRejected.of(problems.unsupported("a video or other media file"))
    raise ImageRejected.of(problems.unsupported(_describe(head)))


def _describe(head: bytes) -> str:
    """Name a refused file type in words people recognise."""
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    named = [
        (head.startswith((b"GIF87a", b"GIF89a")), "a GIF (often an animation)"),
        (head.startswith(b"%PDF"), "a PDF document"),
        (head.startswith(b"SIMPLE  ="), "a FITS astronomy file"),
        (head.startswith((b"II*\x00", b"MM\x00*")), "a TIFF or camera RAW file"),
        (head.startswith(b"BM"), "a BMP image"),
        (head.startswith(b"8BPS"), "a Photoshop file"),
        (head.startswith(b"PK\x03\x04"), "a ZIP archive or office document"),
        (b"<svg" in lowered, "an SVG drawing"),
        (lowered.startswith((b"<!doctype html", b"<html")), "a web page (HTML)"),
    ]
    for matched, name in named:
        if matched:
            return name
    if _looks_like_text(head):
        return "a text file"
    return "a file type we don't recognise"


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\t\r\n" for ch in text)


def _decode(fp: BinaryIO, fmt: str, max_side: int | None, floor: float) -> Decoded:
    # No `with`: closing a Pillow image frees its pixels, and we return them. Image.open
    # never closes a file object it was handed, so nothing is left open either.
    im = Image.open(fp, formats=[fmt])
    width, height = im.size
    # Header-only so far: refuse bombs before a single pixel is decoded.
    if width <= 0 or height <= 0:
        raise ImageRejected.of(problems.CORRUPT)
    if width * height > MAX_PIXELS:
        raise ImageRejected.of(problems.TOO_MANY_PIXELS)
    # HEIF containers may hold extra images (bursts, depth maps); the primary one is the
    # photo. For PNG (APNG) and WebP more than one frame means an animation.
    if fmt != "HEIF" and getattr(im, "n_frames", 1) > 1:
        raise ImageRejected.of(problems.ANIMATED)
    if fmt == "JPEG" and max_side:
        target = max_side * floor / max(width, height)
        if target < 1:
            im.draft("RGB", (math.ceil(width * target), math.ceil(height * target)))
    im.load()
    icc = im.info.get("icc_profile")
    orientation = _orientation(im)
    # Shrink first, then turn: turning a 12 MP image costs a full copy, a 3 MP one a quarter.
    image = _to_rgb(_orient(_shrink(_to_8bit(im), max_side, floor), orientation), icc)
    if orientation in _SWAPS_SIDES:
        width, height = height, width
    # Pixels only from here on: nothing from the upload's metadata (EXIF, XMP, ICC,
    # comments) may ride along into a re-encoded file by accident.
    image.info.clear()
    return Decoded(image=image, width=width, height=height, format=fmt)


def _orientation(im: Image.Image) -> int:
    """EXIF orientation 1-8; broken EXIF must not cost someone their photo, so it's 1."""
    try:
        value = im.getexif().get(_ORIENTATION, 1)
    except _DECODE_ERRORS:
        return 1
    return value if isinstance(value, int) and value in _TRANSPOSE else 1


def _orient(im: Image.Image, orientation: int) -> Image.Image:
    method = _TRANSPOSE[orientation]
    return im if method is None else im.transpose(method)


def _to_8bit(im: Image.Image) -> Image.Image:
    """Bring 16/32-bit and alpha/palette modes to L, RGB or CMYK without clipping."""
    if im.mode.startswith("I"):
        # 16-bit greyscale PNGs arrive as I;16 (or I). A plain convert() would clip every
        # value above 255 to white; scale by the format's range instead.
        arr = np.asarray(im, dtype=np.uint32) if im.mode != "I" else np.asarray(im)
        arr = np.clip(arr, 0, 65535).astype(np.uint32)
        return Image.fromarray(((arr + 128) // 257).astype(np.uint8), "L")
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    if im.mode in ("LA", "La", "PA", "RGBA", "RGBa"):
        # Transparent pixels become white, the way a viewer shows them on a page.
        rgba = im.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(background, rgba).convert("RGB")
    if im.mode not in ("L", "RGB", "CMYK"):
        im = im.convert("RGB")
    return im


def _shrink(im: Image.Image, max_side: int | None, floor: float) -> Image.Image:
    """Fit the long side into max_side: cheap integer box reduction, then Lanczos."""
    if not max_side or max(im.size) <= max_side:
        return im
    long_side = max(im.size)
    factor = int(long_side // (max_side * floor))
    if factor >= 2:
        im = im.reduce(factor)
        long_side = max(im.size)
    if long_side > max_side:
        ratio = max_side / long_side
        size = (max(1, round(im.width * ratio)), max(1, round(im.height * ratio)))
        im = im.resize(size, Image.Resampling.LANCZOS)
    return im


def _to_rgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert to sRGB RGB, through the embedded ICC profile when there is one."""
    if icc:
        converted = _icc_to_srgb(im, icc)
        if converted is not None:
            return converted
    return im if im.mode == "RGB" else im.convert("RGB")


def _icc_to_srgb(im: Image.Image, icc: bytes) -> Image.Image | None:
    try:
        from PIL import ImageCms
    except ImportError:  # Pillow built without littlecms: plain conversion is still fine
        return None
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if im.mode == "RGB" and "srgb" in ImageCms.getProfileDescription(source).lower():
            return im
        return ImageCms.profileToProfile(
            im, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A broken or mismatched profile: ignore it rather than refuse the photo.
        return None
