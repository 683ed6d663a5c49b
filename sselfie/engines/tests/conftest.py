"""The engine under test talks HTTP to a real, in-process fake Replicate."""

import dataclasses
import io
import zipfile

import pytest
from PIL import Image

from sselfie.engines import replicate
from tests.fake_replicate import FakeReplicate, WebhookReceiver

TOKEN = "engine-test-token"


class Sleeps:
    """Stands in for time.sleep: records each wait, waits for nothing."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def fake():
    with FakeReplicate(
        TOKEN,
        image_megapixels=0.005,
        page_size=3,
        webhook_retry_delays=(0.05, 0.05),
    ) as fake:
        yield fake


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def config(fake, sleeps):
    yield replicate.ReplicateConfig(
        api_token=TOKEN,
        base_url=fake.base_url,
        trainer_version=fake.trainer_version,
        training_steps=100,
        timeout=5,
        connect_timeout=2,
        retry=replicate.RetryPolicy(attempts=5, base_delay=0.01, max_delay=0.05, sleep=sleeps),
    )
    replicate.clear_caches()


@pytest.fixture
def impatient(config):
    """The same engine with a short read timeout, for the tests where the fake hangs."""
    return dataclasses.replace(config, timeout=0.4)


@pytest.fixture
def hook():
    with WebhookReceiver() as receiver:
        yield receiver


def selfie_zip(count: int = 3) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(count):
            image = io.BytesIO()
            Image.new("RGB", (64, 64), (40 * index, 90, 160)).save(image, "JPEG")
            archive.writestr(f"selfie-{index}.jpg", image.getvalue())
            archive.writestr(f"selfie-{index}.txt", "a photo of TOK")
    return buffer.getvalue()
