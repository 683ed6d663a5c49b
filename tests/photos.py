"""Photos for view tests, derived from public-domain portraits shipped in installed packages
(scikit-image's astronaut, Eileen Collins; matplotlib's Grace Hopper)."""

from functools import cache

from PIL import Image, ImageOps

from sselfie.images.checks import assess_photo
from sselfie.images.tests import samples


def _framings(src: Image.Image, count: int) -> list[Image.Image]:
    """Crops at different zooms and offsets, mirrored every other time, under different
    exposure: distinct enough that no two are near-duplicates, the same face in all."""
    out = []
    width, height = src.size
    for i in range(count):
        zoom = 0.55 + 0.04 * (i % 6)
        cw, ch = int(width * zoom), int(height * zoom)
        x = int((width - cw) * ((i * 37) % 11) / 10)
        y = int((height - ch) * ((i * 53) % 7) / 12)
        img = src.crop((x, y, x + cw, y + ch))
        if i % 2:
            img = ImageOps.mirror(img)
        out.append(samples.upscale(samples.exposed(img, 0.85 + 0.05 * (i % 5)), 1100))
    return out


@cache
def distinct_selfies(count: int = 12) -> tuple[bytes, ...]:
    """`count` JPEGs of the same person that each pass every photo check."""
    good = []
    for img in _framings(samples.astronaut(), count + 6):
        data = samples.jpeg(img)
        if assess_photo(data).ok:
            good.append(data)
        if len(good) == count:
            return tuple(good)
    raise AssertionError(f"only {len(good)} usable variants; adjust _framings")


@cache
def someone_else() -> bytes:
    return samples.jpeg(samples.upscale(samples.grace_hopper(), 1100))


@cache
def big_heic() -> bytes:
    return samples.heic(samples.upscale(samples.astronaut(), 1100))


@cache
def report_for(data: bytes):
    return assess_photo(data)


def seed_selfies(user, photos) -> None:
    """Store checked photos for `user` through the intake, analysing each photo once per
    test session: for tests about what happens after upload."""
    from sselfie.selfies import intake

    for i, data in enumerate(photos):
        verdict = intake.store_report(user, f"{i}.jpg", report_for(data))
        assert verdict.accepted, verdict.problems
