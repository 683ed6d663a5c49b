"""The fake's records and settings: plain data, JSON shaped as Replicate's API returns it."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

# A stable, made-up version id, so a demo's REPLICATE_TRAINER_VERSION survives restarts.
TRAINER_VERSION_ID = hashlib.sha256(b"fake ostris/flux-dev-lora-trainer").hexdigest()
FAST_TRAINER = "replicate/fast-flux-trainer"
FAST_TRAINER_VERSION_ID = hashlib.sha256(b"fake replicate/fast-flux-trainer").hexdigest()
NSFW_ALL = 99  # an NSFW "drop" this large flags every image
NSFW_ERROR = (
    "All generated images contained NSFW content. Try running it again with a different prompt."
)
HARDWARE = [
    {"name": "CPU", "sku": "cpu"},
    {"name": "Nvidia T4 GPU", "sku": "gpu-t4"},
    {"name": "Nvidia L40S GPU", "sku": "gpu-l40s"},
    {"name": "Nvidia A100 (80GB) GPU", "sku": "gpu-a100-large"},
    {"name": "Nvidia H100 GPU", "sku": "gpu-h100"},
]


@dataclass
class FakeConfig:
    """Everything that shapes the fake's behaviour; tests shorten the durations."""

    token: str = "test-token"
    username: str = "sselfie"
    trainer: str = "ostris/flux-dev-lora-trainer"
    trainer_version: str = TRAINER_VERSION_ID
    trained_schema: str = "cog-flux"  # or "fine-tuner-legacy"
    webhook_secret: str = field(
        default_factory=lambda: "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()
    )
    # Time. With auto_advance a ticker moves jobs on by itself, each phase after its share
    # of the durations below (divided by speed); without it only advance()/complete() do.
    auto_advance: bool = False
    speed: float = 1.0
    starting_seconds: float = 1.0
    training_seconds: float = 20.0  # ostris/flux-dev-lora-trainer (real: about 20 minutes)
    fast_training_seconds: float = 6.0  # replicate/fast-flux-trainer (real: about 2 minutes)
    prediction_seconds: float = 3.0  # a trained version (FLUX dev with a LoRA)
    official_seconds: float = 2.0  # an official identity model (real: about 5-15 s)
    training_log_updates: int = 5
    # Outputs.
    image_megapixels: float = 1.0
    output_sources: tuple[bytes, ...] = ()  # photos to serve as outputs (default: flat art)
    output_ttl: float = 3600.0  # Replicate removes API predictions' data after an hour
    file_ttl: float = 86400.0
    max_file_bytes: int = 100 * 1024 * 1024
    page_size: int = 100
    version_delete_seconds: float = 0.0  # >0: version deletes finish that much later
    # Webhooks: only "completed" is retried, after each of these delays.
    webhook_retry_delays: tuple[float, ...] = (1.0, 5.0, 30.0)
    webhook_timeout: float = 5.0


class Clock:
    """Wall time plus an offset that ``travel`` moves, to reach expiries without waiting."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset


class ApiError(Exception):
    """Becomes an RFC 7807 problem response."""

    def __init__(
        self, status: int, detail: str, *, title: str | None = None, extra: dict | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or {
            400: "Bad request", 401: "Unauthenticated", 403: "Forbidden", 404: "Not found",
            409: "Conflict", 413: "Payload too large", 422: "Input validation failed",
        }.get(status, "Error")
        self.extra = extra or {}

    def problem(self) -> dict[str, Any]:
        return {
            "type": f"https://replicate.com/docs/reference/http#{self.status}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }


def new_id() -> str:
    """Replicate-style id: 26 lowercase base32 characters."""
    return base64.b32encode(os.urandom(20)).decode().lower()[:26]


def iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Version:
    id: str
    created_at: float
    openapi_schema: dict[str, Any]
    deleted_at: float | None = None  # set by DELETE; gone once the clock passes it

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": iso(self.created_at),
            "cog_version": "0.14.1",
            "openapi_schema": self.openapi_schema,
        }


@dataclass
class Model:
    owner: str
    name: str
    visibility: str
    hardware: str
    created_at: float
    description: str | None = None
    versions: dict[str, Version] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        latest = list(self.versions.values())[-1].json() if self.versions else None
        return {
            "url": f"https://replicate.com/{self.owner}/{self.name}",
            "owner": self.owner,
            "name": self.name,
            "description": self.description,
            "visibility": self.visibility,
            "github_url": None,
            "paper_url": None,
            "license_url": None,
            "run_count": 0,
            "cover_image_url": None,
            "default_example": None,
            "latest_version": latest,
        }


@dataclass
class StoredFile:
    id: str
    name: str
    content_type: str
    data: bytes
    metadata: dict[str, Any]
    created_at: float
    expires_at: float

    def json(self, api: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "content_type": self.content_type,
            "size": len(self.data),
            "etag": hashlib.md5(self.data, usedforsecurity=False).hexdigest(),
            "checksums": {
                "sha256": hashlib.sha256(self.data).hexdigest(),
                "md5": hashlib.md5(self.data, usedforsecurity=False).hexdigest(),
            },
            "metadata": self.metadata,
            "created_at": iso(self.created_at),
            "expires_at": iso(self.expires_at),
            # An API URL, as Replicate's: models resolve it; fetching it yields metadata.
            "urls": {"get": f"{api}/files/{self.id}"},
        }


@dataclass
class Blob:
    """Something served from /delivery/… without auth, like replicate.delivery."""

    data: bytes
    content_type: str
    expires_at: float | None = None


@dataclass
class Job:
    kind: Literal["training", "prediction"]
    id: str
    model: str  # "owner/name" of the model that runs: the trainer, or the trained model
    version: str
    input: dict[str, Any]
    created_at: float
    webhook: str | None = None
    events: tuple[str, ...] = ()
    destination: str | None = None
    status: str = "starting"
    logs: str = ""
    output: Any = None
    error: str | None = None
    started_at: float | None = None
    completed_at: float | None = None
    data_removed: bool = False
    deleted: bool = False
    phases: list[str] = field(default_factory=list)
    phase: int = 0
    next_at: float | None = None
    nsfw_drop: int = 0
    seed: int = 0
    blobs: list[str] = field(default_factory=list)
    official: bool = False  # run by model name: one image out, references in its input

    @property
    def terminal(self) -> bool:
        return self.status in ("succeeded", "failed", "canceled")

    def json(self, api: str) -> dict[str, Any]:
        plural = "trainings" if self.kind == "training" else "predictions"
        metrics: dict[str, float] = {}
        if self.started_at is not None and self.completed_at is not None:
            metrics["predict_time"] = round(self.completed_at - self.started_at, 6)
            metrics["total_time"] = round(self.completed_at - self.created_at, 6)
        body: dict[str, Any] = {
            "id": self.id,
            "model": self.model,
            "version": self.version,
            "input": self.input,
            "logs": self.logs,
            "output": self.output,
            "error": self.error,
            "status": self.status,
            "created_at": iso(self.created_at),
            "started_at": iso(self.started_at),
            "completed_at": iso(self.completed_at),
            "source": "api",
            "metrics": metrics,
            "urls": {
                "get": f"{api}/{plural}/{self.id}",
                "cancel": f"{api}/{plural}/{self.id}/cancel",
            },
        }
        if self.kind == "training":
            body["destination"] = self.destination
        else:
            body["data_removed"] = self.data_removed
        return body
