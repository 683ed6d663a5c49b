import io
import pickle
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image

from sselfie.images import checks, faces, thumbs
from sselfie.images.checks import assess_photo, assess_photos
from sselfie.images.decode import decode
from sselfie.images.problems import ImageRejected

from . import samples
from .conftest import MIN_SIDE, astro_big, photo


def test_good_portraits_pass(reports):
    for name in ("astro", "astro_heic", "astro_webp", "astro_png", "astro_closeup", "hopper"):
        report = reports(name)
        assert report.ok, (name, report.problems)
        assert report.face_count == 1
        assert len(report.embedding) == 128
        assert len(report.phash) == 16


def test_report_measures(reports):
    astro, hopper, closeup = reports("astro"), reports("hopper"), reports("astro_closeup")
    assert (astro.width, astro.height, astro.format) == (1280, 1280, "JPEG")
    assert astro.framing == "half"
    assert hopper.framing == closeup.framing == "close-up"
    assert astro.pose == hopper.pose == "frontal"
    left, top, right, bottom = astro.face_box
    assert 0.3 < left < right < 0.6 and 0.1 < top < bottom < 0.4
    assert astro.sharpness > checks.BLUR_BELOW * 2
    assert 100 < astro.brightness < 200


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("astro_blur", "blurry"),
        ("astro_small", "too_small"),
        ("astro_dark", "too_dark"),
        ("astro_bright", "too_bright"),
        ("astro_cut", "face_cut_off"),
        ("astro_tiny_face", "face_too_small"),
        ("two_people", "multiple_people"),
        ("two_people_uneven", "multiple_people"),
        ("astro_very_blurry", "blurry"),
        ("coffee", "no_face"),
        ("chelsea", "no_face"),
    ],
)
def test_problem_photos_are_caught(reports, name, code):
    report = reports(name)
    assert code in report.codes
    problem = next(p for p in report.problems if p.code == code)
    assert problem.message and problem.hint


def test_each_problem_photo_is_caught_for_its_own_reason_only(reports):
    # Guards against a check firing on everything (e.g. the blur check on soft photos).
    assert reports("astro_blur").codes == ["blurry"]
    assert reports("astro_dark").codes == ["too_dark"]
    assert reports("astro_cut").codes == ["face_cut_off"]
    assert reports("two_people").codes == ["multiple_people"]
    assert reports("astro_tiny_face").codes == ["face_too_small"]


def test_small_stranger_in_the_background_is_ignored(reports):
    found = faces.find_faces(decode(photo("stranger_behind")).image)
    assert len(found) == 2 and found[1].box.width < faces.COMPANION_RATIO * found[0].box.width
    report = reports("stranger_behind")
    assert report.ok, report.problems
    assert report.face_count == 1


def test_min_short_side_is_a_parameter(photos):
    small = photos("astro_small")  # 512 x 512
    assert "too_small" in assess_photo(small, min_short_side=768).codes
    assert "too_small" not in assess_photo(small, min_short_side=512).codes


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_checked_upright(orientation):
    upright = samples.upscale(samples.grace_hopper(), 1000)
    report = assess_photo(samples.oriented_jpeg(upright, orientation), min_short_side=MIN_SIDE)
    assert report.ok, report.problems
    assert (report.width, report.height) == upright.size
    assert Image.open(io.BytesIO(report.cleaned)).size == upright.size


def test_gps_tagged_input_leaves_no_metadata(photos):
    source = photos("astro_gps")
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)  # the fixture leaks
    report = assess_photo(source, min_short_side=MIN_SIDE)
    for data in (report.cleaned, report.thumbnail):
        with Image.open(io.BytesIO(data)) as im:
            assert not im.getexif()
            assert "exif" not in im.info and "xmp" not in im.info
            assert "icc_profile" not in im.info
        assert b"Exif" not in data and b"secret-location" not in data
        assert b"TestCam" not in data and b"xmpmeta" not in data


