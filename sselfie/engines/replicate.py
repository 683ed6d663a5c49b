"""The only module the studio uses to talk to Replicate.

Every function takes an optional ``config``; without one it reads Django settings
(``config_from_settings``). Failures raise the typed errors of ``sselfie.engines.errors``,
which say whether trying again later can help. How requests are sent and retried is in
``replicate_transport``; payloads become our dataclasses in ``replicate_payloads``.

Idempotency of creates
    Replicate has no idempotency key, and the trainer rejects unknown inputs, so a job
    cannot carry our own id. Each job is fingerprinted by what we sent instead:

    * a training by its ``input_images`` URL (a fresh Files API upload per attempt, so
      unique) and its destination;
    * a prediction by its version and its exact input (callers make inputs unique per job
      by sending a ``seed`` they stored on their row);
    * an upload by its SHA-256; a model by its name.

    After a failure that may have reached Replicate (a timeout, a dropped connection, a
    5xx), the create retry first lists recent jobs, newest first, back to the call's start
    minus ``RetryPolicy.lookup_skew``, and returns the job it finds instead of creating a
    second one; if it cannot tell, it raises ``CreateOutcomeUnknown``. A 429 or a refused
    connection proves nothing was created, so those retry without a lookup. A task killed
    mid-call does the same on its rerun: ``find_training`` / ``find_prediction`` with the
    time it saved before calling, and create only when nothing is found.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256
from typing import Any

import httpx

from sselfie.engines import replicate_transport
from sselfie.engines.errors import (
    CreateOutcomeUnknown,
    NotConfigured,
    ProviderError,
    ProviderNotFound,
    ProviderRejected,
    ProviderUnavailable,
    WebhookInvalid,
)
from sselfie.engines.replicate_official import (
    _model_inputs,
    create_model_prediction,
    find_model_prediction,
    model_inputs,
)
from sselfie.engines.replicate_payloads import (
    TERMINAL,
    PredictionState,
    Progress,
    TrainingState,
    UploadedFile,
    parse_progress,
    prediction_state,
    training_state,
)
from sselfie.engines.replicate_transport import (
    ReplicateConfig,
    RetryPolicy,
    config_from_settings,
    config_problems,
    create_job,
)
from sselfie.engines.replicate_transport import create as _create
from sselfie.engines.replicate_transport import find as _find
from sselfie.engines.replicate_transport import request as _request
from sselfie.engines.replicate_transport import resolve as _cfg
from sselfie.engines.webhooks import verify_webhook

__all__ = [
    "TERMINAL", "CreateOutcomeUnknown", "NotConfigured", "Page", "PredictionState", "Progress",
    "ProviderError", "ProviderNotFound", "ProviderRejected", "ProviderUnavailable",
    "ReplicateConfig", "RetryPolicy", "TrainingState", "UploadedFile", "WebhookInvalid",
    "account_owner", "cancel_prediction", "cancel_training", "clear_caches",
    "config_from_settings", "config_problems", "create_model_prediction", "create_prediction",
    "delete_file", "find_model_prediction", "model_inputs", "trainer_input",
    "delete_model", "delete_version", "ensure_model", "find_file", "find_prediction",
    "find_training", "get_prediction", "get_training", "list_predictions",
    "parse_progress", "prediction_state", "start_training", "training_state", "upload_file",
    "verify_webhook", "version_input_names", "webhook_secret",
]

type Config = ReplicateConfig | None
type Matcher = Callable[[Mapping[str, Any]], bool]

# --- account, models, versions -------------------------------------------------------------

_owners: dict[tuple[str, str], str] = {}


def account_owner(*, config: Config = None) -> str:
    """REPLICATE_OWNER, else the username of the token's account (asked once per process)."""
    cfg = _cfg(config)
    if cfg.owner:
        return cfg.owner
    key = (cfg.base_url, cfg.api_token)
    if key not in _owners:
        _owners[key] = str(_request(cfg, "GET", "/v1/account")["username"])
    return _owners[key]


def ensure_model(
    owner: str, name: str, *, hardware: str | None = None, config: Config = None
) -> None:
    """Make sure the private destination model exists; an existing one is success."""
    cfg = _cfg(config)
    path = f"/v1/models/{owner}/{name}"
    try:
        model = _request(cfg, "GET", path)
    except ProviderNotFound:
        body = {"owner": owner, "name": name, "visibility": "private",
                "hardware": hardware or cfg.hardware}
        try:
            model = _create(cfg, "/v1/models", json=body)
        except ProviderRejected as exc:
            if exc.status != 409 and "exist" not in exc.message.lower():
                raise
            model = _request(cfg, "GET", path)  # made by a racing worker or an earlier try
    if model.get("visibility") != "private":
        # A LoRA of someone's face must never sit in a public model.
        raise ProviderRejected(f"Model {owner}/{name} exists but is not private.")


_input_names: dict[tuple[str, str], frozenset[str]] = {}


