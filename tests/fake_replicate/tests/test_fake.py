"""The fake's own contract: what it answers, validates and does, over plain HTTP."""

import base64
import io
import subprocess
import sys
import time

import httpx
import pytest
import replicate
from PIL import Image

from tests.fake_replicate import NSFW_ALL, NSFW_ERROR, FakeReplicate
from tests.fake_replicate.tests.conftest import TOKEN, upload, zip_of

TABLE = {  # docs/replicate.md, "Inputs of newer trained versions"
    "prompt", "model", "num_outputs", "num_inference_steps", "guidance_scale", "aspect_ratio",
    "output_format", "output_quality", "lora_scale", "go_fast", "seed", "megapixels",
    "extra_lora", "extra_lora_scale", "disable_safety_checker",
}


@pytest.fixture
def version(fake):
    fake.add_model("lora")
    return fake.add_version("sselfie", "lora")


def trainings_path(fake):
    return f"models/{fake.trainer_version.replace(':', '/versions/')}/trainings"


def train(api, fake, input_images, **input):
    if ("sselfie", "lora") not in fake.world.models:
        fake.add_model("lora")
    body = {"destination": "sselfie/lora",
            "input": {"input_images": input_images, "trigger_word": "TOK", "steps": 50, **input}}
    return api.post(trainings_path(fake), json=body)


def url_of(api, data):
    return upload(api, data)["urls"]["get"]


