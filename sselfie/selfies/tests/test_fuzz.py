"""Fuzz-style intake: 200 random valid photos and 200 random mutations of them, through
the upload view. Nothing may answer 5xx, and no valid photo may be refused for markup."""

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sselfie.images.tests import genuine
from tests.photos import distinct_selfies

pytestmark = pytest.mark.django_db
FACES = 12  # valid photos that pass every check (the rest are small, random pictures)
OK_STATUSES = {201, 400, 413, 422}


def mutate(data: bytes, rng: np.random.Generator) -> bytes:
    """One of the ways files arrive damaged or doctored."""
    kind = int(rng.integers(0, 7))
    size = len(data)
    at = int(rng.integers(0, max(1, size)))
    if kind == 0:  # flipped bytes
        out = bytearray(data)
        for pos in rng.integers(0, size, size=int(rng.integers(1, 32))):
            out[int(pos)] = int(rng.integers(0, 256))
        return bytes(out)
    if kind == 1:  # cut short
        return data[:at]
    if kind == 2:  # a stretch repeated
        return data[:at] + data[at : at + int(rng.integers(1, 4096))] + data[at:]
    if kind == 3:  # random bytes inserted
        return data[:at] + rng.bytes(int(rng.integers(1, 512))) + data[at:]
    if kind == 4:  # header damaged
        return rng.bytes(int(rng.integers(1, 16))) + data[16:]
    if kind == 5:  # garbage after the end
        return data + rng.bytes(int(rng.integers(1, 4096)))
    return data[at:]  # the start lost


@pytest.fixture(scope="module")
def valid() -> list[tuple[str, bytes]]:
    faces = [("JPEG", photo) for photo in distinct_selfies(FACES)]
    return faces + list(genuine.photos(200 - FACES, seed=1130))


def test_two_hundred_valid_photos_and_two_hundred_mutations(owner_client, settings, valid):
    settings.SELFIE_MAX_COUNT = 1000  # every acceptable photo is accepted; none crowd out
    rng = np.random.default_rng(2026)
    mutants = [mutate(valid[int(rng.integers(0, len(valid)))][1], rng) for _ in range(200)]
    assert len(valid) == 200

    codes: dict[str, int] = {}
    for i, (fmt, data) in enumerate(valid):
        response = post(owner_client, f"valid-{i}.{fmt.lower()}", data)
        assert response.status_code in (201, 422), (i, fmt, response.status_code)
        page = response.content.decode()
        assert 'data-code="hidden_code"' not in page, (i, fmt)
        count(codes, page)
    assert codes.get("accepted", 0) >= FACES  # the face photos went in

    for i, data in enumerate(mutants):
        response = post(owner_client, f"mutant-{i}.jpg", data)
        assert response.status_code in OK_STATUSES, (i, response.status_code)
        if response.status_code == 422:
            assert 'class="verdict__hint"' in response.content.decode()


def post(client, name: str, data: bytes):
    upload = SimpleUploadedFile(name, data, "application/octet-stream")
    return client.post("/selfies/upload/", {"photos": upload}, HTTP_HX_REQUEST="true")


def count(codes: dict[str, int], page: str) -> None:
    key = "accepted" if "Added to your set" in page else "refused"
    codes[key] = codes.get(key, 0) + 1
