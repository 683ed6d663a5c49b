import io
import zipfile

import httpx
import pytest
from PIL import Image

from tests.fake_replicate import FakeReplicate, WebhookReceiver

TOKEN = "fake-test-token"


@pytest.fixture
def fake():
    with FakeReplicate(TOKEN, image_megapixels=0.005, page_size=2,
                       webhook_retry_delays=(0.05, 0.05, 0.05)) as fake:
        yield fake


@pytest.fixture
def api(fake):
    """A plain HTTP client, authenticated, rooted at /v1 (no official client involved)."""
    with httpx.Client(base_url=fake.base_url + "/", timeout=2,
                      headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client


@pytest.fixture
def hook():
    with WebhookReceiver() as receiver:
        yield receiver


def zip_of(images: int = 2, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(images):
            image = io.BytesIO()
            Image.new("RGB", (32, 32), (index * 60, 10, 10)).save(image, "PNG")
            archive.writestr(f"{index}.png", image.getvalue())
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(api: httpx.Client, data: bytes, name: str = "set.zip") -> dict:
    response = api.post("files", files={"content": (name, data, "application/zip")},
                        data={"metadata": '{"purpose": "training"}'})
    assert response.status_code == 201, response.text
    return response.json()
