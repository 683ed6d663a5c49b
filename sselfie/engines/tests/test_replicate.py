"""The Replicate engine against the fake Replicate, over real HTTP."""

import sys
import types
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from sselfie.engines import replicate
from sselfie.engines.tests.conftest import TOKEN, selfie_zip
from tests.fake_replicate import NSFW_ALL

MODEL = "user-7-selfie-lora"


@pytest.fixture
def version_id(fake):
    fake.add_model(MODEL)
    return fake.add_version("sselfie", MODEL)


def portrait(**extra):
    return {"prompt": "TOK7 portrait, natural light", "num_outputs": 4, "output_format": "png",
            "seed": 4242, **extra}


def test_config_from_django_settings(monkeypatch):
    settings = types.SimpleNamespace(
        REPLICATE_API_TOKEN=" r8_x ", REPLICATE_API_BASE_URL="http://localhost:1/v1",
        REPLICATE_OWNER="", REPLICATE_TRAINER_VERSION="o/t:" + "a" * 64,
    )
    monkeypatch.setitem(sys.modules, "django.conf", types.SimpleNamespace(settings=settings))
    cfg = replicate.config_from_settings()
    assert (cfg.api_token, cfg.owner, cfg.training_steps) == ("r8_x", None, 1000)
    assert cfg.base_url == "http://localhost:1/v1"
    assert replicate.config_problems(cfg) == []
    assert len(replicate.config_problems(replicate.ReplicateConfig(api_token=""))) == 2


def test_no_token_is_not_configured():
    with pytest.raises(replicate.NotConfigured) as caught:
        replicate.get_training("t1", config=replicate.ReplicateConfig(api_token=""))
    assert caught.value.permanent


def test_owner_comes_from_settings_or_from_the_account(fake, config):
    assert replicate.account_owner(config=config) == "sselfie"
    assert replicate.account_owner(config=config) == "sselfie"
    assert len(fake.calls("account.get")) == 1
    from dataclasses import replace

    assert replicate.account_owner(config=replace(config, owner="studio")) == "studio"


def test_bad_token_is_a_permanent_rejection(fake, config):
    from dataclasses import replace

    with pytest.raises(replicate.ProviderRejected) as caught:
        replicate.account_owner(config=replace(config, api_token="wrong"))
    assert caught.value.status == 401 and "authentication token" in caught.value.message


def test_ensure_model_creates_a_private_model_once(fake, config):
    replicate.ensure_model("sselfie", MODEL, config=config)
    replicate.ensure_model("sselfie", MODEL, config=config)
    [create] = fake.calls("models.create")
    assert create.json == {"owner": "sselfie", "name": MODEL, "visibility": "private",
                           "hardware": "gpu-t4"}


def test_ensure_model_after_a_timed_out_create_accepts_the_existing_model(fake, impatient):
    fake.faults.hang("models.create", seconds=2)
    replicate.ensure_model("sselfie", MODEL, config=impatient)
    assert [c.status for c in fake.calls("models.create")] == [None, 409]
    assert fake.world.models[("sselfie", MODEL)].visibility == "private"


def test_ensure_model_refuses_a_public_model(fake, config):
    fake.add_model(MODEL, visibility="public")
    with pytest.raises(replicate.ProviderRejected, match="not private"):
        replicate.ensure_model("sselfie", MODEL, config=config)


def test_upload_returns_the_api_url_a_model_input_takes(fake, config):
    data = selfie_zip()
    uploaded = replicate.upload_file(data, "set.zip", "application/zip",
                                     metadata={"training": 7}, config=config)
    assert uploaded.url == f"{fake.base_url}/files/{uploaded.id}"
    assert uploaded.size == len(data) and uploaded.expires_at > datetime.now(UTC)
    stored = fake.world.files[uploaded.id]
    assert (stored.data, stored.name, stored.content_type) == (data, "set.zip", "application/zip")
    assert stored.metadata == {"training": 7}
    replicate.delete_file(uploaded.id, config=config)
    replicate.delete_file(uploaded.id, config=config)  # already gone is fine
    assert uploaded.id not in fake.world.files


def test_upload_after_a_dropped_connection_finds_the_first_upload(fake, config):
    fake.faults.disconnect("files.create")
    uploaded = replicate.upload_file(selfie_zip(), "set.zip", "application/zip", config=config)
    assert list(fake.world.files) == [uploaded.id]
    assert len(fake.calls("files.create")) == 1 and fake.calls("files.list")