def version_input_names(
    owner: str, name: str, version_id: str, *, config: Config = None
) -> frozenset[str]:
    """The inputs a version accepts, from its OpenAPI schema (versions never change: cached)."""
    cfg = _cfg(config)
    key = (cfg.base_url, f"{owner}/{name}:{version_id}")
    if key not in _input_names:
        version = _request(cfg, "GET", f"/v1/models/{owner}/{name}/versions/{version_id}")
        schemas = (version.get("openapi_schema") or {}).get("components", {}).get("schemas", {})
        _input_names[key] = frozenset((schemas.get("Input") or {}).get("properties") or {})
    return _input_names[key]


def delete_version(owner: str, name: str, version_id: str, *, config: Config = None) -> None:
    """Delete a version and its predictions. 202 (accepted) is success; so is "already gone".

    Client 1.0.7's ``versions.delete`` returns False on that 202; we only look for errors.
    """
    try:
        _request(_cfg(config), "DELETE", f"/v1/models/{owner}/{name}/versions/{version_id}")
    except ProviderNotFound:
        pass


def delete_model(owner: str, name: str, *, config: Config = None) -> None:
    """Delete a model once its versions are gone; "already gone" is success."""
    try:
        _request(_cfg(config), "DELETE", f"/v1/models/{owner}/{name}")
    except ProviderNotFound:
        pass
    except ProviderRejected as exc:
        if exc.status == 409:
            # Version deletes are asynchronous (202): the model empties a little later.
            raise ProviderUnavailable(exc.message, status=409) from exc
        raise


# --- files -----------------------------------------------------------------------------------


def upload_file(
    data: bytes,
    filename: str,
    content_type: str,
    *,
    metadata: Mapping[str, Any] | None = None,
    config: Config = None,
) -> UploadedFile:
    """Upload through the Files API; ``url`` is what a model input takes."""
    cfg = _cfg(config)
    digest = sha256(data).hexdigest()
    since = datetime.now(UTC) - cfg.retry.lookup_skew
    payload = _create(
        cfg,
        "/v1/files",
        files={"content": (filename, data, content_type)},
        data={"metadata": json.dumps(dict(metadata))} if metadata else {},
        timeout=httpx.Timeout(cfg.upload_timeout, connect=cfg.connect_timeout),
        lookup=lambda: _find_file_payload(cfg, digest, since),
    )
    return _uploaded(payload)


def find_file(
    sha256_hex: str, *, created_after: datetime, config: Config = None
) -> UploadedFile | None:
    payload = _find_file_payload(_cfg(config), sha256_hex, created_after)
    return _uploaded(payload) if payload else None


def _find_file_payload(cfg: ReplicateConfig, digest: str, since: datetime) -> Any:
    def matches(item: Mapping[str, Any]) -> bool:
        return (item.get("checksums") or {}).get("sha256") == digest

    return _find(cfg, "/v1/files", since, matches)


def _uploaded(payload: Mapping[str, Any]) -> UploadedFile:
    expires = payload.get("expires_at")
    return UploadedFile(
        id=str(payload["id"]),
        url=str(payload["urls"]["get"]),
        size=int(payload.get("size") or 0),
        sha256=(payload.get("checksums") or {}).get("sha256"),
        expires_at=datetime.fromisoformat(expires) if isinstance(expires, str) else None,
    )


def delete_file(file_id: str, *, config: Config = None) -> None:
    try:
        _request(_cfg(config), "DELETE", f"/v1/files/{file_id}")
    except ProviderNotFound:
        pass  # deleted before, or expired: the goal is reached


# --- trainings -------------------------------------------------------------------------------


def start_training(
    *,
    destination: str,
    zip_url: str,
    trigger_word: str,
    steps: int | None = None,
    webhook: str | None = None,
    webhook_events: Sequence[str] = ("start", "completed"),
    extra_input: Mapping[str, Any] | None = None,
    config: Config = None,
) -> TrainingState:
    """Start the pinned trainer on ``zip_url`` (a Files API URL) into ``destination``."""
    cfg = _cfg(config)
    match = re.fullmatch(r"([\w.-]+)/([\w.-]+):(\w+)", cfg.trainer_version)
    if match is None:
        raise NotConfigured("REPLICATE_TRAINER_VERSION must be owner/name:version_id.")
    owner, name, version_id = match.groups()
    training_input = {
        **(extra_input or {}),
        **trainer_input(f"{owner}/{name}", zip_url=zip_url, trigger_word=trigger_word,
                        steps=steps or cfg.training_steps),
    }
    payload = create_job(
        cfg, f"/v1/models/{owner}/{name}/versions/{version_id}/trainings",
        {"destination": destination, "input": training_input},
        webhook=webhook, webhook_events=webhook_events, listing="/v1/trainings",
        matches=_training_matcher(zip_url, destination),
    )
    return training_state(payload)


FAST_TRAINER = "replicate/fast-flux-trainer"


