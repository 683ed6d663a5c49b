"""Untampered photos by the thousand, for false-positive tests of the markup check.

Small (16-200 px) so thousands encode in seconds, but with varied content (noise at
different strengths, gradients, flat areas, edges), so the compressed data covers many
byte patterns; and with the structure real cameras and phones write: EXIF with an embedded
JPEG thumbnail, ICC profiles, XMP, progressive scans, restart markers, optimised Huffman
tables, a second JPEG appended after the first (MPF gain and depth maps) and a video
appended after the picture (motion photos; an HEIC stands in for the MP4, same box format).
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator

import numpy as np
from PIL import Image, ImageCms

from . import samples

FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
_XMP = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta '
        b'xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
        b'syntax-ns#"><rdf:Description rdf:about=""/></rdf:RDF></x:xmpmeta>'
        b'<?xpacket end="w"?>')


def _srgb_icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


_ICC = _srgb_icc()


def picture(rng: np.random.Generator) -> Image.Image:
    """A small picture: a gradient with noise of random strength and a few flat shapes."""
    width, height = (int(v) for v in rng.integers(16, 200, size=2))
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack([
        rng.uniform(0, 255) + rng.uniform(-2, 2) * x + rng.uniform(-2, 2) * y
        for _ in range(3)
    ], axis=-1)
    noise = rng.normal(0, rng.choice([0.0, 2.0, 8.0, 30.0, 90.0]), size=base.shape)
    arr = base + noise
    for _ in range(int(rng.integers(0, 4))):  # flat rectangles give sharp edges
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        arr[y0 : y0 + int(rng.integers(2, 60)), x0 : x0 + int(rng.integers(2, 60))] = (
            rng.uniform(0, 255, size=3)
        )
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def exif_with_thumbnail(thumbnail: bytes) -> bytes:
    """An EXIF block as cameras write it: IFD0 (orientation) and IFD1 with a JPEG thumbnail."""
    ifd0 = struct.pack("<H", 1) + struct.pack("<HHII", 0x0112, 3, 1, 1) + struct.pack("<I", 26)
    offset = 8 + len(ifd0) + 2 + 2 * 12 + 4
    ifd1 = (struct.pack("<H", 2) + struct.pack("<HHII", 0x0201, 4, 1, offset)
            + struct.pack("<HHII", 0x0202, 4, 1, len(thumbnail)) + struct.pack("<I", 0))
    return b"Exif\x00\x00" + b"II*\x00" + struct.pack("<I", 8) + ifd0 + ifd1 + thumbnail


def _jpeg(img: Image.Image, rng: np.random.Generator, *, extras: bool = True) -> bytes:
    params: dict[str, object] = {
        "quality": int(rng.integers(20, 101)),
        "progressive": bool(rng.integers(0, 2)),
        "optimize": bool(rng.integers(0, 2)),
        "subsampling": int(rng.integers(0, 3)),
    }
    if rng.random() < 0.3:
        params["restart_marker_blocks"] = int(rng.integers(1, 8))
    if extras:
        if rng.random() < 0.5:
            thumb = img.copy()
            thumb.thumbnail((48, 48))
            params["exif"] = exif_with_thumbnail(_jpeg(thumb, rng, extras=False))
        if rng.random() < 0.3:
            params["icc_profile"] = _ICC
        if rng.random() < 0.2:
            params["xmp"] = _XMP
        if rng.random() < 0.1:
            params["comment"] = b"Taken on a phone"
    data = samples.encode(img, "JPEG", **params)
    if extras and rng.random() < 0.15:  # a second image after the first: a gain map
        data += _jpeg(img.resize((max(1, img.width // 2), max(1, img.height // 2))), rng,
                      extras=False)
    if extras and rng.random() < 0.05:  # a motion photo: a video after the picture
        data += _heic(img, rng, extras=False)
    return data


def _png(img: Image.Image, rng: np.random.Generator) -> bytes:
    mode = rng.choice(["RGB", "RGBA", "L", "P"])
    converted = img.convert(str(mode)) if mode != "P" else img.quantize(int(rng.integers(2, 257)))
    params: dict[str, object] = {"compress_level": int(rng.integers(0, 10))}
    if mode in ("RGB", "RGBA") and rng.random() < 0.3:
        params["icc_profile"] = _ICC
    return samples.encode(converted, "PNG", **params)


def _webp(img: Image.Image, rng: np.random.Generator) -> bytes:
    params: dict[str, object] = {"quality": int(rng.integers(20, 101)),
                                 "lossless": bool(rng.random() < 0.3), "method": 0}
    if rng.random() < 0.3:
        params["icc_profile"] = _ICC
    if rng.random() < 0.2:
        params["xmp"] = _XMP
    return samples.encode(img, "WEBP", **params)


def _heic(img: Image.Image, rng: np.random.Generator, *, extras: bool = True) -> bytes:
    # x265 wants at least 8x8 and even sizes work best; phones make far bigger ones anyway.
    img = img.resize((max(16, img.width & ~1), max(16, img.height & ~1)))
    params: dict[str, object] = {"quality": int(rng.integers(30, 96))}
    if extras and rng.random() < 0.3:
        params["exif"] = exif_with_thumbnail(_jpeg(img.resize((32, 32)), rng, extras=False))
    return samples.encode(img, "HEIF", **params)


def photo(fmt: str, rng: np.random.Generator) -> bytes:
    img = picture(rng)
    return {"JPEG": _jpeg, "PNG": _png, "WEBP": _webp, "HEIF": _heic}[fmt](img, rng)


def photos(count: int, seed: int, mix: dict[str, float] | None = None
           ) -> Iterator[tuple[str, bytes]]:
    """`count` (format, bytes) pairs; `mix` gives each format's share (default: mostly
    JPEG, as phones send)."""
    mix = mix or {"JPEG": 0.45, "PNG": 0.2, "WEBP": 0.2, "HEIF": 0.15}
    rng = np.random.default_rng(seed)
    names, weights = list(mix), np.array(list(mix.values()))
    for _ in range(count):
        fmt = str(rng.choice(names, p=weights / weights.sum()))
        yield fmt, photo(fmt, rng)


def decodes(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as im:
        im.load()
    return True