def test_cleaned_and_thumbnail_sizes():
    big = samples.upscale(samples.grace_hopper(), 3000)
    report = assess_photo(samples.jpeg(big), min_short_side=MIN_SIDE)
    with Image.open(io.BytesIO(report.cleaned)) as cleaned:
        assert cleaned.format == "JPEG" and cleaned.mode == "RGB"
        assert 1536 <= max(cleaned.size) <= checks.CLEAN_SIDE
        assert cleaned.size == report.cleaned_size
    with Image.open(io.BytesIO(report.thumbnail)) as thumb:
        assert thumb.format == "WEBP"
        assert max(thumb.size) == thumbs.THUMB_SIDE
    assert (report.width, report.height) == big.size


def test_thumbnail_of_untrusted_bytes():
    png = samples.encode(samples.upscale(samples.coffee(), 1200), "PNG")
    with Image.open(io.BytesIO(thumbs.thumbnail(png, 256))) as thumb:
        assert thumb.format == "WEBP" and max(thumb.size) == 256
    with pytest.raises(ImageRejected):
        thumbs.thumbnail(samples.PDF)


def test_polyglot_loses_its_script():
    report = assess_photo(samples.html_jpeg_polyglot(astro_big()), min_short_side=MIN_SIDE)
    assert report.ok
    assert samples.SCRIPT not in report.cleaned and b"<html" not in report.cleaned


def _thirty_mb_png() -> bytes:
    rng = np.random.default_rng(1)
    noise = Image.fromarray(rng.integers(0, 256, (3200, 3200, 3), dtype=np.uint8))
    return samples.encode(noise, "PNG", compress_level=0)


BAD_INPUTS = {
    "zero": lambda: b"",
    "text-named-jpg": lambda: b"just some words in a file called me.jpg",
    "truncated-jpeg": lambda: samples.jpeg(astro_big())[:40_000],
    "svg": lambda: samples.SVG,
    "pdf": lambda: samples.PDF,
    "html-first": lambda: samples.HTML_FIRST,
    "pixel-bomb": samples.pixel_bomb_png,
    "animated-gif": lambda: samples.animated("GIF", samples.astronaut()),
    "animated-webp": lambda: samples.animated("WEBP", samples.astronaut()),
    "fits": samples.fits_file,
    "thirty-mb": _thirty_mb_png,
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_inputs_get_a_problem_not_an_exception(name):
    report = assess_photo(BAD_INPUTS[name](), min_short_side=MIN_SIDE)
    assert not report.ok
    for problem in report.problems:
        assert problem.code and problem.message and problem.hint


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: samples.png16(samples.upscale(samples.grace_hopper(), 1000)), "16-bit"),
        (lambda: samples.cmyk_jpeg(samples.upscale(samples.grace_hopper(), 1000)), "CMYK"),
    ],
)
def test_sixteen_bit_and_cmyk_are_accepted_after_conversion(make, expected):
    report = assess_photo(make(), min_short_side=MIN_SIDE)
    assert report.ok, (expected, report.problems)
    assert report.face_count == 1


def test_assess_photos_in_parallel_keeps_input_order(photos):
    batch = [photos("coffee"), photos("astro_heic"), b"", photos("astro")]
    reports = assess_photos(batch, min_short_side=MIN_SIDE, workers=2)
    assert [r.codes for r in reports] == [["no_face"], [], ["empty"], []]


def test_reports_survive_pickling_for_process_pools(reports):
    # assess_photos can run on a ProcessPoolExecutor; reports must cross processes intact.
    report = reports("astro")
    copy = pickle.loads(pickle.dumps(report))  # noqa: S301 - our own bytes
    assert copy == report and copy.codes == report.codes and copy.ok


def test_assess_photos_uses_a_given_executor(photos):
    with ThreadPoolExecutor(1) as pool:
        reports = assess_photos([photos("coffee")], min_short_side=MIN_SIDE, executor=pool)
        assert reports[0].codes == ["no_face"]
        assert not pool._shutdown  # a borrowed pool stays usable for the caller