def test_a_training_from_upload_to_trained_version(fake, config, hook):
    replicate.ensure_model("sselfie", MODEL, config=config)
    zip_url = replicate.upload_file(selfie_zip(), "set.zip", "application/zip", config=config).url
    started = replicate.start_training(destination=f"sselfie/{MODEL}", zip_url=zip_url,
                                       trigger_word="TOK7", webhook=hook.url, config=config)
    assert started.status == "starting" and started.progress is None
    [create] = fake.calls("trainings.create")
    assert create.path.endswith(f"/versions/{fake.config.trainer_version}/trainings")
    assert create.json["input"] == {"input_images": zip_url, "trigger_word": "TOK7", "steps": 100}
    assert create.json["webhook_events_filter"] == ["start", "completed"]

    seen = []
    for _ in range(4):
        fake.advance(started.id)
        state = replicate.get_training(started.id, config=config)
        seen.append(state.progress.step if state.progress else None)
    assert state.status == "processing"
    assert seen[0] is None and seen[1] == 0 and seen[2] < seen[3] <= 100

    fake.complete(started.id)
    done = replicate.get_training(started.id, config=config)
    assert done.status == "succeeded" and done.progress.percent == 100.0
    assert done.version == f"sselfie/{MODEL}:{done.version_id}"
    assert done.completed_at >= done.started_at and "predict_time" in done.metrics
    assert "go_fast" in replicate.version_input_names("sselfie", MODEL, done.version_id,
                                                      config=config)

    fake.wait_for_webhooks()
    secret = replicate.webhook_secret(config=config)
    bodies = [replicate.verify_webhook(r.headers, r.body, secret) for r in hook.received]
    assert [b["status"] for b in bodies] == ["starting", "succeeded"]
    assert replicate.training_state(bodies[-1]).version == done.version


def test_training_on_something_that_is_not_a_zip_fails_with_the_trainers_words(fake, config):
    replicate.ensure_model("sselfie", MODEL, config=config)
    url = replicate.upload_file(b"\xff\xd8 just a jpeg", "a.jpg", "image/jpeg", config=config).url
    started = replicate.start_training(destination=f"sselfie/{MODEL}", zip_url=url,
                                       trigger_word="TOK7", config=config)
    fake.complete(started.id)
    state = replicate.get_training(started.id, config=config)
    assert (state.status, state.error) == ("failed", "input_images must be a zip file")


def test_training_into_a_missing_destination_is_rejected(fake, config):
    with pytest.raises(replicate.ProviderNotFound) as caught:
        replicate.start_training(destination="sselfie/nope", zip_url="https://x/y.zip",
                                 trigger_word="TOK", config=config)
    assert caught.value.detail == "The specified training destination does not exist"
    assert len(fake.calls("trainings.create")) == 1


@pytest.mark.parametrize(
    ("extra", "steps", "needle"),
    [({"caption_prefix": "a photo of"}, 100, "caption_prefix"), ({}, 7000, "input.steps")],
)
def test_bad_trainer_input_is_rejected_once_with_the_detail(fake, config, extra, steps, needle):
    fake.add_model(MODEL)
    with pytest.raises(replicate.ProviderRejected) as caught:
        replicate.start_training(destination=f"sselfie/{MODEL}", zip_url="https://x/y.zip",
                                 trigger_word="TOK", steps=steps, extra_input=extra, config=config)
    assert caught.value.status == 422 and needle in caught.value.detail
    assert not caught.value.maybe_created
    assert len(fake.calls("trainings.create")) == 1


def test_cancel_a_training(fake, config, hook):
    fake.add_model(MODEL)
    started = replicate.start_training(destination=f"sselfie/{MODEL}", zip_url="https://x/y.zip",
                                       trigger_word="TOK", webhook=hook.url, config=config)
    fake.advance(started.id)
    assert replicate.cancel_training(started.id, config=config).status == "canceled"
    fake.wait_for_webhooks()
    assert [d.event for d in fake.deliveries] == ["start", "completed"]


def test_a_storm_of_429s_then_success_honours_retry_after(fake, config, sleeps, version_id):
    fake.faults.throttle("predictions.create", times=3, retry_after=2)
    state = replicate.create_prediction(version_id=version_id, input=portrait(), config=config)
    assert state.status == "starting"
    assert [c.status for c in fake.calls("predictions.create")] == [429, 429, 429, 201]
    assert len(sleeps.calls) == 3 and all(s >= 2 for s in sleeps.calls)
    assert not fake.calls("predictions.list")  # a 429 proves nothing was created
    assert len(fake.jobs("prediction")) == 1


