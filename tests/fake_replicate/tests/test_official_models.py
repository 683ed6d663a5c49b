"""The fake's official-model predictions and the fast trainer, over plain HTTP."""

import io
import time

import httpx
import pytest
from PIL import Image

from tests.fake_replicate import FakeReplicate
from tests.fake_replicate.state import FAST_TRAINER_VERSION_ID
from tests.fake_replicate.tests.conftest import upload, zip_of

FLUX2 = "models/black-forest-labs/flux-2-pro"


def face_file(api) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 48), (200, 150, 120)).save(buffer, "JPEG")
    return upload(api, buffer.getvalue(), "face.jpg")["urls"]["get"]


def test_official_models_publish_their_schema_as_latest_version(api):
    model = api.get(FLUX2).json()
    inputs = model["latest_version"]["openapi_schema"]["components"]["schemas"]["Input"]
    assert inputs["properties"]["input_images"]["maxItems"] == 8
    assert "num_outputs" not in inputs["properties"]  # one image per prediction
    flex = api.get("models/black-forest-labs/flux-2-flex").json()["latest_version"]
    assert flex["openapi_schema"]["components"]["schemas"]["Input"]["properties"][
        "input_images"]["maxItems"] == 10
    kontext = api.get("models/black-forest-labs/flux-kontext-pro").json()["latest_version"]
    assert "input_image" in kontext["openapi_schema"]["components"]["schemas"]["Input"][
        "properties"]


def test_an_official_prediction_reads_its_references_and_returns_one_image(fake, api):
    ref = face_file(api)
    made = api.post(f"{FLUX2}/predictions", json={"input": {
        "prompt": "the person from the reference photos", "input_images": [ref],
        "output_format": "jpg", "seed": 7}})
    assert made.status_code == 201, made.text
    done = fake.complete(made.json()["id"])
    assert done["status"] == "succeeded" and isinstance(done["output"], str)
    assert done["model"] == "black-forest-labs/flux-2-pro"
    image = api.get(done["output"]).content
    assert image[:3] == b"\xff\xd8\xff"


@pytest.mark.parametrize("body, problem", [
    ({"input": {"prompt": "x"}, "version": "abc"}, "Additional property version"),
    ({"input": {"prompt": "x"}, "webhook_url": "https://a.test"}, "Additional property"),
    ({"input": {"prompt": "x", "num_outputs": 4}}, "Additional property num_outputs"),
    ({"input": {"prompt": "x", "input_images": ["https://a.test/1"] * 9}}, "at most 8"),
    ({"input": {"prompt": "x", "input_images": "https://a.test/1"}}, "Expected: array"),
    ({"input": {"input_images": []}}, "prompt is required"),
    ({"input": {"prompt": "x", "safety_tolerance": 9}}, "less than or equal to 5"),
])
def test_official_predictions_are_validated_like_replicate(api, body, problem):
    response = api.post(f"{FLUX2}/predictions", json=body)
    assert response.status_code == 422 and problem in response.text


def test_a_reference_that_does_not_resolve_fails_the_prediction(fake, api):
    made = api.post(f"{FLUX2}/predictions", json={"input": {
        "prompt": "x", "input_images": [f"{fake.base_url}/files/gone"]}}).json()
    done = fake.complete(made["id"])
    assert done["status"] == "failed" and "input image" in done["error"]


def test_the_safety_filter_fails_an_official_prediction(fake, api):
    fake.nsfw_next(1)
    made = api.post(f"{FLUX2}/predictions", json={"input": {"prompt": "x"}}).json()
    done = fake.complete(made["id"])
    assert done["status"] == "failed" and "flagged as sensitive" in done["error"]


def test_only_official_models_run_by_name(fake, api):
    fake.add_model("mine")
    fake.add_version("sselfie", "mine")
    assert api.post("models/sselfie/mine/predictions",
                    json={"input": {"prompt": "x"}}).status_code == 404


def test_official_latency_is_its_own_setting():
    with FakeReplicate("t", auto_advance=True, official_seconds=0.05, starting_seconds=0.01,
                       prediction_seconds=60, image_megapixels=0.005) as fake:
        with httpx.Client(base_url=fake.base_url + "/",
                          headers={"Authorization": "Bearer t"}) as c:
            made = c.post(f"{FLUX2}/predictions", json={"input": {"prompt": "x"}}).json()
            deadline = time.monotonic() + 5
            while fake.job(made["id"])["status"] != "succeeded":
                assert time.monotonic() < deadline
                time.sleep(0.02)


def test_the_fast_trainer_takes_its_own_inputs_and_logs_progress(fake, api):
    fake.add_model("dest")
    url = upload(api, zip_of(3))["urls"]["get"]
    path = f"models/replicate/fast-flux-trainer/versions/{FAST_TRAINER_VERSION_ID}/trainings"
    refused = api.post(path, json={"destination": "sselfie/dest", "input": {
        "input_images": url, "steps": 100}})
    assert refused.status_code == 422 and "Additional property steps" in refused.text
    made = api.post(path, json={"destination": "sselfie/dest", "input": {
        "input_images": url, "trigger_word": "TOK", "lora_type": "subject",
        "training_steps": 200}})
    assert made.status_code == 201, made.text
    for _ in range(3):
        fake.advance(made.json()["id"])
    logs = fake.job(made.json()["id"])["logs"]
    assert "/200 [" in logs and "flux_train_replicate" not in logs
    done = fake.complete(made.json()["id"])
    assert done["status"] == "succeeded" and done["output"]["version"].startswith("sselfie/dest:")
