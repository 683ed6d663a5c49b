"""Test photos derived at run time from public-domain images shipped in dev packages.

Real faces: scikit-image's astronaut (Eileen Collins, NASA, public domain) and
matplotlib's Grace Hopper (US Navy, public domain). Non-faces: scikit-image's coffee
and chelsea (a cat). Everything else (upscales, crops, EXIF orientations, blur,
exposure, re-encodes, composites, the bad-input corpus) is made from these in code, so no
binary fixture is committed. Shared by the tests and by bench/.
"""

from __future__ import annotations

import io
import struct
import zlib
from functools import cache
from pathlib import Path

import numpy as np
import pillow_heif
from PIL import Image, ImageFilter

pillow_heif.register_heif_opener()

# How exif_transpose turns stored pixels upright for each EXIF orientation value; we apply
# the inverse to an upright image to make a file that is upright only if oriented.
_TO_STORED = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,  # displayed with ROTATE_270
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,  # displayed with ROTATE_90
}


def _skimage_file(name: str) -> Path:
    import skimage.data

    return Path(skimage.data.__file__).parent / name


@cache
def _load(path: str) -> Image.Image:
    with Image.open(path) as im:
        return im.convert("RGB")


def astronaut() -> Image.Image:
    """512x512, one woman, half-length portrait."""
    return _load(str(_skimage_file("astronaut.png"))).copy()


def grace_hopper() -> Image.Image:
    """512x600, one woman, head and shoulders."""
    from matplotlib import cbook

    return _load(str(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))).copy()


def coffee() -> Image.Image:
    return _load(str(_skimage_file("coffee.png"))).copy()


def chelsea() -> Image.Image:
    return _load(str(_skimage_file("chelsea.png"))).copy()


# -- transformations ------------------------------------------------------------------------


def upscale(img: Image.Image, long_side: int) -> Image.Image:
    ratio = long_side / max(img.size)
    size = (round(img.width * ratio), round(img.height * ratio))
    return img.resize(size, Image.Resampling.BICUBIC)


def pad_to(img: Image.Image, size: tuple[int, int], color: tuple[int, int, int]) -> Image.Image:
    """Centre `img` on a plain canvas (aspect ratio changes without cropping)."""
    canvas = Image.new("RGB", size, color)
    canvas.paste(img, ((size[0] - img.width) // 2, (size[1] - img.height) // 2))
    return canvas


def with_grain(img: Image.Image, sigma: float, seed: int = 0) -> Image.Image:
    """Add sensor-like noise, so upscaled samples compress and decode like real photos."""
    rng = np.random.default_rng(seed)
    arr = np.asarray(img, dtype=np.int16)
    noise = rng.normal(0.0, sigma, size=arr.shape).astype(np.int16)
    return Image.fromarray(np.clip(arr + noise, 0, 255).astype(np.uint8))


def blurred(img: Image.Image, radius: float) -> Image.Image:
    return img.filter(ImageFilter.GaussianBlur(radius))


def exposed(img: Image.Image, gain: float) -> Image.Image:
    arr = np.asarray(img, dtype=np.float32) * gain
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def side_by_side(left: Image.Image, right: Image.Image) -> Image.Image:
    height = max(left.height, right.height)
    canvas = Image.new("RGB", (left.width + right.width, height), (128, 128, 128))
    canvas.paste(left, (0, 0))
    canvas.paste(right, (left.width, 0))
    return canvas


# -- encodings ------------------------------------------------------------------------------


def encode(img: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    if fmt == "HEIF":
        # x265's ultrafast preset: 4x faster to make, same decoder work for the reader.
        params.setdefault("enc_params", {"preset": "ultrafast"})
    img.save(buf, fmt, **params)
    return buf.getvalue()


def jpeg(img: Image.Image, quality: int = 90, **params: object) -> bytes:
    return encode(img, "JPEG", quality=quality, **params)


def heic(img: Image.Image, quality: int = 80) -> bytes:
    return encode(img, "HEIF", quality=quality)


def oriented_jpeg(img: Image.Image, orientation: int) -> bytes:
    """A JPEG whose pixels are stored turned, with the EXIF tag that turns them back."""
    method = _TO_STORED[orientation]
    stored = img if method is None else img.transpose(method)
    exif = Image.Exif()
    exif[0x0112] = orientation
    return jpeg(stored, exif=exif.tobytes())


def gps_jpeg(img: Image.Image) -> bytes:
    """A JPEG carrying GPS coordinates, camera make, XMP and an ICC profile."""
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif[0x0110] = "Leaky 1"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 12.5)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 39.0)
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>secret-location</rdf:RDF></x:xmpmeta>'
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return jpeg(img, exif=exif.tobytes(), xmp=xmp, icc_profile=icc)


# -- bad inputs -----------------------------------------------------------------------------


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def pixel_bomb_png(side: int = 30000) -> bytes:
    """A few hundred bytes whose header claims side x side RGB pixels."""
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 4096))
        + _png_chunk(b"IEND", b"")
    )


def png16(img: Image.Image) -> bytes:
    """16-bit greyscale PNG (Pillow writes I;16 as 16 bits per sample)."""
    arr = np.asarray(img.convert("L"), dtype=np.uint16) * 257
    return encode(Image.fromarray(arr), "PNG")


def png16_rgb(img: Image.Image) -> bytes:
    """16-bit-per-channel RGB PNG, written by hand (Pillow can't save one)."""
    arr = np.asarray(img.convert("RGB"), dtype=">u2") * 257
    rows = b"".join(b"\x00" + row.tobytes() for row in arr)
    header = struct.pack(">IIBBBBB", img.width, img.height, 16, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows))
        + _png_chunk(b"IEND", b"")
    )


def cmyk_jpeg(img: Image.Image) -> bytes:
    return jpeg(img.convert("CMYK"))


def animated(fmt: str, img: Image.Image) -> bytes:
    frames = [img, img.transpose(Image.Transpose.FLIP_LEFT_RIGHT), img.rotate(180)]
    return encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)


def fits_file() -> bytes:
    cards = [
        "SIMPLE  =                    T",
        "BITPIX  =                    8",
        "NAXIS   = 0",
        "END",
    ]
    header = "".join(card.ljust(80) for card in cards).ljust(2880)
    return header.encode("ascii")


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="800" '
    b'height="800"><script>alert(1)</script><circle r="300" cx="400" cy="400"/></svg>'
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML_FIRST = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SCRIPT = b"<script>alert(document.cookie)</script>"


def html_jpeg_polyglot(img: Image.Image) -> bytes:
    """A valid JPEG whose comment segment is an HTML page with a script."""
    return jpeg(img, comment=b"<html><body>" + SCRIPT + b"</body></html>")