def test_endless_429s_give_up_as_a_transient_error(fake, config, version_id):
    fake.faults.throttle("predictions.create", times=10, retry_after=1)
    with pytest.raises(replicate.ProviderUnavailable) as caught:
        replicate.create_prediction(version_id=version_id, input=portrait(), config=config)
    assert not caught.value.permanent and caught.value.retry_after == 1
    assert not isinstance(caught.value, replicate.CreateOutcomeUnknown)
    assert len(fake.calls("predictions.create")) == config.retry.attempts


def test_a_retry_after_beyond_the_cap_goes_back_to_the_caller(fake, config, sleeps, version_id):
    fake.faults.throttle("predictions.create", retry_after=600)
    with pytest.raises(replicate.ProviderUnavailable) as caught:
        replicate.create_prediction(version_id=version_id, input=portrait(), config=config)
    assert caught.value.retry_after == 600 and sleeps.calls == []


def test_a_400_is_not_retried(fake, config, sleeps, version_id):
    fake.faults.fail("predictions.create", status=400)
    with pytest.raises(replicate.ProviderRejected) as caught:
        replicate.create_prediction(version_id=version_id, input=portrait(), config=config)
    assert caught.value.status == 400 and caught.value.permanent
    assert len(fake.calls("predictions.create")) == 1 and sleeps.calls == []


def test_unknown_inputs_are_rejected_naming_them(fake, config, version_id):
    with pytest.raises(replicate.ProviderRejected) as caught:
        replicate.create_prediction(version_id=version_id, input=portrait(hdr=True), config=config)
    assert "Additional property hdr is not allowed" in caught.value.detail


def test_5xx_is_retried_after_checking_nothing_was_created(fake, config, version_id):
    fake.faults.fail("predictions.create", times=2, status=503)
    state = replicate.create_prediction(version_id=version_id, input=portrait(), config=config)
    assert [c.status for c in fake.calls("predictions.create")] == [503, 503, 201]
    assert len(fake.calls("predictions.list")) == 2
    assert [job["id"] for job in fake.jobs("prediction")] == [state.id]


def test_a_timed_out_create_that_happened_is_found_not_repeated(fake, impatient, version_id):
    fake.faults.hang("predictions.create", seconds=2)
    state = replicate.create_prediction(version_id=version_id, input=portrait(), config=impatient)
    assert len(fake.calls("predictions.create")) == 1
    assert [job["id"] for job in fake.jobs("prediction")] == [state.id]


def test_a_timed_out_create_that_did_not_happen_is_made_once(fake, impatient, version_id):
    fake.faults.hang("predictions.create", seconds=2, process=False)
    state = replicate.create_prediction(version_id=version_id, input=portrait(), config=impatient)
    assert len(fake.calls("predictions.create")) == 2
    assert [job["id"] for job in fake.jobs("prediction")] == [state.id]


def test_a_dropped_training_create_is_found_by_its_zip_url(fake, config):
    fake.add_model(MODEL)
    for n in range(4):  # older trainings push the match past the first page (page_size=3)
        replicate.start_training(destination=f"sselfie/{MODEL}", zip_url=f"https://x/{n}.zip",
                                 trigger_word="TOK", config=config)
    fake.faults.disconnect("trainings.create")
    before = datetime.now(UTC)
    state = replicate.start_training(destination=f"sselfie/{MODEL}", zip_url="https://x/new.zip",
                                     trigger_word="TOK", config=config)
    assert len(fake.calls("trainings.create")) == 5 and len(fake.jobs("training")) == 5
    assert state.input_images == "https://x/new.zip"
    found = replicate.find_training(zip_url="https://x/0.zip", created_after=before - timedelta(1),
                                    config=config)
    assert found is not None and found.input_images == "https://x/0.zip"
    assert replicate.find_training(zip_url="https://x/0.zip", created_after=before,
                                   config=config) is None


