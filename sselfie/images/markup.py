"""Polyglot detection: web markup hidden where a browser or an image reader would find it.

A polyglot is a file that is a valid image to one program and a web page to another: an
HTML page in a JPEG comment, a script after the PNG's end, a file that starts with `<svg`.
We look for markup only in the places a person can put text without breaking the picture,
and never in the compressed pixel data itself:

- the first bytes (a browser sniffing the type, or an XML/SVG reader, sees markup there);
- before the image's start marker and after its end marker (trailing data);
- metadata: JPEG APPn and comment segments, PNG chunks other than image data, WebP chunks
  other than the bitstream, ISO-BMFF (HEIC) boxes other than `mdat`.

Compressed image data is skipped because it is effectively random: an ordinary 2048 px JPEG
contains `<sVg` by chance about once per 700 MB, which refused ~7% of 15-photo sets when the
whole file was searched. Thumbnails embedded in metadata (EXIF, Photoshop) and further
images appended by phones (MPF gain maps and depth maps, motion-photo videos) are walked the
same way, so their compressed data is skipped too.

What this still protects, given that every stored selfie is re-encoded from pixels and the
upload itself is never stored or served: a crafted file is refused with a clear reason
instead of being quietly laundered, so an attack shows up as a refusal and not as a
success; and nothing we add later that passes originals on (a provider, an export, a
debugging copy) can carry a page along. It is defence in depth, not the main defence.

HEIC keeps its EXIF and XMP items inside `mdat`; they are found through the item tables
(`iinf`, `iloc`) and searched like any other metadata.

Not searched, on purpose: markup written into compressed data (a JPEG scan, PNG IDAT, a
WebP bitstream, coded HEIC pictures, video in `mdat`), where every decoder reads it as
pixels. The re-encode discards it.
"""

from __future__ import annotations

import re

MARKUP = re.compile(rb"<(?:script|html|body|svg|iframe|object|embed|\?php|!doctype)\b", re.I)
# The next real marker inside entropy-coded JPEG data: 0xFF not followed by a stuffed zero,
# a restart marker (RST0-7) or a fill byte. (No `\xff+`: that form is 15x slower.)
_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_EMBEDDED_JPEG = b"\xff\xd8\xff"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_IMAGE_CHUNKS = {b"IDAT", b"fdAT"}
_WEBP_IMAGE_CHUNKS = {b"VP8 ", b"VP8L", b"ALPH", b"ANMF"}
_BMFF_MEDIA_BOXES = {b"mdat"}
# How deep thumbnails inside metadata inside thumbnails are followed before we just search.
_MAX_DEPTH = 3
# Leading bytes a browser or XML parser skips before it decides what a file is.
_SNIFF_SKIP = b"\xef\xbb\xbf\xfe\xff\x00 \t\r\n\x0c"
_SNIFF_BYTES = 1445  # the MIME Sniffing standard's resource header size

Region = tuple[int, int]


def hides_markup(data: bytes) -> bool:
    """True when the file carries web markup where a browser or decoder would see it."""
    if data[:_SNIFF_BYTES].lstrip(_SNIFF_SKIP).startswith(b"<"):
        return True  # read as HTML, SVG or XML by its first bytes
    return any(MARKUP.search(data, start, end) for start, end in searched_regions(data))


def searched_regions(data: bytes) -> list[Region]:
    """The byte ranges `hides_markup` searches: everything but compressed image data."""
    end = len(data)
    if data.startswith(b"\xff\xd8"):
        regions, stop = _jpeg(data, 0, end, 0)
    elif data.startswith(_PNG_SIGNATURE):
        regions, stop = _png(data)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        regions, stop = _webp(data)
    elif data[4:8] == b"ftyp":
        regions, stop = _bmff(data, 0, end)
    else:
        return [(0, end)]  # no image layout we know: search it all (decoding refuses it)
    return regions + _trailing(data, stop, 0)


