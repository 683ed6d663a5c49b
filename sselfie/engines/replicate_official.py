"""Official models on Replicate, run by name (``POST /v1/models/{owner}/{name}/predictions``,
no version): always warm, one input schema per latest version. Private to
``sselfie.engines.replicate``, which re-exports what the studio uses.

Their inputs are read from ``latest_version.openapi_schema`` of ``GET /v1/models/{o}/{n}``;
the latest version can change under us, so the answer is cached for a few minutes only.
A create is fingerprinted like any prediction (the model and the exact input; callers send
a stored ``seed``), so an unclear failure is looked up before it is repeated.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sselfie.engines.replicate_payloads import PredictionState, prediction_state
from sselfie.engines.replicate_transport import ReplicateConfig, create_job, find, request, resolve

type Config = ReplicateConfig | None


MODEL_SCHEMA_TTL = 600.0
_model_inputs: dict[tuple[str, str], tuple[dict[str, Any], float]] = {}


def model_inputs(model: str, *, config: Config = None) -> dict[str, Any]:
    """The input properties (name -> JSON schema) the official model accepts now."""
    cfg = resolve(config)
    key = (cfg.base_url, model)
    cached = _model_inputs.get(key)
    if cached and time.monotonic() - cached[1] < MODEL_SCHEMA_TTL:
        return cached[0]
    owner, _, name = model.partition("/")
    found = request(cfg, "GET", f"/v1/models/{owner}/{name}")
    schema = ((found or {}).get("latest_version") or {}).get("openapi_schema") or {}
    props = ((schema.get("components") or {}).get("schemas") or {}).get("Input") or {}
    inputs = dict(props.get("properties") or {})
    _model_inputs[key] = (inputs, time.monotonic())
    return inputs


def create_model_prediction(
    model: str,
    *,
    input: Mapping[str, Any],
    webhook: str | None = None,
    webhook_events: Sequence[str] = ("completed",),
    config: Config = None,
) -> PredictionState:
    """Run an official model by name. Send only inputs ``model_inputs`` lists."""
    cfg = resolve(config)
    owner, _, name = model.partition("/")
    sent = json.loads(json.dumps(dict(input)))
    payload = create_job(cfg, f"/v1/models/{owner}/{name}/predictions", {"input": sent},
                         webhook=webhook, webhook_events=webhook_events,
                         listing="/v1/predictions",
                         matches=_model_prediction_matcher(model, sent))
    return prediction_state(payload)


def find_model_prediction(
    model: str, *, input: Mapping[str, Any], created_after: datetime, config: Config = None
) -> PredictionState | None:
    """The official model's prediction with exactly this input since ``created_after``."""
    sent = json.loads(json.dumps(dict(input)))
    payload = find(resolve(config), "/v1/predictions", created_after,
                    _model_prediction_matcher(model, sent))
    return prediction_state(payload) if payload else None


def _model_prediction_matcher(model: str, sent: Mapping[str, Any]) -> Any:
    def matches(item: Mapping[str, Any]) -> bool:
        echoed = item.get("input") or {}
        same_input = all(echoed.get(key) == value for key, value in sent.items())
        return item.get("model") == model and same_input

    return matches
