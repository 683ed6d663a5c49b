import io
import random
import zipfile

import pytest
from PIL import Image

from sselfie.images import faces
from sselfie.images.problems import ImageRejected
from sselfie.images.trainset import (
    TRAIN_SIDE,
    TrainPhoto,
    build_training_zip,
    crop_for_training,
    prepare,
    sha256_hex,
)

from . import samples
from .conftest import hopper_big


@pytest.fixture(scope="module")
def train_photos(reports) -> list[TrainPhoto]:
    names = ["astro", "astro_mirror", "astro_closeup", "hopper"]
    photos = [TrainPhoto(reports(n).cleaned, reports(n).face_box) for n in names]
    photos[1] = TrainPhoto(photos[1].data, photos[1].face_box, caption="a photo of TOK smiling")
    return photos


def test_same_photos_same_bytes_in_any_order(train_photos):
    first = build_training_zip(train_photos)
    shuffled = train_photos[:]
    random.Random(7).shuffle(shuffled)
    assert build_training_zip(shuffled) == first
    assert build_training_zip(train_photos, workers=1) == first
    assert sha256_hex(first) == sha256_hex(build_training_zip(train_photos))
    assert len(sha256_hex(first)) == 64


def test_zip_layout(train_photos):
    with zipfile.ZipFile(io.BytesIO(build_training_zip(train_photos))) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        jpgs = [n for n in names if n.endswith(".jpg")]
        assert jpgs == ["001.jpg", "002.jpg", "003.jpg", "004.jpg"]
        captions = [n for n in names if n.endswith(".txt")]
        assert len(captions) == 1 and captions[0].replace(".txt", ".jpg") in jpgs
        assert archive.read(captions[0]) == b"a photo of TOK smiling"
        for info in infos:
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.compress_type == zipfile.ZIP_STORED
        for name in jpgs:
            with Image.open(io.BytesIO(archive.read(name))) as im:
                assert im.format == "JPEG" and im.mode == "RGB"
                assert 0.95 * TRAIN_SIDE <= max(im.size) <= TRAIN_SIDE
                assert not im.getexif() and "icc_profile" not in im.info


def test_tall_picture_is_cropped_around_the_face():
    # A 1:2 strip with the face near the top: a centre crop would cut the head off.
    person = hopper_big().resize((600, 703))
    tall = Image.new("RGB", (600, 1200), (200, 200, 200))
    tall.paste(person, (0, 0))
    face = faces.find_faces(tall)[0].box
    box = (face.left / 600, face.top / 1200, face.right / 600, face.bottom / 1200)
    cropped = crop_for_training(tall, box)
    assert cropped.size == (600, 800)
    assert len(faces.find_faces(cropped)) == 1
    centre = crop_for_training(tall, None)
    assert centre.size == (600, 800)


def test_wide_picture_is_cropped_to_four_by_three():
    wide = samples.side_by_side(samples.coffee(), samples.coffee())
    assert crop_for_training(wide, None).size == (round(wide.height * 4 / 3), wide.height)


def test_regular_picture_is_not_cropped():
    img = Image.new("RGB", (800, 1000))
    assert crop_for_training(img, (0.1, 0.1, 0.2, 0.2)) is img


def test_undecodable_photo_raises():
    with pytest.raises(ImageRejected):
        build_training_zip([TrainPhoto(b"not a photo")])


@pytest.mark.parametrize(("side", "fmt"), [(3000, "PNG"), (2016, "JPEG"), (1500, "HEIF")])
def test_big_photos_come_out_about_1024(side, fmt):
    data = samples.encode(samples.upscale(samples.grace_hopper(), side), fmt)
    with Image.open(io.BytesIO(prepare(TrainPhoto(data)))) as im:
        assert 0.95 * TRAIN_SIDE <= max(im.size) <= TRAIN_SIDE


def test_small_photos_are_not_enlarged():
    data = samples.jpeg(samples.grace_hopper())
    with Image.open(io.BytesIO(prepare(TrainPhoto(data)))) as im:
        assert im.size == (512, 600)