def test_when_the_lookup_fails_the_outcome_is_reported_unknown(fake, impatient, version_id):
    fake.faults.hang("predictions.create", seconds=2)
    fake.faults.fail("predictions.list", status=500)
    with pytest.raises(replicate.CreateOutcomeUnknown) as caught:
        replicate.create_prediction(version_id=version_id, input=portrait(), config=impatient)
    assert caught.value.maybe_created and not caught.value.permanent
    # The caller's later lookup finds the job instead of creating a second one.
    found = replicate.find_prediction(version_id=version_id, input=portrait(),
                                      created_after=datetime.now(UTC) - timedelta(minutes=1),
                                      config=impatient)
    assert found is not None and len(fake.jobs("prediction")) == 1
    assert replicate.find_prediction(version_id=version_id, input=portrait(seed=1),
                                     created_after=datetime.now(UTC) - timedelta(minutes=1),
                                     config=impatient) is None


def test_gets_are_retried_by_the_client_not_by_us(fake, config, version_id):
    created = replicate.create_prediction(version_id=version_id, input=portrait(), config=config)
    fake.faults.throttle("predictions.get", times=2, retry_after=0)
    assert replicate.get_prediction(created.id, config=config).id == created.id
    assert [c.status for c in fake.calls("predictions.get")] == [429, 429, 200]
    fake.faults.fail("predictions.get", status=500)
    with pytest.raises(replicate.ProviderUnavailable):
        replicate.get_prediction(created.id, config=config)


def test_a_prediction_delivers_real_images(fake, config, version_id):
    created = replicate.create_prediction(version_id=version_id, input=portrait(), config=config)
    fake.complete(created.id)
    state = replicate.get_prediction(created.id, config=config)
    assert state.status == "succeeded" and len(state.output_urls) == 4 and state.filtered == 0
    assert state.metrics["predict_time"] >= 0
    image = httpx.get(state.output_urls[0])
    assert image.headers["content-type"] == "image/png" and image.content[:4] == b"\x89PNG"


def test_safety_checker_drops_some_images(fake, config, version_id):
    fake.nsfw_next(1)
    created = replicate.create_prediction(version_id=version_id, input=portrait(), config=config)
    fake.complete(created.id)
    state = replicate.get_prediction(created.id, config=config)
    assert (state.status, len(state.output_urls), state.filtered) == ("succeeded", 3, 1)


def test_safety_checker_flags_every_image(fake, config, version_id):
    fake.nsfw_next(NSFW_ALL)
    created = replicate.create_prediction(version_id=version_id, input=portrait(), config=config)
    fake.complete(created.id)
    state = replicate.get_prediction(created.id, config=config)
    assert state.status == "failed" and state.nsfw and state.output_urls == ()
    assert state.error.startswith("All generated images contained NSFW content")


def test_outputs_expire_after_the_ttl(fake, config, version_id):
    created = replicate.create_prediction(version_id=version_id, input=portrait(), config=config)
    fake.complete(created.id)
    url = replicate.get_prediction(created.id, config=config).output_urls[0]
    fake.travel(3601)
    state = replicate.get_prediction(created.id, config=config)
    assert state.data_removed and state.output_urls == ()
    assert httpx.get(url).status_code == 404


def test_input_names_follow_the_versions_schema(fake, config):
    fake.add_model(MODEL)
    legacy = fake.add_version("sselfie", MODEL, schema="fine-tuner-legacy")
    names = replicate.version_input_names("sselfie", MODEL, legacy, config=config)
    assert "lora_scale" in names and "go_fast" not in names and "megapixels" not in names
    replicate.version_input_names("sselfie", MODEL, legacy, config=config)
    assert len(fake.calls("models.versions.get")) == 1  # versions never change: cached


def test_deleting_a_users_data_at_replicate(fake, config, version_id):
    created = replicate.create_prediction(version_id=version_id, input=portrait(), config=config)
    with pytest.raises(replicate.ProviderUnavailable) as caught:
        replicate.delete_model("sselfie", MODEL, config=config)  # versions remain: not yet
    assert caught.value.status == 409
    replicate.delete_version("sselfie", MODEL, version_id, config=config)
    assert fake.calls("models.versions.delete")[-1].status == 202
    replicate.delete_version("sselfie", MODEL, version_id, config=config)  # idempotent
    with pytest.raises(replicate.ProviderNotFound):
        replicate.get_prediction(created.id, config=config)  # went with its version
    replicate.delete_model("sselfie", MODEL, config=config)
    replicate.delete_model("sselfie", MODEL, config=config)
    assert ("sselfie", MODEL) not in fake.world.models


