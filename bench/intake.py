"""Benchmark: the whole selfie intake against a plain full-resolution decode.

Run: .venv/bin/python bench/intake.py [--workers 2] [--pool processes|threads] [--rounds 3]

Makes 15 photos of about 12 MP (4032x3024 and 3024x4032; 8 JPEG, 7 HEIC) from the
test portraits by cropping, mirroring, exposure changes and upscaling, with a little
sensor-like grain so they compress and decode like phone photos. Then, in the same run
and on the same files, times:

- baseline: `Image.open(path).load()` for every file, one after the other (HEIC through
  pillow-heif), i.e. just decoding them at full resolution;
- intake: `assess_photos()` on every file (`--workers` at once, on a warm process pool
  by default or on threads), `assess_set()` on the results, and `build_training_zip()`
  of the usable photos.

Models are loaded before timing, as in a running server, and the process pool is
started before timing, as a task worker keeps one. Each side is timed `--rounds`
times, alternating, and the best of each is kept (other work on the machine hits
both sides alike). Prints the intake time as a ratio of the baseline.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sselfie.images import faces  # noqa: E402
from sselfie.images.checks import PhotoReport, assess_photos  # noqa: E402
from sselfie.images.photoset import SetMember, assess_set  # noqa: E402
from sselfie.images.tests import samples  # noqa: E402
from sselfie.images.trainset import TrainPhoto, build_training_zip  # noqa: E402

LANDSCAPE = (4032, 3024)
PORTRAIT = (3024, 4032)


def _fit(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Crop to the aspect ratio of `size` (centred), then upscale to it."""
    target = size[0] / size[1]
    w, h = img.size
    if w / h > target:
        new_w = round(h * target)
        img = img.crop(((w - new_w) // 2, 0, (w - new_w) // 2 + new_w, h))
    else:
        new_h = round(w / target)
        top = min((h - new_h) // 3, h - new_h)
        img = img.crop((0, top, w, top + new_h))
    return img.resize(size, Image.Resampling.BICUBIC)


def make_photos(folder: Path) -> list[Path]:
    astro, hopper = samples.astronaut(), samples.grace_hopper()
    mirror = Image.Transpose.FLIP_LEFT_RIGHT
    variants: list[tuple[Image.Image, tuple[int, int]]] = [
        (astro, LANDSCAPE),
        (astro, PORTRAIT),
        (astro.transpose(mirror), LANDSCAPE),
        (astro.crop((100, 20, 400, 320)), PORTRAIT),  # close-up
        (samples.exposed(astro, 0.75), PORTRAIT),
        (samples.exposed(astro, 1.15), LANDSCAPE),
        (astro.crop((60, 0, 460, 512)), PORTRAIT),
        (astro.transpose(mirror).crop((0, 0, 512, 400)), LANDSCAPE),
        (astro.rotate(8, Image.Resampling.BICUBIC), PORTRAIT),
        (astro.rotate(-8, Image.Resampling.BICUBIC), LANDSCAPE),
        (samples.exposed(astro.crop((120, 40, 380, 300)), 0.85), LANDSCAPE),  # close-up
        (hopper, PORTRAIT),
        (hopper.transpose(mirror), LANDSCAPE),
        (samples.exposed(hopper, 0.8), PORTRAIT),
        (hopper.crop((60, 80, 452, 472)), LANDSCAPE),
    ]
    paths = []
    for i, (img, size) in enumerate(variants):
        big = samples.with_grain(_fit(img, size), 3.0, seed=i)
        if i % 2:
            path = folder / f"photo{i:02d}.heic"
            path.write_bytes(samples.heic(big, quality=75))
        else:
            path = folder / f"photo{i:02d}.jpg"
            path.write_bytes(samples.jpeg(big, quality=92))
        paths.append(path)
    return paths


def baseline(paths: list[Path]) -> None:
    for path in paths:
        with Image.open(path) as im:
            im.load()


def intake(
    paths: list[Path], workers: int, executor: Executor | None
) -> tuple[list[PhotoReport], object, bytes]:
    items = [path.read_bytes() for path in paths]
    reports = assess_photos(items, workers=workers, executor=executor)
    members = [
        SetMember(
            id=i,
            phash=r.phash,
            embedding=r.embedding,
            pose=r.pose,
            framing=r.framing,
            brightness=r.brightness,
            ok=r.ok,
        )
        for i, r in enumerate(reports)
    ]
    report = assess_set(members)
    chosen = [TrainPhoto(reports[i].cleaned, reports[i].face_box) for i in report.usable_ids]
    return reports, report, build_training_zip(chosen, workers=workers)


def interleaved(rounds: int, first: Callable[[], object], second: Callable[[], object]):
    """Best time of each over `rounds`, alternating them so both see the same machine."""
    best = [float("inf"), float("inf")]
    cpu = [float("inf"), float("inf")]
    results: list[object] = [None, None]
    for _ in range(rounds):
        for k, fn in enumerate((first, second)):
            start, start_cpu = time.perf_counter(), time.process_time()
            results[k] = fn()
            best[k] = min(best[k], time.perf_counter() - start)
            cpu[k] = min(cpu[k], time.process_time() - start_cpu)
    return best, cpu, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="make the photos here once and reuse them")
    parser.add_argument(
        "--pool",
        choices=["threads", "processes"],
        default="processes",
        help="threads: a thread pool per batch; processes: a warm process pool, as a server "
        "or task worker would keep",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        paths = sorted(folder.glob("photo*")) if args.keep else []
        if len(paths) != 15:
            paths = make_photos(folder)
        size = sum(p.stat().st_size for p in paths) / 1e6
        print(f"made {len(paths)} photos, {size:.0f} MB, in {time.perf_counter() - start:.0f} s")
        faces.warm_up()  # one-time per process, like a warm server
        executor = None
        if args.pool == "processes":
            executor = ProcessPoolExecutor(
                args.workers, mp_context=mp.get_context("forkserver"), initializer=faces.warm_up
            )
            intake(paths, args.workers, executor)  # start the workers and load their models
        baseline(paths)  # page cache and allocator warm-up for both sides

        (base_s, run_s), (base_cpu, run_cpu), (_, outcome) = interleaved(
            args.rounds, lambda: baseline(paths), lambda: intake(paths, args.workers, executor)
        )
        reports, report, zipped = outcome
        if executor is not None:
            executor.shutdown()

    ok = sum(r.ok for r in reports)
    print(f"photos passing their checks: {ok}/{len(reports)}; set usable: {report.usable}")
    print(f"set: ready={report.ready} score={report.score} problems={report.problems}")
    print(f"training zip: {len(zipped) / 1e6:.1f} MB")
    workers = f"{args.workers} {args.pool}"
    print(f"baseline full decode: {base_s:.2f} s   intake ({workers}): {run_s:.2f} s")
    if args.pool == "threads":
        print(f"CPU time (all threads): baseline {base_cpu:.2f} s, intake {run_cpu:.2f} s")
    print(f"cores: {os.cpu_count()}, load average now: {os.getloadavg()[0]:.1f}")
    print(f"ratio intake/decode: {run_s / base_s:.2f}")


if __name__ == "__main__":
    main()