def trainer_input(trainer: str, *, zip_url: str, trigger_word: str, steps: int) -> dict[str, Any]:
    """Each trainer's documented inputs (docs/preview.md): ostris/flux-dev-lora-trainer takes
    ``steps``; replicate/fast-flux-trainer takes ``training_steps`` and ``lora_type``."""
    if trainer == FAST_TRAINER:
        return {"input_images": zip_url, "trigger_word": trigger_word, "lora_type": "subject",
                "training_steps": steps}
    return {"input_images": zip_url, "trigger_word": trigger_word, "steps": steps}


def find_training(
    *, zip_url: str, created_after: datetime, destination: str | None = None, config: Config = None
) -> TrainingState | None:
    """The training made from ``zip_url`` since ``created_after``, if there is one."""
    matcher = _training_matcher(zip_url, destination)
    payload = _find(_cfg(config), "/v1/trainings", created_after, matcher)
    return training_state(payload) if payload else None


def _training_matcher(zip_url: str, destination: str | None) -> Matcher:
    def matches(item: Mapping[str, Any]) -> bool:
        state = training_state(item)
        same_destination = destination is None or state.destination in (None, destination)
        return state.input_images == zip_url and same_destination

    return matches


def get_training(training_id: str, *, config: Config = None) -> TrainingState:
    return training_state(_request(_cfg(config), "GET", f"/v1/trainings/{training_id}"))


def cancel_training(training_id: str, *, config: Config = None) -> TrainingState:
    return training_state(_request(_cfg(config), "POST", f"/v1/trainings/{training_id}/cancel"))


# --- predictions -----------------------------------------------------------------------------


def create_prediction(
    *,
    version_id: str,
    input: Mapping[str, Any],
    webhook: str | None = None,
    webhook_events: Sequence[str] = ("completed",),
    config: Config = None,
) -> PredictionState:
    """Start a prediction. Send only inputs the version accepts (``version_input_names``)."""
    cfg = _cfg(config)
    version_id = version_id.rpartition(":")[2]  # "owner/name:id" works too
    sent = json.loads(json.dumps(dict(input)))  # as the API will echo it, for matching
    payload = create_job(cfg, "/v1/predictions", {"version": version_id, "input": sent},
                         webhook=webhook, webhook_events=webhook_events,
                         listing="/v1/predictions",
                         matches=_prediction_matcher(version_id, sent))
    return prediction_state(payload)


def find_prediction(
    *, version_id: str, input: Mapping[str, Any], created_after: datetime, config: Config = None
) -> PredictionState | None:
    """The prediction of this version with exactly this input since ``created_after``."""
    sent = json.loads(json.dumps(dict(input)))
    matcher = _prediction_matcher(version_id.rpartition(":")[2], sent)
    payload = _find(_cfg(config), "/v1/predictions", created_after, matcher)
    return prediction_state(payload) if payload else None


def _prediction_matcher(version_id: str, sent: Mapping[str, Any]) -> Matcher:
    def matches(item: Mapping[str, Any]) -> bool:
        echoed = item.get("input") or {}
        same_input = all(echoed.get(key) == value for key, value in sent.items())
        return item.get("version") == version_id and same_input

    return matches


def get_prediction(prediction_id: str, *, config: Config = None) -> PredictionState:
    return prediction_state(_request(_cfg(config), "GET", f"/v1/predictions/{prediction_id}"))


def cancel_prediction(prediction_id: str, *, config: Config = None) -> PredictionState:
    path = f"/v1/predictions/{prediction_id}/cancel"
    return prediction_state(_request(_cfg(config), "POST", path))


# --- listing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page[T]:
    results: tuple[T, ...]
    next_cursor: str | None  # pass back as ``cursor``; None on the last page


def list_predictions(cursor: str | None = None, *, config: Config = None) -> Page[PredictionState]:
    """One page of predictions, newest first."""
    data = _request(_cfg(config), "GET", cursor or "/v1/predictions")
    return Page(tuple(prediction_state(item) for item in data["results"]), data.get("next"))


# --- webhooks ----------------------------------------------------------------------------------

_secrets: dict[tuple[str, str], tuple[str, float]] = {}
_secrets_lock = threading.Lock()


def webhook_secret(*, refresh: bool = False, config: Config = None) -> str:
    """The account's signing secret (``whsec_…``), cached for ``secret_ttl`` seconds.

    Pass ``refresh=True`` once after a signature mismatch, in case the secret was rotated.
    """
    cfg = _cfg(config)
    key = (cfg.base_url, cfg.api_token)
    now = time.monotonic()
    with _secrets_lock:
        cached = _secrets.get(key)
        if cached and not refresh and now - cached[1] < cfg.secret_ttl:
            return cached[0]
    secret = str(_request(cfg, "GET", "/v1/webhooks/default/secret")["key"])
    with _secrets_lock:
        _secrets[key] = (secret, now)
    return secret


def clear_caches() -> None:
    """Forget cached owners, secrets, schemas and clients (tests, changed settings)."""
    with _secrets_lock:
        _secrets.clear()
    _owners.clear()
    _input_names.clear()
    _model_inputs.clear()
    replicate_transport.client_for.cache_clear()