def problem(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys() and body["status"] == status
    return body["detail"]


@pytest.mark.parametrize("auth", [None, "Bearer wrong", f"Basic {TOKEN}"])
def test_requests_without_the_token_get_401_problem_json(fake, auth):
    headers = {"Authorization": auth} if auth else {}
    response = httpx.get(f"{fake.base_url}/account", headers=headers)
    assert "authentication token" in problem(response, 401)


def test_token_scheme_is_accepted_too(fake):
    response = httpx.get(f"{fake.base_url}/account", headers={"Authorization": f"Token {TOKEN}"})
    assert response.json()["username"] == "sselfie"


def test_the_official_client_parses_every_object_the_fake_returns(fake):
    client = replicate.Client(api_token=TOKEN, base_url=fake.origin)
    assert client.accounts.current().username == "sselfie"
    model = client.models.create("sselfie", "lora", visibility="private", hardware="gpu-t4")
    assert model.visibility == "private"
    uploaded = client.files.create(io.BytesIO(zip_of()), filename="set.zip")
    assert uploaded.urls["get"] == f"{fake.base_url}/files/{uploaded.id}"
    training = client.trainings.create(version=fake.trainer_version, destination="sselfie/lora",
                                       input={"input_images": uploaded.urls["get"], "steps": 10})
    fake.complete(training.id)
    training.reload()
    assert training.status == "succeeded"
    trained = training.output["version"].split(":")[1]
    schema = client.models.get("sselfie/lora").versions.get(trained).openapi_schema
    assert set(schema["components"]["schemas"]["Input"]["properties"]) == TABLE
    prediction = client.predictions.create(version=trained, input={"prompt": "TOK"})
    fake.complete(prediction.id)
    prediction.reload()
    assert prediction.status == "succeeded" and len(prediction.output) == 1
    assert client.webhooks.default.secret().key == fake.webhook_secret
    assert client.models.get("sselfie/lora").versions.delete(trained) is False  # 202, as real


def test_models_create_get_conflict_and_validation(fake, api):
    body = {"owner": "sselfie", "name": "lora", "visibility": "private", "hardware": "gpu-t4"}
    assert api.post("models", json=body).status_code == 201
    assert "already exists" in problem(api.post("models", json=body), 409)
    assert api.get("models/sselfie/lora").json()["latest_version"] is None
    bad_hardware = {**body, "name": "b", "hardware": "x"}
    assert "hardware" in problem(api.post("models", json=bad_hardware), 422)
    assert problem(api.post("models", json={**body, "owner": "someone"}), 403)
    problem(api.get("models/sselfie/missing"), 404)


def test_version_delete_is_202_and_takes_its_predictions(fake, api, version):
    created = api.post("predictions", json={"version": version, "input": {"prompt": "x"}}).json()
    assert "versions" in problem(api.delete("models/sselfie/lora"), 409)
    response = api.delete(f"models/sselfie/lora/versions/{version}")
    assert response.status_code == 202 and response.content == b""
    problem(api.get(f"predictions/{created['id']}"), 404)
    problem(api.get(f"models/sselfie/lora/versions/{version}"), 404)
    assert api.delete("models/sselfie/lora").status_code == 204


def test_asynchronous_version_delete(fake, api, version):
    fake.config.version_delete_seconds = 30
    assert api.delete(f"models/sselfie/lora/versions/{version}").status_code == 202
    problem(api.delete("models/sselfie/lora"), 409)  # still emptying
    fake.travel(31)
    assert api.delete("models/sselfie/lora").status_code == 204


def test_files_api(fake, api):
    data = zip_of()
    created = upload(api, data)
    assert {"id", "name", "content_type", "size", "etag", "checksums", "metadata", "created_at",
            "expires_at", "urls"} <= created.keys()
    assert (created["name"], created["content_type"]) == ("set.zip", "application/zip")
    assert created["size"] == len(data)
    assert created["metadata"] == {"purpose": "training"}
    assert api.get(created["urls"]["get"]).json()["id"] == created["id"]  # metadata, not bytes
    assert api.get(f"files/{created['id']}/download").content == data
    assert [f["id"] for f in api.get("files").json()["results"]] == [created["id"]]
    assert api.delete(f"files/{created['id']}").status_code == 204
    problem(api.get(f"files/{created['id']}"), 404)
    problem(api.post("files", data={"filename": "x"}, files={"other": ("x", b"1")}), 400)


def test_files_expire(fake, api):
    created = upload(api, b"abc")
    fake.travel(fake.config.file_ttl + 1)
    problem(api.get(f"files/{created['id']}"), 404)


def test_training_validation(fake, api):
    zip_url = upload(api, zip_of())["urls"]["get"]
    assert "does not exist" in problem(api.post("models/ostris/flux-dev-lora-trainer/versions/"
                                                + "0" * 64 + "/trainings", json={}), 404)
    body = {"destination": "sselfie/nope", "input": {"input_images": zip_url}}
    path = trainings_path(fake)
    missing = "The specified training destination does not exist"
    assert problem(api.post(path, json=body), 404) == missing
    unknown = train(api, fake, zip_url, caption_prefix="x")
    assert "Additional property caption_prefix" in problem(unknown, 422)
    assert "greater than or equal to 3" in problem(train(api, fake, zip_url, steps=2), 422)
    assert "less than or equal to 6000" in problem(train(api, fake, zip_url, steps=6001), 422)
    assert "format 'uri'" in problem(train(api, fake, "not a url"), 422)
    bad_filter = {**body, "destination": "sselfie/lora", "webhook": "https://x/h",
                  "webhook_events_filter": ["done"]}
    assert "webhook_events_filter" in problem(api.post(path, json=bad_filter), 422)
    assert fake.jobs("training") == []


@pytest.mark.parametrize(
    ("make_url", "error"),
    [
        (lambda api: url_of(api, b"PK but not really"), "input_images must be a zip file"),
        (lambda api: url_of(api, zip_of(0, {"notes.txt": b"hi"})), "No images found"),
        (lambda api: "https://example.com/elsewhere.zip", "input_images must be a zip file"),
        (lambda api: url_of(api, zip_of(1, {"x.jpg": b"not a jpeg"})), "Could not read"),
    ],
)
def test_the_trainer_fails_on_anything_but_a_zip_of_images(fake, api, make_url, error):
    created = train(api, fake, make_url(api)).json()
    done = fake.complete(created["id"])
    assert done["status"] == "failed" and error in done["error"] and error in done["logs"]


def test_a_data_uri_zip_is_accepted(fake, api):
    uri = "data:application/zip;base64," + base64.b64encode(zip_of()).decode()
    assert fake.complete(train(api, fake, uri).json()["id"])["status"] == "succeeded"


def test_a_training_walks_through_its_states(fake, api):
    created = train(api, fake, upload(api, zip_of(3))["urls"]["get"]).json()
    assert (created["status"], created["logs"], created["started_at"]) == ("starting", "", None)
    fake.advance(created["id"])
    assert api.get(f"trainings/{created['id']}").json()["status"] == "processing"
    fake.advance(created["id"])
    logs = api.get(f"trainings/{created['id']}").json()["logs"]
    assert "Extracted 3 files" in logs and "flux_train_replicate:   0%" in logs
    fake.advance(created["id"])
    assert "\rflux_train_replicate:  20%|██        | 10/50 [" in fake.job(created["id"])["logs"]
    done = fake.complete(created["id"])
    owner_name, _, version_id = done["output"]["version"].partition(":")
    assert (done["status"], owner_name) == ("succeeded", "sselfie/lora")
    assert done["destination"] == "sselfie/lora"
    assert done["metrics"]["predict_time"] >= 0 and done["completed_at"]
    assert api.get("models/sselfie/lora").json()["latest_version"]["id"] == version_id
    assert httpx.get(done["output"]["weights"]).headers["content-type"] == "application/x-tar"


def test_cancel(fake, api):
    created = train(api, fake, "https://x/y.zip").json()
    assert api.post(f"trainings/{created['id']}/cancel").json()["status"] == "canceled"
    assert api.post(f"trainings/{created['id']}/cancel").json()["status"] == "canceled"


@pytest.mark.parametrize(
    "bad",
    [{"num_outputs": 5}, {"num_outputs": 0}, {"guidance_scale": 10.5}, {"lora_scale": -1.5},
     {"lora_scale": 3.5}, {"aspect_ratio": "7:5"}, {"output_format": "gif"}, {"hdr": True},
     {"num_outputs": "4"}, {"seed": True}],
)
def test_prediction_input_validation(fake, api, version, bad):
    response = api.post("predictions", json={"version": version, "input": {"prompt": "x", **bad}})
    assert f"input{'.' if 'hdr' not in bad else ''}" in problem(response, 422)
    assert next(iter(bad)) in response.json()["detail"]


def test_prediction_needs_a_known_version_and_a_prompt(fake, api, version):
    problem(api.post("predictions", json={"version": "f" * 64, "input": {"prompt": "x"}}), 422)
    no_prompt = api.post("predictions", json={"version": version, "input": {}})
    assert "prompt is required" in problem(no_prompt, 422)


@pytest.mark.parametrize(
    ("fmt", "magic"), [("png", b"\x89PNG"), ("jpg", b"\xff\xd8"), ("webp", b"RIFF")]
)
def test_predictions_output_real_images(fake, api, version, fmt, magic):
    fake.config.image_megapixels = 0.02
    body = {"version": version, "input": {"prompt": "x", "num_outputs": 2, "aspect_ratio": "16:9",
                                          "output_format": fmt}}
    created = api.post("predictions", json=body).json()
    assert created["status"] == "starting" and created["data_removed"] is False
    done = fake.complete(created["id"])
    assert done["status"] == "succeeded" and len(done["output"]) == 2
    assert all(url.endswith(f".{fmt}") for url in done["output"])
    data = httpx.get(done["output"][1]).content
    assert data.startswith(magic)
    width, height = Image.open(io.BytesIO(data)).size
    assert width > height and width % 16 == 0 and 0.015e6 < width * height < 0.025e6


def test_nsfw_drops_some_or_fails_all(fake, api, version):
    fake.nsfw_next(2)
    fake.nsfw_next(NSFW_ALL)
    body = {"version": version, "input": {"prompt": "x", "num_outputs": 3}}
    some, every = (api.post("predictions", json=body).json() for _ in range(2))
    assert len(fake.complete(some["id"])["output"]) == 1
    failed = fake.complete(every["id"])
    assert (failed["status"], failed["error"], failed["output"]) == ("failed", NSFW_ERROR, None)
    unchecked = api.post("predictions", json={**body, "input": {**body["input"],
                                                                 "disable_safety_checker": True}})
    fake.set_nsfw(unchecked.json()["id"], NSFW_ALL)
    assert len(fake.complete(unchecked.json()["id"])["output"]) == 3


def test_outputs_expire(fake, api, version):
    created = api.post("predictions", json={"version": version, "input": {"prompt": "x"}}).json()
    url = fake.complete(created["id"])["output"][0]
    fake.travel(fake.config.output_ttl - 5)
    assert httpx.get(url).status_code == 200
    fake.travel(10)
    assert httpx.get(url).status_code == 404
    gone = api.get(f"predictions/{created['id']}").json()
    assert (gone["output"], gone["data_removed"], gone["status"]) == (None, True, "succeeded")


def test_lists_are_paginated_newest_first(fake, api, version):
    bodies = [{"version": version, "input": {"prompt": str(n)}} for n in range(3)]
    ids = [api.post("predictions", json=body).json()["id"] for body in bodies]
    first = api.get("predictions").json()
    second = httpx.get(first["next"], headers=api.headers).json()
    assert [p["id"] for p in first["results"] + second["results"]] == ids[::-1]
    assert first["previous"] is None and second["next"] is None and second["previous"]


def test_faults_throttle_fail_hang_disconnect(fake, api):
    fake.faults.throttle("account.get", retry_after=3)
    fake.faults.fail("account.get", status=503)
    throttled = api.get("account")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "3"
    assert throttled.json() == {"detail": "Request was throttled. Your rate limit resets in ~3s."}
    assert api.get("account").status_code == 503
    assert api.get("account").status_code == 200
    fake.add_model("lora")
    body = {"owner": "sselfie", "name": "other", "visibility": "private", "hardware": "cpu"}
    fake.faults.hang("models.create", seconds=2)
    with pytest.raises(httpx.ReadTimeout):
        api.post("models", json=body, timeout=0.3)
    assert ("sselfie", "other") in fake.world.models  # it happened all the same
    fake.faults.disconnect("models.get")
    with pytest.raises(httpx.RemoteProtocolError):
        api.get("models/sselfie/other")
    assert [c.status for c in fake.calls("models.create")] == [None]
    assert fake.calls("models.create")[0].json == body


def test_auto_advance_runs_jobs_by_themselves():
    with FakeReplicate("t", auto_advance=True, speed=20, image_megapixels=0.002) as fake:
        fake.add_model("lora")
        version = fake.add_version("sselfie", "lora")
        headers = {"Authorization": "Bearer t"}
        created = httpx.post(f"{fake.base_url}/predictions", headers=headers,
                             json={"version": version, "input": {"prompt": "x"}}).json()
        deadline = time.monotonic() + 5
        while fake.job(created["id"])["status"] != "succeeded" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert fake.job(created["id"])["status"] == "succeeded"


def test_a_held_job_waits_mid_way_until_released():
    with FakeReplicate("t", auto_advance=True, speed=20, image_megapixels=0.002) as fake:
        fake.add_model("lora")
        version = fake.add_version("sselfie", "lora")
        headers = {"Authorization": "Bearer t"}
        created = httpx.post(f"{fake.base_url}/predictions", headers=headers,
                             json={"version": version, "input": {"prompt": "x"}}).json()
        held = fake.hold(created["id"], after=1)  # booted: processing, not finished
        assert held["status"] == "processing"
        time.sleep(0.5)  # ten times what the whole prediction takes at this speed
        assert fake.job(created["id"])["status"] == "processing"
        fake.release(created["id"])
        deadline = time.monotonic() + 5
        while fake.job(created["id"])["status"] != "succeeded" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert fake.job(created["id"])["status"] == "succeeded"


def test_cli_help_and_serving():
    help_text = subprocess.run([sys.executable, "-m", "tests.fake_replicate", "--help"],
                               capture_output=True, text=True, check=True).stdout
    assert "--port" in help_text and "--token" in help_text and "--manual" in help_text
    process = subprocess.Popen([sys.executable, "-m", "tests.fake_replicate", "--port", "0",
                                "--token", "dev-token"], stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        base_url = line.rsplit(" ", 1)[1].strip()
        assert line.startswith("Fake Replicate listening on http://127.0.0.1:")
        account = httpx.get(f"{base_url}/account", headers={"Authorization": "Bearer dev-token"})
        assert account.json()["username"] == "sselfie"
    finally:
        process.terminate()
        assert process.wait(timeout=5) == 0
