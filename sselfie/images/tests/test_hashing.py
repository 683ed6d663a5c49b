import ast
from pathlib import Path

from sselfie.images.hashing import hamming, phash
from sselfie.images.photoset import DUPLICATE_BITS

from . import samples
from .conftest import astro_big


def test_hash_format_and_distance():
    h = phash(samples.astronaut())
    assert len(h) == 16 and int(h, 16) >= 0
    assert hamming(h, h) == 0
    assert hamming("0" * 16, "f" * 16) == 64


def test_re_encodes_and_resizes_are_near_duplicates(reports):
    base = reports("astro").phash
    for name in ("astro_q60", "astro_heic", "astro_webp", "astro_png", "astro_small"):
        assert hamming(base, reports(name).phash) <= DUPLICATE_BITS, name
    assert hamming(base, phash(samples.exposed(astro_big(), 1.2))) <= DUPLICATE_BITS


def test_different_pictures_are_far_apart(reports):
    base = reports("astro").phash
    for name in ("astro_mirror", "astro_closeup", "hopper", "coffee", "chelsea"):
        assert hamming(base, reports(name).phash) > 2 * DUPLICATE_BITS, name


def test_package_has_no_django_imports():
    root = Path(__file__).resolve().parents[1]
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            assert not any(m.split(".")[0] == "django" for m in modules), path
