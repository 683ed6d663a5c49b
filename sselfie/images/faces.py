"""Faces: detection, 5-point landmarks and 128-d identity embeddings, all with dlib.

Models come from the `face-recognition-models` package. Its `__init__` imports
`pkg_resources`, which modern environments lack, so we only *locate* the package with
`importlib.util.find_spec` (which doesn't run it) and read the `.dat` files directly.

Licensing: we use `shape_predictor_5_face_landmarks.dat` (trained by dlib's author on
images he annotated himself, released into the public domain) and never the 68-point
model, whose iBUG 300-W training data is not licensed for commercial use.

Detector (see docs/faces.md for the measurements): dlib's HOG frontal detector finds the
faces, on a downscaled copy and again at higher resolution only when needed. Weak HOG
hits (low score) are confirmed by the MMOD CNN on a small crop around them, so the CNN's
accuracy is paid for only where HOG is unsure, not on every megapixel.

Thread safety: dlib's object detectors keep scratch state, so a HOG detector is lent to
one caller at a time (and kept for the next); the CNN and the ResNet (which hold the GIL
anyway) sit behind a lock. The shape predictor is stateless at inference and shared.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dlib
import numpy as np
from PIL import Image

# dlib's documented operating point: two embeddings closer than 0.6 are the same person
# (99.38% accuracy on LFW). Measured here: astronaut vs Grace Hopper 0.69; astronaut vs
# its own re-encodes, crops, mirror and exposure changes <= 0.2 (see docs/faces.md).
SAME_PERSON_DISTANCE = 0.6

# The HOG detector's window is 80x80: smaller faces are not found at a given scale.
HOG_MIN_FACE = 80
# First pass runs on a copy about this long (about 0.8 MP for 4:3).
FIRST_PASS_SIDE = 1024
# HOG hits scoring below this are checked by the CNN before we believe them.
CONFIRM_BELOW = 0.5
# A second face must be at least this fraction of the main face's width to count as
# another person in the photo; smaller ones are strangers far behind (see checks.py).
COMPANION_RATIO = 0.4
# Detection is guaranteed to look for second faces down to this fraction of the main
# face (a second, full-resolution pass runs when the first couldn't see them). Between
# COMPANION_RATIO and this, second faces count when the first pass happens to see them:
# always looking that small would add a full-resolution pass to most half-length shots.
SEARCH_RATIO = 0.5

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def center(self) -> Point:
        return ((self.left + self.right) / 2, (self.top + self.bottom) / 2)

    def scaled(self, factor: float) -> Box:
        return Box(self.left * factor, self.top * factor, self.right * factor, self.bottom * factor)

    def overlap(self, other: Box) -> float:
        """Intersection over the smaller box's area (1.0 when one contains the other)."""
        w = min(self.right, other.right) - max(self.left, other.left)
        h = min(self.bottom, other.bottom) - max(self.top, other.top)
        if w <= 0 or h <= 0:
            return 0.0
        smaller = min(self.width * self.height, other.width * other.height)
        return (w * h) / smaller if smaller > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Face:
    box: Box  # in the pixel coordinates of the image given to find_faces
    # dlib's 5 points: outer and inner corner of the eye on the image's right, outer and
    # inner corner of the eye on the image's left, then the base of the nose.
    landmarks: tuple[Point, Point, Point, Point, Point]
    score: float  # HOG detection score; > 0 is a detection, higher is surer


# -- models ---------------------------------------------------------------------------------

_lock = threading.Lock()
_models: dict[str, Any] = {}


