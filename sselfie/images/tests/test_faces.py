import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from sselfie.images import faces
from sselfie.images.decode import decode

from . import samples
from .conftest import astro_big, hopper_big, photo, two_people


def test_models_are_found_without_importing_their_package():
    # The package's __init__ needs pkg_resources; a fresh interpreter proves we avoid it.
    code = (
        "import sys\n"
        "from sselfie.images import faces\n"
        "faces._model('landmarks')\n"
        "assert 'face_recognition_models' not in sys.modules\n"
        "assert 'pkg_resources' not in sys.modules\n"
    )
    root = Path(__file__).resolve().parents[3]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)  # noqa: S603


def test_the_non_commercial_68_point_model_is_never_used():
    assert not any("68" in name for name in faces._MODEL_FILES.values())
    source = Path(faces.__file__).read_text()
    assert "68_face_landmarks" not in source


def test_one_face_in_each_portrait():
    for img in (astro_big(), hopper_big()):
        found = faces.find_faces(img)
        assert len(found) == 1
        assert found[0].score > 0.5
        assert len(found[0].landmarks) == 5


def test_astronaut_suit_patch_is_not_a_second_face():
    # Naive HOG (upsampled once) reports the mission patch on her suit as a face.
    rects, _, _ = faces.hog_run(faces.as_array(samples.astronaut()), 1, 0.0)
    assert len(rects) >= 2
    assert len(faces.find_faces(samples.astronaut().resize((1024, 1024)))) == 1


def test_two_people_side_by_side():
    found = faces.find_faces(two_people())
    assert len(found) == 2
    assert found[1].box.width > 0.7 * found[0].box.width


@pytest.mark.parametrize("img", [samples.coffee, samples.chelsea], ids=["coffee", "cat"])
def test_no_face_in_coffee_or_cat(img):
    assert faces.find_faces(samples.upscale(img(), 1280)) == []


def _embedding(img: Image.Image):
    found = faces.find_faces(img)
    assert found
    return faces.embed(img, found[0])


def test_astronaut_variants_are_the_same_person():
    reference = _embedding(astro_big())
    assert reference.shape == (128,)
    variants = [
        decode(photo("astro_q60")).image,
        decode(photo("astro_heic")).image,
        decode(photo("astro_mirror")).image,
        decode(photo("astro_closeup")).image,
        samples.exposed(astro_big(), 0.6),
        samples.astronaut(),
    ]
    for img in variants:
        assert faces.same_person(reference, _embedding(img))


def test_grace_hopper_is_not_the_astronaut():
    a, h = _embedding(astro_big()), _embedding(hopper_big())
    assert not faces.same_person(a, h)
    assert faces.distance(a, h) > faces.SAME_PERSON_DISTANCE


def _face(nose_x: float) -> faces.Face:
    # Eyes at x 60-80 (image left) and 120-140 (image right), nose between them.
    points = ((140.0, 100.0), (120.0, 100.0), (60.0, 100.0), (80.0, 100.0), (nose_x, 130.0))
    return faces.Face(box=faces.Box(40, 60, 160, 180), landmarks=points, score=1.0)


def test_head_pose_from_landmarks():
    assert faces.head_pose(_face(100)) == "frontal"
    assert faces.head_pose(_face(78)) == "left"
    assert faces.head_pose(_face(122)) == "right"


def test_head_pose_mirrors_with_the_image():
    for img in (astro_big(), hopper_big()):
        pose = faces.head_pose(faces.find_faces(img)[0])
        flipped = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        mirrored = faces.head_pose(faces.find_faces(flipped)[0])
        assert {pose, mirrored} in ({"frontal"}, {"left", "right"})
