"""Compare dlib's face detectors on photos derived from the test samples.

Run: .venv/bin/python bench/faces_eval.py   (takes a few minutes: the CNN is slow on CPU)

Detectors compared on the same images:
- hog:      dlib.get_frontal_face_detector(), score threshold 0, no upsampling
- cnn:      mmod_human_face_detector.dat (dlib.cnn_face_detection_model_v1), no upsampling
- cascade:  what sselfie.images.faces.find_faces does (HOG, then CNN only on weak hits)

Positives are the two real portraits at several scales, turned, mirrored, darkened,
brightened, blurred, noisy, heavily compressed, and two-person composites, plus scikit-
image's 100 LFW face crops (25x25, upscaled 5x, so soft). Negatives are scikit-image's
non-face pictures and the 100 LFW non-face crops. A detection is a hit when its centre is
within half a face width of the known face centre and its width within 0.5x-2x.
Prints the table written into docs/faces.md.
"""

from __future__ import annotations

import io
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sselfie.images import faces  # noqa: E402
from sselfie.images.tests import samples  # noqa: E402

Center = tuple[float, float, float]  # x, y, face width


@dataclass
class Case:
    name: str
    image: Image.Image
    truth: list[Center]


def _reference(img: Image.Image) -> Center:
    rects, scores, _ = faces.hog_run(faces.as_array(img), 1, 0.0)
    r = max(zip(rects, scores, strict=True), key=lambda item: item[1])[0]
    return ((r.left() + r.right()) / 2, (r.top() + r.bottom()) / 2, r.width())


def _moved(c: Center, scale: float, dx: float = 0, dy: float = 0) -> Center:
    return (c[0] * scale + dx, c[1] * scale + dy, c[2] * scale)


def _rotated(img: Image.Image, c: Center, degrees: float) -> tuple[Image.Image, Center]:
    cx, cy = img.width / 2, img.height / 2
    theta = np.deg2rad(degrees)
    x, y = c[0] - cx, c[1] - cy
    # PIL rotates counter-clockwise on screen (y axis down).
    nx = x * np.cos(theta) + y * np.sin(theta)
    ny = -x * np.sin(theta) + y * np.cos(theta)
    return img.rotate(degrees, Image.Resampling.BICUBIC, fillcolor=(90, 90, 90)), (
        nx + cx,
        ny + cy,
        c[2],
    )


def positive_cases() -> list[Case]:
    cases: list[Case] = []
    for name, img in (("astronaut", samples.astronaut()), ("hopper", samples.grace_hopper())):
        ref = _reference(img)
        for scale in (0.8, 1.0, 1.5, 2.5, 4.0):
            size = (round(img.width * scale), round(img.height * scale))
            cases.append(Case(f"{name} x{scale}", img.resize(size), [_moved(ref, scale)]))
        big = img.resize((img.width * 2, img.height * 2))
        big_ref = _moved(ref, 2)
        for deg in (-20, -10, 10, 20):
            turned, c = _rotated(big, big_ref, deg)
            cases.append(Case(f"{name} rot{deg}", turned, [c]))
        mirrored = big.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        cases.append(
            Case(f"{name} mirror", mirrored, [(big.width - big_ref[0], big_ref[1], big_ref[2])])
        )
        variants = {
            "dark": samples.exposed(big, 0.3),
            "bright": samples.exposed(big, 1.8),
            "blur2": samples.blurred(big, 2),
            "noise": samples.with_grain(big, 20),
            "q15": Image.open(io.BytesIO(samples.jpeg(big, 15))).convert("RGB"),
        }
        for label, variant in variants.items():
            cases.append(Case(f"{name} {label}", variant, [big_ref]))
    a, h = samples.astronaut(), samples.grace_hopper()
    ra, rh = _reference(a), _reference(h)
    cases.append(Case("astronaut+hopper", samples.side_by_side(a, h), [ra, _moved(rh, 1, a.width)]))
    cases.append(
        Case(
            "astronaut+mirror",
            samples.side_by_side(a, a.transpose(Image.Transpose.FLIP_LEFT_RIGHT)),
            [ra, (2 * a.width - ra[0], ra[1], ra[2])],
        )
    )
    return cases


def lfw_cases() -> tuple[list[Case], list[Case]]:
    import skimage.data

    crops = skimage.data.lfw_subset()
    pos, neg = [], []
    for i, crop in enumerate(crops):
        tile = Image.fromarray((crop * 255).astype(np.uint8)).convert("RGB").resize((125, 125))
        img = samples.pad_to(tile, (225, 225), (110, 110, 110))
        # The crops are tight faces: the face fills the tile.
        (pos if i < 100 else neg).append(
            Case(f"lfw{i}", img, [(112.5, 112.5, 110.0)] if i < 100 else [])
        )
    return pos, neg


