import io
import time

import numpy as np
import pytest
from PIL import Image, ImageFile

from sselfie.images import decode as decode_module
from sselfie.images.decode import MAX_PIXELS, decode
from sselfie.images.problems import ImageRejected

from . import samples
from .conftest import astro_big


def _rejected(data: bytes) -> ImageRejected:
    with pytest.raises(ImageRejected) as info:
        decode(data)
    assert info.value.message and info.value.hint
    return info.value


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("JPEG", "JPEG"), ("PNG", "PNG"), ("WEBP", "WEBP"), ("HEIF", "HEIF")],
)
def test_accepted_formats_decode_to_rgb(fmt, expected):
    img = samples.astronaut()
    out = decode(samples.encode(img, fmt))
    assert out.format == expected
    assert out.image.mode == "RGB"
    assert (out.width, out.height) == (512, 512)
    diff = np.abs(np.asarray(out.image, dtype=int) - np.asarray(img, dtype=int)).mean()
    assert diff < 6  # lossy formats, but the same picture


def test_type_comes_from_content_and_file_objects_work():
    data = samples.encode(samples.astronaut(), "PNG")
    named_wrong = io.BytesIO(data)
    named_wrong.name = "holiday.jpg"
    assert decode(named_wrong).format == "PNG"


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientations_decode_upright(orientation):
    upright = samples.grace_hopper()  # 512 x 600: portrait, so turns show in the size
    out = decode(samples.oriented_jpeg(upright, orientation))
    assert (out.width, out.height) == upright.size
    assert out.image.size == upright.size
    diff = np.abs(np.asarray(out.image, dtype=int) - np.asarray(upright, dtype=int)).mean()
    assert diff < 6


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "HEIF"])
def test_orientation_in_other_formats(fmt):
    upright = samples.grace_hopper()
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    out = decode(samples.encode(stored, fmt, exif=exif.tobytes()))
    assert out.image.size == upright.size == (out.width, out.height)


def test_jpeg_is_reduced_inside_the_decoder():
    data = samples.jpeg(samples.upscale(samples.astronaut(), 4032).crop((0, 0, 4032, 3024)))
    out = decode(data, max_side=2048)
    # 1/2 DCT scaling gives 2016 px straight from libjpeg; no resample to exactly 2048.
    assert out.image.size == (2016, 1512)
    assert (out.width, out.height) == (4032, 3024)
    assert out.scale == 0.5


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "HEIF"])
def test_max_side_is_respected(fmt):
    img = samples.upscale(samples.grace_hopper(), 1500)
    out = decode(samples.encode(img, fmt), max_side=1000)
    assert max(out.image.size) <= 1000
    assert max(out.image.size) >= 750
    assert (out.width, out.height) == img.size


def test_pixel_bomb_is_refused_from_the_header_fast():
    data = samples.pixel_bomb_png(30000)
    assert len(data) < 1000
    start = time.perf_counter()
    error = _rejected(data)
    assert time.perf_counter() - start < 0.05
    assert error.code == "too_many_pixels"