def test_listing_pages_newest_first(fake, config, version_id):
    ids = [replicate.create_prediction(version_id=version_id, input=portrait(seed=n),
                                       config=config).id for n in range(5)]
    first = replicate.list_predictions(config=config)
    second = replicate.list_predictions(first.next_cursor, config=config)
    assert [p.id for p in first.results + second.results] == ids[::-1]
    assert second.next_cursor is None


def test_the_webhook_secret_is_cached(fake, config):
    secret = replicate.webhook_secret(config=config)
    assert secret == fake.webhook_secret and secret.startswith("whsec_")
    replicate.webhook_secret(config=config)
    replicate.webhook_secret(refresh=True, config=config)
    assert len(fake.calls("webhooks.default.secret.get")) == 2


def test_token_is_sent_as_a_bearer_token(fake, config):
    replicate.account_owner(config=config)
    assert fake.calls("account.get")[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_the_token_stays_out_of_reprs(config):
    assert TOKEN not in repr(config)


# --- official models and trainers (the instant preview) -------------------------------------

FLUX2 = "black-forest-labs/flux-2-pro"


def test_model_inputs_come_from_the_latest_version_and_are_cached(fake, config):
    inputs = replicate.model_inputs(FLUX2, config=config)
    assert inputs["input_images"]["maxItems"] == 8 and "prompt" in inputs
    assert replicate.model_inputs(FLUX2, config=config) is inputs
    assert len(fake.calls("models.get")) == 1


def test_an_official_prediction_is_created_by_model_name(fake, config):
    state = replicate.create_model_prediction(FLUX2, input={"prompt": "a person", "seed": 3},
                                              config=config)
    [call] = fake.calls("models.predictions.create")
    assert call.path == f"/v1/models/{FLUX2}/predictions" and set(call.json) == {"input"}
    done = replicate.prediction_state(fake.complete(state.id))
    assert done.status == "succeeded" and len(done.output_urls) == 1
    assert done.requested == 1 and done.filtered == 0


def test_an_unclear_official_create_is_looked_up_not_repeated(fake, impatient):
    fake.faults.hang("models.predictions.create", seconds=2.0)
    state = replicate.create_model_prediction(FLUX2, input={"prompt": "a person", "seed": 11},
                                              config=impatient)
    assert len(fake.jobs("prediction")) == 1 and state.id == fake.jobs("prediction")[0]["id"]
    found = replicate.find_model_prediction(
        FLUX2, input={"prompt": "a person", "seed": 11},
        created_after=datetime.now(UTC) - timedelta(minutes=5), config=impatient)
    assert found is not None and found.id == state.id
    other = replicate.find_model_prediction(
        "black-forest-labs/flux-2-flex", input={"prompt": "a person", "seed": 11},
        created_after=datetime.now(UTC) - timedelta(minutes=5), config=impatient)
    assert other is None


def test_official_models_flagging_an_image_count_as_the_safety_filter():
    state = replicate.prediction_state({"id": "p", "status": "failed", "error": (
        "The output was flagged as sensitive. Please try different prompts (E005)")})
    assert state.nsfw


def test_each_trainer_gets_its_documented_inputs():
    ostris = replicate.trainer_input("ostris/flux-dev-lora-trainer", zip_url="u",
                                     trigger_word="T", steps=900)
    fast = replicate.trainer_input("replicate/fast-flux-trainer", zip_url="u",
                                   trigger_word="T", steps=900)
    assert ostris == {"input_images": "u", "trigger_word": "T", "steps": 900}
    assert fast == {"input_images": "u", "trigger_word": "T", "lora_type": "subject",
                    "training_steps": 900}


def test_the_fast_trainers_progress_is_read_from_its_own_steps(fake, config):
    from dataclasses import replace

    fast = replace(config, trainer_version=fake.fast_trainer_version)
    fake.add_model(MODEL)
    url = replicate.upload_file(selfie_zip(), "set.zip", "application/zip", config=fast).url
    state = replicate.start_training(destination=f"sselfie/{MODEL}", zip_url=url,
                                     trigger_word="T", config=fast)
    [call] = fake.calls("trainings.create")
    assert call.json["input"]["training_steps"] == 100 and "steps" not in call.json["input"]
    for _ in range(4):
        fake.advance(state.id)
    progress = replicate.get_training(state.id, config=fast).progress
    assert progress is not None and 0 < progress.percent < 100 and progress.total == 100
