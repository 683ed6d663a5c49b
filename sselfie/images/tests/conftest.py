"""Session-cached photos and reports, so each derived fixture is made and checked once."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest
from PIL import Image

from sselfie.images.checks import PhotoReport, assess_photo

from . import samples

# Fixtures are kept small for speed; tests pass min_short_side explicitly where it matters.
BIG = 1280  # long side of the "big enough" variants (upscaled from 512-600 px)
MIN_SIDE = 768


@cache
def astro_big() -> Image.Image:
    return samples.with_grain(samples.upscale(samples.astronaut(), BIG), 2.0, seed=1)


@cache
def hopper_big() -> Image.Image:
    return samples.with_grain(samples.upscale(samples.grace_hopper(), BIG), 2.0, seed=2)


@cache
def two_people() -> Image.Image:
    """Astronaut and Grace Hopper side by side, faces about the same size."""
    astro = astro_big().resize((1024, 1024))
    hopper = samples.grace_hopper()
    # Hopper's face is ~216 px wide in her 512 px photo; the astronaut's ~176 at 1024.
    ratio = 176 / 216
    hopper = hopper.resize((round(hopper.width * ratio), round(hopper.height * ratio)))
    hopper = samples.pad_to(hopper, (hopper.width + 100, 1024), (128, 128, 128))
    return samples.side_by_side(astro, hopper)


@cache
def stranger_behind() -> Image.Image:
    """Grace Hopper close, the astronaut small beside her (face 0.34x): a stranger behind.

    Small enough (1126 px) to be searched at full size, so the small face is detected and
    it is the size rule, not the detector, that leaves it out.
    """
    hopper = samples.grace_hopper().resize((614, 720))
    return samples.pad_to(
        samples.side_by_side(hopper, samples.astronaut()), (1126, 800), (90, 90, 90)
    )


@cache
def small_face() -> Image.Image:
    """The astronaut small in a big plain frame: face ~5% of the short side."""
    person = samples.astronaut().resize((666, 666))
    return samples.pad_to(person, (2400, 2400), (120, 130, 140))


@cache
def photo(name: str) -> bytes:
    """Named test photos as file bytes."""
    makers: dict[str, Callable[[], bytes]] = {
        "astro": lambda: samples.jpeg(astro_big()),
        "astro_q60": lambda: samples.jpeg(astro_big(), 60),
        "astro_heic": lambda: samples.heic(astro_big()),
        "astro_webp": lambda: samples.encode(astro_big(), "WEBP", quality=90),
        "astro_png": lambda: samples.encode(astro_big(), "PNG"),
        "astro_mirror": lambda: samples.jpeg(
            astro_big().transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        ),
        "astro_closeup": lambda: samples.jpeg(
            samples.upscale(astro_big().crop((300, 60, 860, 620)), 1024)
        ),
        "astro_blur": lambda: samples.jpeg(samples.blurred(astro_big(), 4)),
        "astro_dark": lambda: samples.jpeg(samples.exposed(astro_big(), 0.25)),
        "astro_bright": lambda: samples.jpeg(samples.exposed(astro_big(), 1.6)),
        "astro_small": lambda: samples.jpeg(samples.astronaut()),
        "astro_gps": lambda: samples.gps_jpeg(astro_big()),
        "astro_cut": lambda: samples.jpeg(astro_big().crop((470, 0, 1280, 1280))),
        "astro_tiny_face": lambda: samples.jpeg(small_face()),
        "hopper": lambda: samples.jpeg(hopper_big()),
        "two_people": lambda: samples.jpeg(two_people()),
        # As found in the wild: two portraits side by side at their own scales (0.4x).
        "two_people_uneven": lambda: samples.jpeg(
            samples.upscale(samples.side_by_side(samples.astronaut(), samples.grace_hopper()), 1600)
        ),
        "stranger_behind": lambda: samples.jpeg(stranger_behind()),
        "astro_very_blurry": lambda: samples.jpeg(samples.blurred(astro_big(), 12)),
        "coffee": lambda: samples.jpeg(samples.upscale(samples.coffee(), BIG)),
        "chelsea": lambda: samples.jpeg(samples.upscale(samples.chelsea(), BIG)),
    }
    return makers[name]()


@cache
def report(name: str) -> PhotoReport:
    return assess_photo(photo(name), min_short_side=MIN_SIDE)


@pytest.fixture(scope="session")
def photos() -> Callable[[str], bytes]:
    return photo


@pytest.fixture(scope="session")
def reports() -> Callable[[str], PhotoReport]:
    return report
