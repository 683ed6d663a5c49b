"""Replicate generation inputs: the seed's defaults, its "optimal" ranges, and input filtering.

Pure Python (no Django) so the engine, the task and the tests share one definition. The
ranges are the seed's realism ranges (§6), deliberately narrower than what FLUX accepts:
guidance above ~3 drifts toward glossy "AI" skin, and far below it loses the likeness.
"""

import math
from collections.abc import Mapping, Set
from dataclasses import asdict, dataclass
from typing import Any

MODELS = ("dev",)  # schnell wants ~4 steps, which the 28-32 range below forbids
OUTPUT_FORMATS = ("png", "jpg", "webp")
ASPECT_RATIOS: tuple[tuple[str, str], ...] = (
    ("16:9", "Landscape 16:9"),
    ("1:1", "Square 1:1"),
    ("4:5", "Portrait 4:5"),
    ("9:16", "Story 9:16"),
    ("3:2", "Classic 3:2"),
)
ASPECT_RATIO_VALUES = tuple(value for value, _ in ASPECT_RATIOS)
DEFAULT_ASPECT_RATIO = "16:9"

STEPS_RANGE = (28, 32)
GUIDANCE_RANGE = (2.5, 3.0)
LORA_SCALE_RANGE = (0.8, 1.0)
NUM_OUTPUTS_RANGE = (1, 4)
OUTPUT_QUALITY_RANGE = (0, 100)
SEED_RANGE = (0, 2**32 - 1)  # numpy-style seeds; larger ones break some predictors

# Without these a version would silently fall back to its own defaults (older trainers use
# guidance 3.5, 1 output, 1:1), so we refuse rather than bill for off-spec images.
ESSENTIAL_INPUTS = frozenset(
    {"prompt", "num_outputs", "num_inference_steps", "guidance_scale", "lora_scale", "aspect_ratio"}
)


class SettingsError(ValueError):
    """A generation setting outside the allowed choices or ranges."""


class UnsupportedVersion(SettingsError):
    """The trained version's input schema lacks an input we cannot do without."""

    def __init__(self, missing: Set[str]):
        self.missing = frozenset(missing)
        super().__init__(
            "This model version does not accept "
            + ", ".join(sorted(self.missing))
            + "; retrain with the pinned trainer version."
        )


@dataclass(frozen=True, slots=True)
class GenerationSettings:
    """The seed's §5 call, validated on construction so a bad override fails at start-up."""

    model: str = "dev"
    num_outputs: int = 4
    num_inference_steps: int = 28
    guidance_scale: float = 2.8
    lora_scale: float = 0.8
    output_format: str = "png"
    output_quality: int = 100
    go_fast: bool = False

    def __post_init__(self) -> None:
        _check_choice("model", self.model, MODELS)
        _check_choice("output_format", self.output_format, OUTPUT_FORMATS)
        _check_int("num_outputs", self.num_outputs, NUM_OUTPUTS_RANGE)
        _check_int("num_inference_steps", self.num_inference_steps, STEPS_RANGE)
        _check_int("output_quality", self.output_quality, OUTPUT_QUALITY_RANGE)
        _check_float("guidance_scale", self.guidance_scale, GUIDANCE_RANGE)
        _check_float("lora_scale", self.lora_scale, LORA_SCALE_RANGE)
        if not isinstance(self.go_fast, bool):
            raise SettingsError(f"go_fast must be True or False, not {self.go_fast!r}.")

    def prediction_input(
        self,
        prompt: str,
        *,
        aspect_ratio: str,
        seed: int | None = None,
        accepted: Set[str] | None = None,
    ) -> dict[str, Any]:
        """The ``input`` dict for ``predictions.create``.

        ``accepted`` is the trained version's input names (from its OpenAPI schema). When
        given, inputs it lacks are dropped (older trainer versions have no ``go_fast``), except
        the essential ones: a version missing any of those raises ``UnsupportedVersion``.
        """
        if not isinstance(prompt, str) or not prompt.strip():
            raise SettingsError("The prompt is empty.")
        _check_choice("aspect_ratio", aspect_ratio, ASPECT_RATIO_VALUES)
        inputs: dict[str, Any] = {"prompt": prompt, **asdict(self), "aspect_ratio": aspect_ratio}
        if seed is not None:
            _check_int("seed", seed, SEED_RANGE)
            inputs["seed"] = seed
        if accepted is None:
            return inputs
        missing = ESSENTIAL_INPUTS - set(accepted)
        if missing:
            raise UnsupportedVersion(missing)
        return {name: value for name, value in inputs.items() if name in accepted}


def prediction_input(
    prompt: str,
    *,
    aspect_ratio: str,
    seed: int | None = None,
    accepted: Set[str] | None = None,
    settings: GenerationSettings | None = None,
) -> dict[str, Any]:
    """``settings.prediction_input(...)`` with the seed's defaults unless told otherwise."""
    return (settings or DEFAULTS).prediction_input(
        prompt, aspect_ratio=aspect_ratio, seed=seed, accepted=accepted
    )


def accepted_inputs(openapi_schema: Mapping[str, Any]) -> frozenset[str]:
    """Input names a version accepts, from its ``openapi_schema`` (Replicate's version API).

    Cog puts them at ``components.schemas.Input.properties``. An unreadable schema gives an
    empty set, which ``prediction_input`` then refuses loudly instead of guessing.
    """
    try:
        properties = openapi_schema["components"]["schemas"]["Input"]["properties"]
    except (KeyError, TypeError):
        return frozenset()
    return frozenset(properties) if isinstance(properties, Mapping) else frozenset()


def _check_choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}; got {value!r}.")


def _check_int(name: str, value: object, bounds: tuple[int, int]) -> None:
    low, high = bounds
    # bool is an int subclass; True as a step count is a bug, not 1.
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}; got {value!r}.")


def _check_float(name: str, value: object, bounds: tuple[float, float]) -> None:
    low, high = bounds
    if (not isinstance(value, int | float) or isinstance(value, bool)
            or not math.isfinite(value) or not low <= value <= high):
        raise SettingsError(f"{name} must be a number from {low} to {high}; got {value!r}.")


# Built last: __post_init__ needs the checks above, and this proves the defaults valid.
DEFAULTS = GenerationSettings()