def _jpeg(data: bytes, start: int, stop: int, depth: int) -> tuple[list[Region], int]:
    """Walk the JPEG's segments from its SOI at `start`; returns searched regions and the
    offset after EOI (or `stop` when the stream ends without one).

    Every segment body is searched (tables are small and decoders read them as tables);
    metadata segments minus embedded thumbnails' scans; only entropy-coded scan data is
    skipped."""
    regions: list[Region] = []
    pos = start + 2
    while pos < stop:
        if data[pos] != 0xFF:
            # Bytes between segments: decoders skip them hunting for a marker.
            nxt = data.find(b"\xff", pos, stop)
            nxt = stop if nxt < 0 else nxt
            regions.append((pos, nxt))
            pos = nxt
            continue
        if pos + 1 >= stop:
            break
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == 0xD9:  # EOI
            return regions, pos + 2
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2 or pos + 4 > stop:
            regions.append((pos, stop))  # broken segment: search the rest
            return regions, stop
        body, pos = pos + 4, min(pos + 2 + length, stop)
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:  # APPn and COM: metadata
            regions += _metadata(data, body, pos, depth)
        else:
            regions.append((body, pos))
        if marker == 0xDA:  # start of scan: skip its entropy-coded data
            found = _SCAN_END.search(data, pos, stop)
            pos = found.start() if found else stop
    return regions, stop


def _metadata(data: bytes, start: int, stop: int, depth: int) -> list[Region]:
    """A metadata payload, minus the compressed data of JPEG thumbnails embedded in it."""
    regions: list[Region] = []
    pos = start
    while depth < _MAX_DEPTH:
        found = data.find(_EMBEDDED_JPEG, pos, stop)
        if found < 0:
            break
        regions.append((pos, found))
        inner, pos = _jpeg(data, found, stop, depth + 1)
        regions += inner
    regions.append((pos, stop))
    return regions


def _trailing(data: bytes, pos: int, depth: int) -> list[Region]:
    """What follows the image: searched, except further images phones append (MPF gain
    and depth maps are JPEGs, motion photos are MP4 videos), which are walked instead."""
    regions: list[Region] = []
    end = len(data)
    plain = cursor = pos  # `plain`: start of the stretch searched byte for byte
    while cursor < end and depth < _MAX_DEPTH:
        jpeg = data.find(_EMBEDDED_JPEG, cursor)
        box = data.find(b"ftyp", cursor + 4)
        box = box - 4 if box >= 0 else -1
        found = [start for start in (jpeg, box) if start >= cursor]
        if not found:
            break
        nxt = min(found)
        inner, after = _jpeg(data, nxt, end, depth + 1) if nxt == jpeg else _bmff(data, nxt, end)
        if after <= nxt + 8 and not inner:
            cursor = nxt + 1  # not an image or a box after all: stays plain bytes
            continue
        regions.append((plain, nxt))
        regions += inner
        plain = cursor = after
        depth += 1
    regions.append((plain, end))
    return regions


def _png(data: bytes) -> tuple[list[Region], int]:
    regions: list[Region] = []
    pos, end = len(_PNG_SIGNATURE), len(data)
    while pos + 8 <= end:
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        body, after = pos + 8, min(pos + 12 + length, end)
        if kind not in _PNG_IMAGE_CHUNKS:
            regions.append((body, min(body + length, end)))
        pos = after
        if kind == b"IEND":
            break
    return regions, pos


def _webp(data: bytes) -> tuple[list[Region], int]:
    regions: list[Region] = []
    riff_end = min(8 + int.from_bytes(data[4:8], "little"), len(data))
    pos = 12
    while pos + 8 <= riff_end:
        kind = data[pos : pos + 4]
        length = int.from_bytes(data[pos + 4 : pos + 8], "little")
        body = pos + 8
        if kind not in _WEBP_IMAGE_CHUNKS:
            regions.append((body, min(body + length, riff_end)))
        pos = body + length + (length & 1)  # chunks are padded to an even size
    return regions, max(riff_end, min(pos, len(data)))


def _boxes(data: bytes, start: int, stop: int) -> tuple[list[tuple[bytes, int, int]], int]:
    """ISO base media boxes between start and stop: (type, body start, end), and where the
    run of well-formed boxes ends."""
    found = []
    pos = start
    while pos + 8 <= stop:
        size = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        header = 8
        if size == 1 and pos + 16 <= stop:
            size, header = int.from_bytes(data[pos + 8 : pos + 16], "big"), 16
        elif size == 0:
            size = stop - pos
        if size < header or pos + size > stop or not kind.isascii():
            break  # not a box: what follows is searched as trailing data
        found.append((kind, pos + header, pos + size))
        pos += size
    return found, pos


