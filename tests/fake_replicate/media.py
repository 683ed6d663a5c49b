"""Bytes the fake makes and reads: output images, trained weights, training zips, uploads."""

from __future__ import annotations

import base64
import io
import math
import tarfile
import zipfile
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageOps

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
_PIL_FORMATS = {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}


def dimensions(aspect_ratio: str, megapixels: float) -> tuple[int, int]:
    """Width and height for a ratio and pixel budget, multiples of 16 as FLUX makes them."""
    if aspect_ratio.count(":") != 1 or aspect_ratio == "custom":
        aspect_ratio = "1:1"
    across, down = (int(part) for part in aspect_ratio.split(":"))
    pixels = max(megapixels, 0.0001) * 1_000_000
    height = math.sqrt(pixels * down / across)
    width = height * across / down
    return max(16, round(width / 16) * 16), max(16, round(height / 16) * 16)


def make_image(width: int, height: int, output_format: str, seed: int, index: int,
               sources: tuple[bytes, ...] = ()) -> bytes:
    """A real, decodable image that differs by seed and index (flat colours encode fast).
    With ``sources`` (photos a test supplies, e.g. faces), output ``index`` is source
    ``index`` fitted to the size, as a trained model's photo of a person would be."""
    if sources:
        with Image.open(io.BytesIO(sources[index % len(sources)])) as src:
            # Padded, not cropped: the whole person stays in frame, as in a real photo.
            image = ImageOps.pad(src.convert("RGB"), (width, height), color=(236, 230, 220))
        buffer = io.BytesIO()
        image.save(buffer, format=_PIL_FORMATS.get(output_format, "WEBP"), quality=90)
        return buffer.getvalue()
    colour = ((seed * 67 + index * 131) % 256, (seed * 29 + 90) % 256, (index * 83 + 40) % 256)
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    inverse = tuple(255 - channel for channel in colour)
    draw.ellipse((width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=inverse)
    buffer = io.BytesIO()
    image.save(buffer, format=_PIL_FORMATS.get(output_format, "WEBP"), quality=80)
    return buffer.getvalue()


def make_weights() -> bytes:
    """A small tar standing in for trained_model.tar."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        payload = b"fake lora weights\n"
        info = tarfile.TarInfo("output/flux_train_replicate/lora.safetensors")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()


def training_zip_problem(data: bytes | None) -> str | None:
    """Why the trainer would refuse ``data`` as input_images, or None when it is usable."""
    if data is None or not zipfile.is_zipfile(io.BytesIO(data)):
        return "input_images must be a zip file"
    images = 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for entry in archive.infolist():
            if entry.is_dir() or not entry.filename.lower().endswith(IMAGE_SUFFIXES):
                continue
            try:
                with Image.open(io.BytesIO(archive.read(entry))) as image:
                    image.verify()
            except Exception:  # any decode failure means "not an image"
                return f"Could not read image {entry.filename} in input_images"
            images += 1
    if images == 0:
        return "No images found in input_images zip file"
    return None


def image_count(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(1 for name in archive.namelist() if name.lower().endswith(IMAGE_SUFFIXES))


def decode_data_uri(uri: str) -> bytes | None:
    head, _, body = uri.partition(",")
    if not head.startswith("data:") or not head.endswith(";base64"):
        return None
    try:
        return base64.b64decode(body, validate=True)
    except ValueError:
        return None


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    content_type: str | None
    data: bytes


def parse_multipart(body: bytes, content_type: str) -> dict[str, Part]:
    """Parse multipart/form-data (the stdlib ``cgi`` module is gone in 3.13)."""
    boundary = ""
    for piece in content_type.split(";")[1:]:
        key, _, value = piece.strip().partition("=")
        if key.lower() == "boundary":
            boundary = value.strip('"')
    if not boundary:
        raise ValueError("multipart body without a boundary")
    parts: dict[str, Part] = {}
    for chunk in body.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        params: dict[str, str] = {}
        for piece in headers.get("content-disposition", "").split(";")[1:]:
            key, _, value = piece.strip().partition("=")
            params[key.lower()] = value.strip('"')
        if "name" in params:
            parts[params["name"]] = Part(
                name=params["name"],
                filename=params.get("filename"),
                content_type=headers.get("content-type"),
                data=data.removesuffix(b"\r\n"),
            )
    return parts
