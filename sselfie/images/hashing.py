"""Perceptual hash (DCT pHash) for spotting duplicate and near-duplicate photos.

The photo is shrunk to 32x32 grey, transformed with a 2-D DCT, and the 8x8 lowest
frequencies (bar the DC term, which is only overall brightness) are compared with their
median: 64 bits that survive re-encoding, resizing and mild exposure changes, but change
when the framing, pose or scene changes. Pure numpy: no extra dependency.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from PIL import Image

_SIZE = 32
_KEEP = 8


@cache
def _dct_matrix(n: int) -> np.ndarray:
    """Orthonormal DCT-II basis, so D = C @ X @ C.T is the 2-D transform."""
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    c = np.cos(np.pi * (2 * i + 1) * k / (2 * n)) * np.sqrt(2.0 / n)
    c[0] /= np.sqrt(2.0)
    return c


def phash(img: Image.Image) -> str:
    """64-bit perceptual hash as 16 hex digits."""
    grey = img.convert("L").resize((_SIZE, _SIZE), Image.Resampling.BOX, reducing_gap=2.0)
    pixels = np.asarray(grey, dtype=np.float64)
    c = _dct_matrix(_SIZE)
    low = (c @ pixels @ c.T)[:_KEEP, :_KEEP].flatten()
    bits = low > np.median(low[1:])
    bits[0] = False  # the DC term carries brightness, not structure
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return f"{value:016x}"


def hamming(a: str, b: str) -> int:
    """Number of differing bits between two hashes from `phash`."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