def _bmff(data: bytes, start: int, stop: int) -> tuple[list[Region], int]:
    """ISO base media boxes (HEIC, MP4): every box is searched except media data; HEIF
    items stored in media data are searched too, unless they are coded pictures."""
    regions: list[Region] = []
    boxes, end = _boxes(data, start, stop)
    for kind, body, box_end in boxes:
        if kind not in _BMFF_MEDIA_BOXES:
            regions.append((body, box_end))
        if kind == b"meta":
            regions += _heif_items(data, body + 4, box_end, stop)  # meta is a full box
    return regions, end


# HEIF item types that hold coded pictures (their bytes are image data) and JPEG pictures
# (walked as JPEGs). Every other item (Exif, XMP as "mime", anything unknown) is metadata.
_HEIF_PICTURES = {b"hvc1", b"hvt1", b"lhv1", b"av01", b"avc1", b"j2k1", b"unci", b"grid",
                  b"iovl", b"iden", b"tmap"}


def _heif_items(data: bytes, start: int, stop: int, file_end: int) -> list[Region]:
    """Metadata items of a HEIF `meta` box, found through its item-info and item-location
    tables; unreadable tables give nothing (the box itself is searched anyway)."""
    try:
        children = {kind: (body, end) for kind, body, end in _boxes(data, start, stop)[0]}
        types = _heif_item_types(data, *children[b"iinf"])
        extents = _heif_item_extents(data, *children[b"iloc"])
    except (KeyError, IndexError, ValueError):
        return []
    regions: list[Region] = []
    for item_id, ranges in extents.items():
        kind = types.get(item_id, b"")
        for offset, length in ranges:
            begin, end = offset, min(offset + length, file_end)
            if not 0 <= begin < end:
                continue
            if kind == b"jpeg":
                regions += _jpeg(data, begin, end, 1)[0]
            elif kind not in _HEIF_PICTURES:
                regions += _metadata(data, begin, end, 1)
    return regions


def _uint(data: bytes, pos: int, size: int) -> tuple[int, int]:
    if pos + size > len(data):
        raise IndexError(pos)
    return int.from_bytes(data[pos : pos + size], "big"), pos + size


def _heif_item_types(data: bytes, start: int, stop: int) -> dict[int, bytes]:
    version = data[start]
    pos = start + 4
    _count, pos = _uint(data, pos, 2 if version == 0 else 4)
    types = {}
    for kind, body, _end in _boxes(data, pos, stop)[0]:
        if kind != b"infe" or data[body] < 2:
            continue
        item_id, at = _uint(data, body + 4, 2 if data[body] == 2 else 4)
        types[item_id] = data[at + 2 : at + 6]  # after item_protection_index
    return types


def _heif_item_extents(data: bytes, start: int, stop: int) -> dict[int, list[Region]]:
    """item id -> (file offset, length) of each extent stored in the file itself."""
    version = data[start]
    pos = start + 4
    sizes, pos = _uint(data, pos, 2)
    offset_size, length_size = sizes >> 12, (sizes >> 8) & 15
    base_size, index_size = (sizes >> 4) & 15, (sizes & 15) if version in (1, 2) else 0
    count, pos = _uint(data, pos, 4 if version == 2 else 2)
    extents: dict[int, list[Region]] = {}
    for _ in range(count):
        item_id, pos = _uint(data, pos, 4 if version == 2 else 2)
        method = 0
        if version in (1, 2):
            method, pos = _uint(data, pos, 2)
            method &= 15
        pos += 2  # data_reference_index
        base, pos = _uint(data, pos, base_size)
        extent_count, pos = _uint(data, pos, 2)
        for _ in range(extent_count):
            pos += index_size
            offset, pos = _uint(data, pos, offset_size)
            length, pos = _uint(data, pos, length_size)
            if method == 0:  # 1: inside `idat`, searched with `meta`; 2: other items
                extents.setdefault(item_id, []).append((base + offset, length))
        if pos > stop:
            raise ValueError("iloc overruns its box")
    return extents
