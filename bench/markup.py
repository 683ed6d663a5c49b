"""Benchmark: the polyglot check (images/markup.py) against the whole-file regex it replaced.

Run: .venv/bin/python bench/markup.py [--rounds 5]

Encodes one 12 MP photo (4032x3024, the test portrait upscaled with sensor-like grain) as
JPEG (quality 93), PNG, WebP and HEIC, then times on the same bytes, best of --rounds:

- baseline: `MARKUP.search(data)` over the whole file (the old check);
- now: `hides_markup(data)`, which walks the file's structure and searches everything but
  compressed image data.

Prints milliseconds per file for each and the ratio now / baseline; for scale, decoding
the same JPEG takes a few hundred milliseconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sselfie.images import decode  # noqa: E402,F401  (registers the HEIF opener)
from sselfie.images.markup import MARKUP, hides_markup  # noqa: E402
from sselfie.images.tests import samples  # noqa: E402


def best(func: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    photo = samples.with_grain(samples.upscale(samples.astronaut(), 4032), 6.0).crop(
        (0, 500, 4032, 3524))
    params = {"JPEG": {"quality": 93}, "PNG": {"compress_level": 1},
              "WEBP": {"quality": 90}, "HEIF": {"quality": 80}}
    for fmt, extra in params.items():
        data = samples.encode(photo, fmt, **extra)
        old = best(lambda d=data: MARKUP.search(d), args.rounds)
        new = best(lambda d=data: hides_markup(d), args.rounds)
        print(f"{fmt:5} {len(data) / 1e6:6.1f} MB  baseline {old * 1e3:7.2f} ms  "
              f"now {new * 1e3:7.2f} ms  ratio {new / old:5.2f}")


if __name__ == "__main__":
    main()
