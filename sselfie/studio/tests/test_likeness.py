"""Likeness ranking with outputs that really show faces: the owner's, someone else's, none."""

import pytest

from sselfie.images.tests import samples
from sselfie.studio.models import Generation
from sselfie.studio.results import Results
from tests.photos import distinct_selfies, someone_else

from .test_generation import create, run_to_the_end

pytestmark = pytest.mark.django_db

NO_FACE = samples.jpeg(samples.upscale(samples.coffee(), 800))


@pytest.fixture
def fake_options() -> dict:
    # Output 0: someone else; 1: no face; 2 and 3: the owner (held-out variants).
    return {"image_megapixels": 0.4,
            "output_sources": (someone_else(), NO_FACE, distinct_selfies(12)[11],
                               distinct_selfies(12)[10])}


def test_photos_most_like_the_owner_come_first_and_others_are_flagged(owner_client, owner,
                                                                      trained, fake):
    create(owner_client, trained, aspect_ratio="4:5")
    gen = run_to_the_end(fake, Generation.objects.get(owner=owner))
    ranked = Results.for_generation(gen).images
    assert [image.index for image in ranked[:2]] == sorted(
        [2, 3], key=lambda i: -gen.images.get(index=i).likeness)
    assert all(image.likeness >= Results.for_generation(gen).like_you for image in ranked[:2])
    assert ranked[2].index == 0 and ranked[2].likeness < Results.for_generation(gen).like_you
    assert ranked[3].index == 1 and not ranked[3].has_face and ranked[3].likeness is None

    page = owner_client.get("/studio/").content.decode()
    assert "No face found" in page
    assert "· low" in page