def models_dir() -> Path:
    """Folder of the face-recognition-models weights, found without importing the package."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The face-recognition-models package is not installed.")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def _model(name: str) -> Any:
    """Load a dlib model once per process (lazily: importing this module stays cheap)."""
    model = _models.get(name)
    if model is None:
        with _lock:
            model = _models.get(name)
            if model is None:
                path = str(models_dir() / _MODEL_FILES[name])
                model = _MODEL_LOADERS[name](path)
                _models[name] = model
    return model


_MODEL_FILES = {
    "landmarks": "shape_predictor_5_face_landmarks.dat",
    "resnet": "dlib_face_recognition_resnet_model_v1.dat",
    "cnn": "mmod_human_face_detector.dat",
}
_MODEL_LOADERS = {
    "landmarks": dlib.shape_predictor,
    "resnet": dlib.face_recognition_model_v1,
    "cnn": dlib.cnn_face_detection_model_v1,
}
_net_lock = threading.Lock()  # the CNN and ResNet keep per-call buffers


# HOG detectors not in use right now. Building one takes ~0.25 s (dlib deserialises it),
# so they are kept and lent out rather than made per thread: a fresh thread pool per
# upload batch would otherwise pay that on every thread.
_idle_hogs: list[Any] = []


def hog_run(arr: np.ndarray, upsample: int = 0, threshold: float = 0.0) -> tuple[Any, Any, Any]:
    """dlib's HOG detector `run` (rects, scores, sub-detector ids), safe from any thread."""
    with _lock:
        detector = _idle_hogs.pop() if _idle_hogs else None
    if detector is None:
        detector = dlib.get_frontal_face_detector()
    try:
        return detector.run(arr, upsample, threshold)
    finally:
        with _lock:
            _idle_hogs.append(detector)


def warm_up() -> None:
    """Load every model now (a server calls this at start; otherwise the first photo does)."""
    for name in _MODEL_FILES:
        _model(name)
    hog_run(np.zeros((8, 8), dtype=np.uint8))


# -- detection ------------------------------------------------------------------------------


def as_array(img: Image.Image | np.ndarray) -> np.ndarray:
    """A C-contiguous uint8 RGB array, the only layout dlib accepts."""
    if isinstance(img, Image.Image):
        img = np.asarray(img if img.mode == "RGB" else img.convert("RGB"))
    return np.ascontiguousarray(img, dtype=np.uint8)


def _grey(img: Image.Image) -> np.ndarray:
    # HOG on grey is ~40% faster than on RGB (dlib takes the strongest of three channel
    # gradients) and as accurate on our evaluation set (docs/faces.md).
    return np.ascontiguousarray(np.asarray(img.convert("L")))


def _detection_copy(img: Image.Image) -> tuple[Image.Image, float]:
    """A copy about FIRST_PASS_SIDE long, and its scale; integer box reduction when close."""
    long_side = max(img.size)
    if long_side <= FIRST_PASS_SIDE * 1.1:
        return img, 1.0
    factor = round(long_side / FIRST_PASS_SIDE)
    if abs(long_side / factor - FIRST_PASS_SIDE) <= FIRST_PASS_SIDE * 0.1:
        small = img.reduce(factor)  # a 2016 px photo -> 1008 px, a few ms
    else:
        ratio = FIRST_PASS_SIDE / long_side
        size = (max(1, round(img.width * ratio)), max(1, round(img.height * ratio)))
        small = img.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return small, small.width / img.width


def _hog_boxes(grey: np.ndarray, scale: float) -> list[tuple[Box, float]]:
    """HOG detections on `grey`, mapped back to full-image coordinates (divide by scale)."""
    rects, scores, _ = hog_run(grey)
    found = []
    for rect, score in zip(rects, scores, strict=True):
        box = Box(rect.left(), rect.top(), rect.right() + 1, rect.bottom() + 1)
        found.append((box.scaled(1 / scale), float(score)))
    return found


def find_faces(img: Image.Image) -> list[Face]:
    """Faces in `img`, largest first, each with landmarks and a detection score.

    Detection runs first on a copy about FIRST_PASS_SIDE long. It runs again at the
    image's own resolution when the first pass found nothing (small faces in full-length
    shots) or when a second face SEARCH_RATIO the main one's width would have been too small.

    HOG hits scoring under CONFIRM_BELOW are kept only when the CNN confirms a face there;
    weak hits much smaller than a confident face are dropped unchecked, since nothing
    downstream cares about them (see COMPANION_RATIO) and the CNN costs ~0.08 s a look.
    """
    rgb = img if img.mode == "RGB" else img.convert("RGB")
    small, scale = _detection_copy(rgb)
    found = _hog_boxes(_grey(small), scale)
    if scale < 1.0:
        main_width = max((box.width * scale for box, _ in found), default=0.0)
        if main_width * SEARCH_RATIO < HOG_MIN_FACE:
            found = _hog_boxes(_grey(rgb), 1.0)
    arr = as_array(rgb)
    found.sort(key=lambda item: item[0].width * item[0].height, reverse=True)
    confident = max((box.width for box, s in found if s >= CONFIRM_BELOW), default=0.0)
    kept = []
    for box, score in found:
        if score < CONFIRM_BELOW:
            if box.width < COMPANION_RATIO * confident or not _cnn_confirms(arr, box):
                continue
        kept.append(Face(box=box, landmarks=_landmarks(arr, box), score=score))
    return kept