def test_jpeg_claiming_huge_dimensions_is_refused_fast():
    data = bytearray(samples.jpeg(samples.astronaut()))
    sof = data.index(b"\xff\xc0")  # baseline frame header: length, precision, height, width
    data[sof + 5 : sof + 9] = (60000).to_bytes(2, "big") * 2
    start = time.perf_counter()
    assert _rejected(bytes(data)).code == "too_many_pixels"
    assert time.perf_counter() - start < 0.05


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_just_over_the_cap_is_refused():
    # Between the cap and twice the cap Pillow only warns; we still refuse.
    side = int((MAX_PIXELS * 1.2) ** 0.5)
    assert _rejected(samples.pixel_bomb_png(side)).code == "too_many_pixels"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_truncated_files_are_refused(fmt):
    data = samples.encode(samples.astronaut(), fmt)
    assert _rejected(data[: len(data) * 2 // 3]).code == "corrupt"


def test_truncated_stays_refused_even_if_someone_flips_the_global(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = samples.jpeg(samples.astronaut())
    assert _rejected(data[:-2000]).code == "corrupt"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


@pytest.mark.parametrize(
    ("make", "code", "words"),
    [
        (lambda: b"", "empty", "empty"),
        (lambda: b"Dear diary, today I took a selfie.\n", "unsupported_type", "text"),
        (lambda: samples.SVG, "unsupported_type", "SVG"),
        (lambda: samples.PDF, "unsupported_type", "PDF"),
        (lambda: samples.HTML_FIRST, "unsupported_type", "web page"),
        (samples.fits_file, "unsupported_type", "FITS"),
        (lambda: samples.animated("GIF", samples.astronaut()), "unsupported_type", "GIF"),
        (lambda: samples.animated("WEBP", samples.astronaut()), "animated", "animation"),
        (lambda: samples.animated("PNG", samples.astronaut()), "animated", "animation"),
        (lambda: bytes(range(256)) * 64, "unsupported_type", "recognise"),
        (lambda: samples.jpeg(samples.astronaut())[:600], "corrupt", "damaged"),
    ],
    ids=[
        "zero",
        "text",
        "svg",
        "pdf",
        "html",
        "fits",
        "gif",
        "anim-webp",
        "apng",
        "garbage",
        "header-only",
    ],
)
def test_bad_inputs_are_named(make, code, words):
    error = _rejected(make())
    assert error.code == code
    assert words.lower() in error.message.lower()


def test_fits_decoder_never_runs(monkeypatch):
    from PIL import FitsImagePlugin

    def boom(*args, **kwargs):
        raise AssertionError("the FITS plugin must not see uploads")

    monkeypatch.setattr(FitsImagePlugin.FitsImageFile, "_open", boom)
    assert _rejected(samples.fits_file()).code == "unsupported_type"


def test_sixteen_bit_png_is_scaled_not_clipped():
    img = samples.astronaut()
    out = decode(samples.png16(img))
    expected = np.asarray(img.convert("L"), dtype=int)
    got = np.asarray(out.image.convert("L"), dtype=int)
    assert out.image.mode == "RGB"
    assert np.abs(got - expected).mean() < 1.5


def test_sixteen_bit_rgb_png_keeps_its_colours():
    img = samples.astronaut()
    out = decode(samples.png16_rgb(img))
    assert out.image.mode == "RGB"
    assert np.abs(np.asarray(out.image, dtype=int) - np.asarray(img, dtype=int)).mean() < 1.5


def test_cmyk_jpeg_converts_to_rgb():
    img = samples.astronaut()
    out = decode(samples.cmyk_jpeg(img))
    assert out.image.mode == "RGB"
    diff = np.abs(np.asarray(out.image, dtype=int) - np.asarray(img, dtype=int)).mean()
    assert diff < 8


def test_broken_icc_profile_is_ignored_not_fatal():
    img = samples.astronaut()
    out = decode(samples.jpeg(img, icc_profile=b"not really a colour profile" * 20))
    diff = np.abs(np.asarray(out.image, dtype=int) - np.asarray(img, dtype=int)).mean()
    assert diff < 6 and "icc_profile" not in out.image.info


def test_transparent_png_is_flattened_on_white():
    img = Image.new("RGBA", (64, 64), (255, 0, 0, 0))
    out = decode(samples.encode(img, "PNG"))
    assert out.image.getpixel((10, 10)) == (255, 255, 255)


def test_html_jpeg_polyglot_decodes_to_pixels_only():
    out = decode(samples.html_jpeg_polyglot(samples.astronaut()))
    assert out.format == "JPEG"
    assert not out.image.info  # the comment (and its script) is gone


def test_thirty_megabyte_file_decodes_within_bounds():
    rng = np.random.default_rng(0)
    noise = Image.fromarray(rng.integers(0, 256, (3200, 3200, 3), dtype=np.uint8))
    data = samples.encode(noise, "PNG", compress_level=0)
    assert len(data) > 30_000_000
    out = decode(data, max_side=2048)
    assert max(out.image.size) <= 2048


def test_thirty_megabytes_of_garbage_is_refused():
    data = b"\xff\xd8\xff\xe0" + bytes(30_000_000)
    assert _rejected(data).code == "corrupt"


def test_decoded_image_has_no_metadata():
    out = decode(samples.gps_jpeg(astro_big()))
    assert out.image.info == {}


def test_module_keeps_pillow_safety_settings():
    assert Image.MAX_IMAGE_PIXELS == decode_module.MAX_PIXELS
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow warns about the broken EXIF
@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_mangled_files_never_escape_as_other_errors(fmt):
    """Flip, drop and repeat bytes near the headers: a result or ImageRejected, nothing else."""
    original = samples.encode(samples.astronaut().resize((96, 96)), fmt, **_fuzz_params(fmt))
    rng = np.random.default_rng(2024)
    outcomes = set()
    for _ in range(150):
        data = bytearray(original)
        for _ in range(int(rng.integers(1, 4))):
            at = int(rng.integers(0, min(len(data), 600)))
            kind = int(rng.integers(0, 3))
            if kind == 0:
                data[at] = int(rng.integers(0, 256))
            elif kind == 1:
                del data[at : at + int(rng.integers(1, 16))]
            else:
                data[at:at] = data[at : at + int(rng.integers(1, 16))]
        try:
            decode(bytes(data), max_side=64)
            outcomes.add("decoded")
        except ImageRejected as rejected:
            outcomes.add(rejected.code)
    assert outcomes  # any mix is fine; an unexpected exception fails the test


def _fuzz_params(fmt: str) -> dict:
    if fmt == "JPEG":
        exif = Image.Exif()
        exif[0x0112] = 6
        return {"exif": exif.tobytes()}
    return {}
