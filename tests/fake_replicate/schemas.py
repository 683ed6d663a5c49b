"""Cog-style OpenAPI schemas for the trainer and trained versions, and input validation.

Enums are written the way Cog writes them (``allOf: [{$ref: …}]``) so code that reads a
real version's schema reads ours the same way.
"""

from __future__ import annotations

import copy
from typing import Any

ASPECT_RATIOS = [
    "1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21", "custom",
]
WEBHOOK_EVENTS = ("start", "output", "logs", "completed")


def _prop(kind: str, order: int, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "title": "", "x-order": order, **extra}


def _enum_ref(name: str, order: int, default: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{name}"}
    return {"allOf": [ref], "default": default, "x-order": order}


def _schema(properties: dict[str, Any], required: list[str], enums: dict[str, list[str]]) -> dict:
    for name, prop in properties.items():
        prop["title"] = name.replace("_", " ").title()
    schemas: dict[str, Any] = {
        "Input": {
            "type": "object", "title": "Input", "required": required, "properties": properties
        },
        "Output": {
            "type": "array", "items": {"type": "string", "format": "uri"}, "title": "Output"
        },
    }
    for name, values in enums.items():
        schemas[name] = {
            "enum": values, "type": "string", "title": name, "description": "An enumeration."
        }
    return {
        "openapi": "3.0.2",
        "info": {"title": "Cog", "version": "0.1.0"},
        "components": {"schemas": schemas},
    }


def cog_flux_schema() -> dict[str, Any]:
    """A newer trained version (cog-flux): the input table of docs/replicate.md."""
    props = {
        "prompt": _prop("string", 0),
        "model": _enum_ref("model", 1, "dev"),
        "num_outputs": _prop("integer", 2, default=1, minimum=1, maximum=4),
        "num_inference_steps": _prop("integer", 3, default=28, minimum=1, maximum=50),
        "guidance_scale": _prop("number", 4, default=3, minimum=0, maximum=10),
        "aspect_ratio": _enum_ref("aspect_ratio", 5, "1:1"),
        "output_format": _enum_ref("output_format", 6, "webp"),
        "output_quality": _prop("integer", 7, default=80, minimum=0, maximum=100),
        "lora_scale": _prop("number", 8, default=1, minimum=-1, maximum=3),
        "go_fast": _prop("boolean", 9, default=False),
        "seed": _prop("integer", 10),
        "megapixels": _enum_ref("megapixels", 11, "1"),
        "extra_lora": _prop("string", 12),
        "extra_lora_scale": _prop("number", 13, default=1, minimum=-1, maximum=3),
        "disable_safety_checker": _prop("boolean", 14, default=False),
    }
    enums = {
        "model": ["dev", "schnell"],
        "aspect_ratio": ASPECT_RATIOS,
        "output_format": ["webp", "jpg", "png"],
        "megapixels": ["1", "0.25"],
    }
    return _schema(props, ["prompt"], enums)


def legacy_fine_tuner_schema() -> dict[str, Any]:
    """An older flux-fine-tuner version: guidance default 3.5, lora_scale max 2, no go_fast."""
    schema = cog_flux_schema()
    props = schema["components"]["schemas"]["Input"]["properties"]
    props["guidance_scale"]["default"] = 3.5
    props["lora_scale"]["maximum"] = 2
    props["extra_lora_scale"]["maximum"] = 2
    del props["go_fast"], props["megapixels"]
    del schema["components"]["schemas"]["megapixels"]
    return schema


def trainer_schema() -> dict[str, Any]:
    """ostris/flux-dev-lora-trainer's inputs (replicate/flux-fine-tuner)."""
    names: list[tuple[str, dict[str, Any]]] = [
        ("input_images", {"type": "string", "format": "uri"}),
        ("trigger_word", {"type": "string", "default": "TOK"}),
        ("autocaption", {"type": "boolean", "default": True}),
        ("autocaption_prefix", {"type": "string"}),
        ("autocaption_suffix", {"type": "string"}),
        ("steps", {"type": "integer", "default": 1000, "minimum": 3, "maximum": 6000}),
        ("lora_rank", {"type": "integer", "default": 16, "minimum": 1, "maximum": 128}),
        ("learning_rate", {"type": "number", "default": 0.0004}),
        ("batch_size", {"type": "integer", "default": 1, "minimum": 1}),
        ("resolution", {"type": "string", "default": "512,768,1024"}),
        ("caption_dropout_rate", {"type": "number", "default": 0.05, "minimum": 0, "maximum": 1}),
        ("optimizer", {"type": "string", "default": "adamw8bit"}),
        ("cache_latents_to_disk", {"type": "boolean", "default": False}),
        ("layers_to_optimize_regex", {"type": "string"}),
        ("gradient_checkpointing", {"type": "boolean", "default": False}),
        ("hf_repo_id", {"type": "string"}),
        ("hf_token", {"type": "string", "format": "password"}),
        ("wandb_api_key", {"type": "string", "format": "password"}),
        ("wandb_project", {"type": "string", "default": "flux_train_replicate"}),
        ("wandb_run", {"type": "string"}),
        ("wandb_entity", {"type": "string"}),
        ("wandb_sample_interval", {"type": "integer", "default": 100, "minimum": 1}),
        ("wandb_sample_prompts", {"type": "string"}),
        ("wandb_save_interval", {"type": "integer", "default": 100, "minimum": 1}),
        ("skip_training_and_use_pretrained_hf_lora_url", {"type": "string"}),
    ]
    props = {name: {**spec, "x-order": order} for order, (name, spec) in enumerate(names)}
    schema = _schema(props, ["input_images"], {})
    schema["components"]["schemas"]["Output"] = {
        "type": "object",
        "title": "TrainingOutput",
        "required": ["weights"],
        "properties": {"weights": {"type": "string", "format": "uri", "title": "Weights"}},
    }
    return schema


def fast_trainer_schema() -> dict[str, Any]:
    """replicate/fast-flux-trainer's inputs as public training code uses them
    (docs/replicate.md): a zip, the trigger word, subject or style, and its step count."""
    props = {
        "input_images": {"type": "string", "format": "uri", "x-order": 0},
        "trigger_word": {"type": "string", "default": "TOK", "x-order": 1},
        "lora_type": _enum_ref("lora_type", 2, "subject"),
        "training_steps": {"type": "integer", "default": 1000, "minimum": 10, "maximum": 6000,
                           "x-order": 3},
    }
    schema = _schema(props, ["input_images"], {"lora_type": ["subject", "style"]})
    schema["components"]["schemas"]["Output"] = trainer_schema()["components"]["schemas"]["Output"]
    return schema


OFFICIAL_ASPECT_RATIOS = ["match_input_image", "custom", "1:1", "16:9", "3:2", "2:3", "4:5",
                          "5:4", "9:16", "3:4", "4:3"]


def flux_2_schema(max_images: int) -> dict[str, Any]:
    """black-forest-labs/flux-2-pro (8 references) and flux-2-flex (10): one image out, as
    their published version pages show (docs/preview.md)."""
    props = {
        "prompt": _prop("string", 0),
        "input_images": _prop("array", 1, items={"type": "string", "format": "uri"},
                              maxItems=max_images, default=[]),
        "aspect_ratio": _enum_ref("aspect_ratio", 2, "1:1"),
        "resolution": _enum_ref("resolution", 3, "1 MP"),
        "safety_tolerance": _prop("integer", 4, default=2, minimum=1, maximum=5),
        "seed": _prop("integer", 5),
        "output_format": _enum_ref("output_format", 6, "webp"),
        "output_quality": _prop("integer", 7, default=80, minimum=0, maximum=100),
    }
    enums = {"aspect_ratio": OFFICIAL_ASPECT_RATIOS,
             "resolution": ["match_input_image", "0.5 MP", "1 MP", "2 MP", "4 MP"],
             "output_format": ["webp", "jpg", "png"]}
    schema = _schema(props, ["prompt"], enums)
    schema["components"]["schemas"]["Output"] = {"type": "string", "format": "uri",
                                                 "title": "Output"}
    return schema


def kontext_schema() -> dict[str, Any]:
    """black-forest-labs/flux-kontext-pro: one ``input_image``, one image out."""
    props = {
        "prompt": _prop("string", 0),
        "input_image": _prop("string", 1, format="uri"),
        "aspect_ratio": _enum_ref("aspect_ratio", 2, "match_input_image"),
        "seed": _prop("integer", 3),
        "output_format": _enum_ref("output_format", 4, "png"),
        "safety_tolerance": _prop("integer", 5, default=2, minimum=0, maximum=6),
    }
    enums = {"aspect_ratio": OFFICIAL_ASPECT_RATIOS, "output_format": ["jpg", "png"]}
    schema = _schema(props, ["prompt"], enums)
    schema["components"]["schemas"]["Output"] = {"type": "string", "format": "uri",
                                                 "title": "Output"}
    return schema


OFFICIAL_MODELS = {
    "black-forest-labs/flux-2-pro": lambda: flux_2_schema(8),
    "black-forest-labs/flux-2-flex": lambda: flux_2_schema(10),
    "black-forest-labs/flux-kontext-pro": kontext_schema,
}
SCHEMAS = {"cog-flux": cog_flux_schema, "fine-tuner-legacy": legacy_fine_tuner_schema}


def validate_input(schema: dict[str, Any], values: object) -> list[str]:
    """Problems with ``values`` as Replicate words them ("- input.x: …"); empty when valid."""
    if not isinstance(values, dict):
        return ["- input: Invalid type. Expected: object, given: " + type(values).__name__]
    components = schema["components"]["schemas"]
    spec = components["Input"]
    props: dict[str, Any] = spec["properties"]
    unknown = sorted(set(values) - set(props))
    errors = [f"- input: Additional property {name} is not allowed" for name in unknown]
    missing = [name for name in spec.get("required", []) if name not in values]
    errors += [f"- input: {name} is required" for name in missing]
    for name, value in values.items():
        if name in props:
            errors += _check(name, value, _resolve(props[name], components))
    return errors


def _resolve(prop: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    resolved = copy.deepcopy(prop)
    for part in resolved.pop("allOf", []):
        resolved.update(components[part["$ref"].rsplit("/", 1)[1]])
    return resolved


def _check(name: str, value: object, prop: dict[str, Any]) -> list[str]:
    kind = prop.get("type")
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "array":
        if not isinstance(value, list):
            return [f"- input.{name}: Invalid type. Expected: array, given: {type(value).__name__}"]
        if "maxItems" in prop and len(value) > prop["maxItems"]:
            return [f"- input.{name}: Array must have at most {prop['maxItems']} items"]
        item_kind = (prop.get("items") or {}).get("type")
        if item_kind == "string" and not all(isinstance(item, str) for item in value):
            return [f"- input.{name}: Invalid type. Expected: string items"]
        return []
    ok = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": numeric,
        "boolean": isinstance(value, bool),
    }.get(str(kind), True)
    if not ok:
        return [f"- input.{name}: Invalid type. Expected: {kind}, given: {type(value).__name__}"]
    if "enum" in prop and value not in prop["enum"]:
        allowed = ", ".join(f'"{item}"' for item in prop["enum"])
        return [f"- input.{name}: {name} must be one of the following: {allowed}"]
    if numeric and "minimum" in prop and value < prop["minimum"]:  # type: ignore[operator]
        return [f"- input.{name}: Must be greater than or equal to {prop['minimum']}"]
    if numeric and "maximum" in prop and value > prop["maximum"]:  # type: ignore[operator]
        return [f"- input.{name}: Must be less than or equal to {prop['maximum']}"]
    return []