# Crop for the CNN check: the face scaled to this width, with this share of margin.
# Measured on 86 weak HOG hits (34 real faces): 80 px / 0.25 keeps 33 of the real faces
# and none of the false ones at ~85 ms a look; 85 px / 0.4 does the same at ~155 ms.
_CNN_FACE = 80
_CNN_MARGIN = 0.25


def _cnn_confirms(arr: np.ndarray, box: Box) -> bool:
    """Run the MMOD CNN on a crop around a weak HOG hit; True if it sees a face there."""
    pad = box.width * _CNN_MARGIN
    left, top = max(0, int(box.left - pad)), max(0, int(box.top - pad))
    right = min(arr.shape[1], int(box.right + pad))
    bottom = min(arr.shape[0], int(box.bottom + pad))
    if right - left < 8 or bottom - top < 8:
        return False
    crop = Image.fromarray(arr[top:bottom, left:right])
    factor = min(1.0, _CNN_FACE / max(box.width, 1.0))
    if factor < 1.0:
        crop = crop.resize(
            (max(1, round(crop.width * factor)), max(1, round(crop.height * factor))),
            Image.Resampling.BILINEAR,
        )
    with _net_lock:
        hits = _model("cnn")(as_array(crop), 0)
    target = Box(box.left - left, box.top - top, box.right - left, box.bottom - top)
    for hit in hits:
        r = hit.rect
        seen = Box(r.left(), r.top(), r.right() + 1, r.bottom() + 1).scaled(1 / factor)
        if seen.overlap(target) > 0.4:
            return True
    return False


def _landmarks(arr: np.ndarray, box: Box) -> tuple[Point, Point, Point, Point, Point]:
    rect = dlib.rectangle(round(box.left), round(box.top), round(box.right), round(box.bottom))
    shape = _model("landmarks")(arr, rect)
    pts = tuple((float(p.x), float(p.y)) for p in shape.parts())
    return pts  # type: ignore[return-value]  # the 5-point model always yields 5


# -- identity -------------------------------------------------------------------------------


def embed(img: Image.Image | np.ndarray, face: Face) -> np.ndarray:
    """128-d identity embedding of `face` (coordinates in `img`), float32, unit-ish scale."""
    arr = as_array(img)
    box = face.box
    rect = dlib.rectangle(round(box.left), round(box.top), round(box.right), round(box.bottom))
    points = dlib.points([dlib.point(round(x), round(y)) for x, y in face.landmarks])
    shape = dlib.full_object_detection(rect, points)
    # The aligned 150x150 chip is what the ResNet was trained on (padding 0.25).
    chip = dlib.get_face_chip(arr, shape, size=150, padding=0.25)
    with _net_lock:
        vector = _model("resnet").compute_face_descriptor(chip)
    return np.asarray(vector, dtype=np.float32)


def distance(a: np.ndarray | list[float], b: np.ndarray | list[float]) -> float:
    return float(np.linalg.norm(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)))


def same_person(a: np.ndarray | list[float], b: np.ndarray | list[float]) -> bool:
    """True when two embeddings are closer than SAME_PERSON_DISTANCE (dlib's 0.6)."""
    return distance(a, b) < SAME_PERSON_DISTANCE


# -- pose -----------------------------------------------------------------------------------

# Where the nose sits between the two eye centres: 0.5 is straight on. Beyond this
# distance from 0.5 we call the head turned (about 15-20 degrees of yaw).
TURN_THRESHOLD = 0.12


def head_pose(face: Face) -> str:
    """ "frontal", "left" or "right": the way the nose points, as seen in the image."""
    p = face.landmarks
    eye_image_right = ((p[0][0] + p[1][0]) / 2, (p[0][1] + p[1][1]) / 2)
    eye_image_left = ((p[2][0] + p[3][0]) / 2, (p[2][1] + p[3][1]) / 2)
    nose = p[4]
    span = eye_image_right[0] - eye_image_left[0]
    if abs(span) < 1e-6:
        return "frontal"
    position = (nose[0] - eye_image_left[0]) / span
    if position < 0.5 - TURN_THRESHOLD:
        return "left"
    if position > 0.5 + TURN_THRESHOLD:
        return "right"
    return "frontal"
