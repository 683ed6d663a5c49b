"""The polyglot check: markup where a browser or decoder finds it is refused; compressed
image data, where `<sVg` turns up by chance, is never searched.

Pure functions: no database, no Django."""

import struct

import numpy as np
import pytest

from sselfie.images import decode  # noqa: F401  (registers the HEIF opener)
from sselfie.images.markup import MARKUP, hides_markup, searched_regions

from . import genuine, samples

GENUINE_COUNT = 2000
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, bytes]]:
    return list(genuine.photos(GENUINE_COUNT, seed=20261130))


def test_two_thousand_untampered_photos_are_never_refused(corpus):
    formats = {fmt for fmt, _ in corpus}
    assert formats == set(genuine.FORMATS)
    # A spot check that the generator makes real, decodable files of each kind.
    for fmt in formats:
        assert genuine.decodes(next(data for f, data in corpus if f == fmt))
    refused = [i for i, (_, data) in enumerate(corpus) if hides_markup(data)]
    assert refused == []


def _image_data_spot(data: bytes, rng: np.random.Generator) -> int | None:
    """An offset well inside a stretch the check skips (compressed image data), where
    writing five bytes changes no structure: not right after an 0xFF (that would turn a
    stuffed byte into a JPEG marker)."""
    covered = np.zeros(len(data), dtype=bool)
    for start, end in searched_regions(data):
        covered[start:end] = True
    gaps, start = [], None
    for i, c in enumerate(np.append(covered, True)):
        if not c and start is None:
            start = i
        elif c and start is not None:
            if i - start >= 64:
                gaps.append((start + 24, i - 24))
            start = None
    if not gaps:
        return None
    lo, hi = gaps[int(rng.integers(0, len(gaps)))]
    for _ in range(50):
        spot = int(rng.integers(lo, hi - 5))
        if data[spot - 1] != 0xFF:
            return spot
    return None


def test_markup_inside_compressed_image_data_is_not_a_polyglot(corpus):
    """What the old whole-file search refused: `<sVg` by chance in the compressed data,
    here put there on purpose in every photo that has enough of it."""
    rng = np.random.default_rng(7)
    tried = 0
    for fmt, data in corpus[:600]:
        spot = _image_data_spot(data, rng)
        if spot is None:
            continue
        hit = data[:spot] + b"<sVg " + data[spot + 5 :]
        assert MARKUP.search(hit)  # the old check refused exactly this
        assert not hides_markup(hit), (fmt, spot)
        tried += 1
    assert tried > 400


def test_a_real_photo_with_svg_in_its_scan_data_still_decodes_and_passes():
    """The reported case: a JPEG whose entropy-coded data contains `<sVg`."""
    data = samples.jpeg(samples.astronaut(), quality=93)
    eoi = data.rindex(b"\xff\xd9")
    spot = next(i for i in range(eoi - 200, eoi - 5) if data[i - 1] != 0xFF
                and 0xFF not in data[i : i + 5])
    hit = data[:spot] + b"<sVg " + data[spot + 5 :]
    assert genuine.decodes(hit)
    assert MARKUP.search(hit) and not hides_markup(hit)


def _jpeg_with_segment(marker: int, payload: bytes) -> bytes:
    data = samples.jpeg(samples.astronaut().resize((64, 64)))
    segment = b"\xff" + bytes([marker]) + struct.pack(">H", len(payload) + 2) + payload
    return data[:2] + segment + data[2:]


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    import zlib

    return struct.pack(">I", len(body)) + kind + body + struct.pack(
        ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _small(fmt: str, **params: object) -> bytes:
    return samples.encode(samples.astronaut().resize((64, 64)), fmt, **params)


def _png_with(chunk: bytes) -> bytes:
    png = _small("PNG")
    return png[:33] + chunk + png[33:]  # after the 8-byte signature and 25-byte IHDR


def _hostile() -> dict[str, bytes]:
    jpeg = _small("JPEG")
    heic = _small("HEIF")
    thumb = samples.jpeg(samples.astronaut().resize((32, 32)))
    return {
        "html page": HTML,
        "svg with bom and spaces": b"\xef\xbb\xbf \n" + samples.SVG,
        "svg without xml header": b"<svg onload=alert(1)>",
        "xml declaration": b"<?xml version='1.0'?><foo/>",
        "html before the jpeg": HTML + jpeg,
        "bytes then html before the jpeg": b"\x00\x01garbage" + HTML + jpeg,
        "jpeg comment": samples.html_jpeg_polyglot(samples.astronaut().resize((64, 64))),
        "jpeg php comment": _jpeg_with_segment(0xFE, b"<?php system($_GET['c']); ?>"),
        "jpeg xmp": _jpeg_with_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + HTML),
        "jpeg exif after thumbnail": _jpeg_with_segment(
            0xE1, genuine.exif_with_thumbnail(thumb)[6:] + HTML),
        "jpeg unknown segment": _jpeg_with_segment(0xF0, HTML),
        "jpeg table segment": _jpeg_with_segment(0xDB, HTML),
        "after jpeg end": jpeg + HTML,
        "after an appended jpeg": jpeg + jpeg + b"\n" + HTML,
        "comment of an appended jpeg": jpeg + _jpeg_with_segment(0xFE, HTML),
        "after an appended video": jpeg + heic + HTML,
        "fake box after jpeg": jpeg + b"<svg ftyp" + HTML,
        "png text": _png_with(_png_chunk(b"tEXt", b"Comment\x00" + HTML)),
        "png private chunk": _png_with(_png_chunk(b"htMl", HTML)),
        "after png end": _small("PNG") + HTML,
        "webp xmp": _small("WEBP", xmp=HTML),
        "after webp end": _small("WEBP") + HTML,
        "heic free box": heic + struct.pack(">I", 8 + len(HTML)) + b"free" + HTML,
        "heic exif item": _small("HEIF", exif=genuine.exif_with_thumbnail(thumb) + HTML),
        "heic xmp item": _small("HEIF", xmp=b"<x:xmpmeta>" + HTML + b"</x:xmpmeta>"),
        "after heic end": heic + HTML,
    }


@pytest.mark.parametrize("name", list(_hostile()))
def test_hostile_files_are_refused(name):
    assert hides_markup(_hostile()[name])


def test_truncated_and_broken_structures_never_crash():
    rng = np.random.default_rng(3)
    for _fmt, data in genuine.photos(200, seed=5):
        for _ in range(3):
            cut = data[: int(rng.integers(0, len(data) + 1))]
            hides_markup(cut)
            flipped = bytearray(data)
            for pos in rng.integers(0, len(data), size=8):
                flipped[int(pos)] = int(rng.integers(0, 256))
            hides_markup(bytes(flipped))
