"""Sharpness and exposure measures on a face region (or a whole picture).

Both work on the region resized to a fixed size, so a face filling a 48 MP frame and one
filling a 1 MP frame score alike: what matters is detail *at the face's own scale*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from .faces import Box

# Faces are measured at this width: about the native size of a face in a 1024 px training
# image, so "sharp enough" means sharp where the trainer will look.
MEASURE_SIDE = 128
# Without a face the whole picture is measured at this size (its sharp detail is finer).
WHOLE_SIDE = 256


@dataclass(frozen=True, slots=True)
class Exposure:
    mean: float  # mean luma, 0-255
    dark_share: float  # share of pixels with luma <= 20 (crushed blacks)
    clipped_share: float  # share of pixels with luma >= 250 (blown highlights)
    contrast: float  # standard deviation of luma


def region(img: Image.Image, box: Box | None, side: int = MEASURE_SIDE) -> Image.Image:
    """Greyscale crop of `box` (clamped to the image), resized so its long side is `side`."""
    if box is not None:
        left, top = max(0, round(box.left)), max(0, round(box.top))
        right, bottom = min(img.width, round(box.right)), min(img.height, round(box.bottom))
        if right - left >= 4 and bottom - top >= 4:
            img = img.crop((left, top, right, bottom))
    ratio = side / max(img.size)
    size = (max(8, round(img.width * ratio)), max(8, round(img.height * ratio)))
    return img.convert("L").resize(size, Image.Resampling.BILINEAR)


def sharpness(grey: Image.Image) -> float:
    """Variance of the Laplacian relative to the region's own contrast, times 100.

    Dividing by the grey-level variance makes the measure independent of exposure and
    contrast (a dim face is not a blurry face); blur removes high frequencies, which is
    what the Laplacian sees.
    """
    a = np.asarray(grey, dtype=np.float64)
    lap = a[1:-1, :-2] + a[1:-1, 2:] + a[:-2, 1:-1] + a[2:, 1:-1] - 4 * a[1:-1, 1:-1]
    contrast = a[1:-1, 1:-1].var()
    # +25 (a 5-level standard deviation) keeps flat regions from dividing by ~zero.
    return float(100.0 * lap.var() / (contrast + 25.0))


def exposure(grey: Image.Image) -> Exposure:
    a = np.asarray(grey)
    return Exposure(
        mean=float(a.mean()),
        dark_share=float((a <= 20).mean()),
        clipped_share=float((a >= 250).mean()),
        contrast=float(a.std()),
    )
