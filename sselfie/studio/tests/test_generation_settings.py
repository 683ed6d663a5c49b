"""Generation inputs: the seed's defaults, its ranges, and per-version input filtering."""

import dataclasses
import math

import pytest

from sselfie.studio.generation_settings import (
    ASPECT_RATIO_VALUES,
    DEFAULT_ASPECT_RATIO,
    DEFAULTS,
    ESSENTIAL_INPUTS,
    GenerationSettings,
    SettingsError,
    UnsupportedVersion,
    accepted_inputs,
    prediction_input,
)

PROMPT = "user_1_trigger person at a cafe, raw photo"

# Input names of an older flux-fine-tuner version (no go_fast; replicate.md trap 6) ...
OLD_VERSION = frozenset(
    "prompt image mask aspect_ratio height width prompt_strength model num_outputs "
    "num_inference_steps guidance_scale seed output_format output_quality replicate_weights "
    "lora_scale extra_lora extra_lora_scale disable_safety_checker".split()
)
# ... and of a newer cog-flux one.
NEW_VERSION = OLD_VERSION | {"go_fast", "megapixels"}


def test_defaults_are_the_seeds_call():
    assert prediction_input(PROMPT, aspect_ratio=DEFAULT_ASPECT_RATIO) == {
        "prompt": PROMPT,
        "model": "dev",
        "num_outputs": 4,
        "num_inference_steps": 28,
        "guidance_scale": 2.8,
        "lora_scale": 0.8,
        "output_format": "png",
        "output_quality": 100,
        "go_fast": False,
        "aspect_ratio": "16:9",
    }


def test_aspect_ratio_choices():
    assert DEFAULT_ASPECT_RATIO == "16:9"
    assert ASPECT_RATIO_VALUES == ("16:9", "1:1", "4:5", "9:16", "3:2")
    for ratio in ASPECT_RATIO_VALUES:
        assert prediction_input(PROMPT, aspect_ratio=ratio)["aspect_ratio"] == ratio
    for ratio in ("21:9", "", "16x9", None):
        with pytest.raises(SettingsError, match="aspect_ratio"):
            prediction_input(PROMPT, aspect_ratio=ratio)


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        ("num_inference_steps", [28, 30, 32], [27, 33, 28.0, "28", True]),
        ("guidance_scale", [2.5, 2.8, 3.0, 3], [2.49, 3.01, math.nan, math.inf, "2.8", True]),
        ("lora_scale", [0.8, 0.9, 1.0, 1], [0.79, 1.01, -1, math.nan, None]),
        ("num_outputs", [1, 4], [0, 5]),
        ("output_quality", [0, 100], [-1, 101]),
        ("output_format", ["png", "jpg", "webp"], ["gif", "PNG"]),
        ("model", ["dev"], ["schnell", ""]),
        ("go_fast", [False, True], [0, "false", None]),
    ],
)
def test_settings_ranges(field, good, bad):
    for value in good:
        assert getattr(GenerationSettings(**{field: value}), field) == value
    for value in bad:
        with pytest.raises(SettingsError, match=field):
            GenerationSettings(**{field: value})


def test_settings_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULTS.guidance_scale = 3.5  # type: ignore[misc]


def test_custom_settings_flow_into_the_input():
    settings = GenerationSettings(num_inference_steps=32, guidance_scale=2.5, lora_scale=1.0)
    inputs = prediction_input(PROMPT, aspect_ratio="4:5", settings=settings)
    assert (inputs["num_inference_steps"], inputs["guidance_scale"], inputs["lora_scale"]) == (
        32,
        2.5,
        1.0,
    )


def test_seed_is_optional_and_bounded():
    assert "seed" not in prediction_input(PROMPT, aspect_ratio="1:1")
    assert prediction_input(PROMPT, aspect_ratio="1:1", seed=0)["seed"] == 0
    assert prediction_input(PROMPT, aspect_ratio="1:1", seed=2**32 - 1)["seed"] == 2**32 - 1
    for seed in (-1, 2**32, True, 1.5, "7"):
        with pytest.raises(SettingsError, match="seed"):
            prediction_input(PROMPT, aspect_ratio="1:1", seed=seed)


@pytest.mark.parametrize("prompt", ["", "   ", None])
def test_empty_prompt_is_refused(prompt):
    with pytest.raises(SettingsError, match="prompt"):
        prediction_input(prompt, aspect_ratio="1:1")


def test_each_call_returns_a_fresh_dict():
    first = prediction_input(PROMPT, aspect_ratio="1:1")
    first["guidance_scale"] = 9
    assert prediction_input(PROMPT, aspect_ratio="1:1")["guidance_scale"] == 2.8


def test_older_version_gets_no_go_fast():
    inputs = prediction_input(PROMPT, aspect_ratio="9:16", seed=7, accepted=OLD_VERSION)
    assert "go_fast" not in inputs
    full = prediction_input(PROMPT, aspect_ratio="9:16", seed=7)
    assert inputs == {k: v for k, v in full.items() if k != "go_fast"}


def test_newer_version_gets_everything():
    assert prediction_input(
        PROMPT, aspect_ratio="3:2", seed=7, accepted=NEW_VERSION
    ) == prediction_input(PROMPT, aspect_ratio="3:2", seed=7)


def test_only_optional_inputs_are_dropped():
    inputs = prediction_input(PROMPT, aspect_ratio="1:1", seed=3, accepted=ESSENTIAL_INPUTS)
    assert set(inputs) == ESSENTIAL_INPUTS
    assert inputs["prompt"] == PROMPT


@pytest.mark.parametrize("missing", sorted(ESSENTIAL_INPUTS))
def test_version_lacking_an_essential_input_is_refused(missing):
    with pytest.raises(UnsupportedVersion) as info:
        prediction_input(PROMPT, aspect_ratio="1:1", accepted=NEW_VERSION - {missing})
    assert info.value.missing == {missing}
    assert missing in str(info.value)


def test_empty_schema_is_refused_not_guessed():
    with pytest.raises(UnsupportedVersion) as info:
        prediction_input(PROMPT, aspect_ratio="1:1", accepted=set())
    assert "prompt" in info.value.missing


def test_accepted_inputs_reads_a_cog_schema():
    schema = {"components": {"schemas": {"Input": {"properties": {n: {} for n in NEW_VERSION}}}}}
    assert accepted_inputs(schema) == NEW_VERSION
    for bad in ({}, {"components": None}, {"components": {"schemas": {"Input": {}}}}, []):
        assert accepted_inputs(bad) == frozenset()