def negative_cases() -> list[Case]:
    import skimage.data as d

    names = ["coffee", "chelsea", "rocket", "brick", "grass", "gravel", "coins", "horse"]
    names += ["page", "text", "hubble_deep_field", "retina", "logo", "immunohistochemistry"]
    names += ["cell", "moon", "clock", "colorwheel"]
    cases = []
    for name in names:
        arr = getattr(d, name)()
        img = Image.fromarray(arr if arr.dtype == np.uint8 else (arr * 255).astype(np.uint8))
        img = img.convert("RGB")
        cases.append(Case(name, img, []))
        cases.append(Case(f"{name} x2", img.resize((img.width * 2, img.height * 2)), []))
    return cases


def _hog(img: Image.Image) -> list[Center]:
    rects = faces.hog_run(faces.as_array(img), 0, 0.0)[0]
    return [((r.left() + r.right()) / 2, (r.top() + r.bottom()) / 2, r.width()) for r in rects]


def _hog_grey(img: Image.Image) -> list[Center]:
    grey = np.ascontiguousarray(np.asarray(img.convert("L")))
    rects = faces.hog_run(grey, 0, 0.0)[0]
    return [((r.left() + r.right()) / 2, (r.top() + r.bottom()) / 2, r.width()) for r in rects]


def _cnn(img: Image.Image) -> list[Center]:
    hits = faces._model("cnn")(faces.as_array(img), 0)
    out = []
    for h in hits:
        r = h.rect
        out.append(((r.left() + r.right()) / 2, (r.top() + r.bottom()) / 2, r.width()))
    return out


def _cascade(img: Image.Image) -> list[Center]:
    found = faces.find_faces(img)
    return [(f.box.center[0], f.box.center[1], f.box.width) for f in found]


def _matches(found: Center, truth: Center) -> bool:
    dist = np.hypot(found[0] - truth[0], found[1] - truth[1])
    return dist < 0.5 * truth[2] and 0.5 < found[2] / truth[2] < 2.0


def score(detect, cases: list[Case]) -> tuple[int, int, int, float, float]:
    """(faces found, faces expected, false detections, seconds, megapixels)."""
    hit = expected = false = 0
    seconds = megapixels = 0.0
    for case in cases:
        start = time.perf_counter()
        found = detect(case.image)
        seconds += time.perf_counter() - start
        megapixels += case.image.width * case.image.height / 1e6
        expected += len(case.truth)
        matched = [any(_matches(f, t) for f in found) for t in case.truth]
        hit += sum(matched)
        false += sum(not any(_matches(f, t) for t in case.truth) for f in found)
    return hit, expected, false, seconds, megapixels


def identity() -> None:
    """Embedding distances from the astronaut to her variants and to Grace Hopper."""
    base = samples.upscale(samples.astronaut(), 1024)
    hopper = samples.upscale(samples.grace_hopper(), 1024)

    def vector(img: Image.Image):
        found = faces.find_faces(img)
        return faces.embed(img, found[0]) if found else None

    def reencoded(img: Image.Image, fmt: str, **kw) -> Image.Image:
        return Image.open(io.BytesIO(samples.encode(img, fmt, **kw))).convert("RGB")

    reference = vector(base)
    variants = {
        "JPEG q30": reencoded(base, "JPEG", quality=30),
        "HEIC": reencoded(base, "HEIF", quality=60),
        "mirrored": base.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
        "close-up crop": samples.upscale(base.crop((240, 40, 680, 480)), 1024),
        "darker x0.5": samples.exposed(base, 0.5),
        "brighter x1.3": samples.exposed(base, 1.3),
        "turned 15 deg": base.rotate(15, Image.Resampling.BICUBIC),
        "blurred r3": samples.blurred(base, 3),
        "native 512 px": samples.astronaut(),
        "Grace Hopper": hopper,
        "Grace Hopper mirrored": hopper.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    }
    print("\n| astronaut vs | distance | same person (< 0.6) |")
    print("|---|---|---|")
    for name, img in variants.items():
        v = vector(img)
        if v is None:
            print(f"| {name} | no face | - |")
            continue
        print(
            f"| {name} | {faces.distance(reference, v):.3f} | {faces.same_person(reference, v)} |"
        )


def main() -> None:
    portraits = positive_cases()
    lfw_pos, lfw_neg = lfw_cases()
    others = negative_cases()
    groups = [
        ("portrait variants", portraits),
        ("LFW faces (soft)", lfw_pos),
        ("non-face pictures", others),
        ("LFW non-faces", lfw_neg),
    ]
    faces._model("cnn")
    faces._model("landmarks")
    print("| images | detector | faces found | false detections | s per MP |")
    print("|---|---|---|---|---|")
    for label, cases in groups:
        detectors = [("HOG", _hog), ("HOG grey", _hog_grey), ("HOG+CNN check", _cascade)]
        if "--no-cnn" not in sys.argv:
            detectors.insert(2, ("CNN", _cnn))
        for name, fn in detectors:
            hit, expected, false, seconds, mp = score(fn, cases)
            found = f"{hit}/{expected}" if expected else "-"
            print(f"| {label} ({len(cases)}) | {name} | {found} | {false} | {seconds / mp:.2f} |")
    identity()
    if "-v" in sys.argv:
        for case in portraits:
            print(
                case.name, len(_hog(case.image)), len(_cnn(case.image)), len(_cascade(case.image))
            )


if __name__ == "__main__":
    main()
