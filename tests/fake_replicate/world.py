"""The fake's state and API operations, validated the way Replicate validates them.

Every public method takes the one lock, so the HTTP threads, the ticker and test code can
all touch the world at once.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import secrets
import threading
from collections.abc import Callable
from typing import Any

from tests.fake_replicate import lifecycle, media, schemas
from tests.fake_replicate.state import (
    FAST_TRAINER,
    FAST_TRAINER_VERSION_ID,
    HARDWARE,
    ApiError,
    Blob,
    Clock,
    FakeConfig,
    Job,
    Model,
    StoredFile,
    Version,
    new_id,
)

DEFAULT_EVENTS = ("output", "completed")  # Replicate's default when no filter is sent
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
type Notify = Callable[[Job, str, dict[str, Any], dict[str, Any] | None], None]


class World:
    def __init__(self, config: FakeConfig, origin: str, notify: Notify) -> None:
        self.config = config
        self.origin = origin
        self.api = f"{origin}/v1"
        self.clock = Clock()
        self.lock = threading.RLock()
        self.models: dict[tuple[str, str], Model] = {}
        self.files: dict[str, StoredFile] = {}
        self.jobs: dict[str, Job] = {}
        self.blobs: dict[str, Blob] = {}
        self.nsfw_queue: list[int] = []
        self._notify = notify
        self._snapshots: dict[str, dict[str, Any]] = {}  # last non-terminal body, per job
        owner, _, name = config.trainer.partition("/")
        trainer = Model(owner, name, "public", "gpu-h100", self.clock.now())
        trainer.versions[config.trainer_version] = Version(
            config.trainer_version, self.clock.now(), schemas.trainer_schema()
        )
        self.models[(owner, name)] = trainer
        if config.trainer != FAST_TRAINER:
            f_owner, _, f_name = FAST_TRAINER.partition("/")
            fast = Model(f_owner, f_name, "public", "gpu-h100", self.clock.now())
            fast.versions[FAST_TRAINER_VERSION_ID] = Version(
                FAST_TRAINER_VERSION_ID, self.clock.now(), schemas.fast_trainer_schema())
            self.models[(f_owner, f_name)] = fast
        for full_name, make_schema in schemas.OFFICIAL_MODELS.items():
            o_owner, _, o_name = full_name.partition("/")
            official = Model(o_owner, o_name, "public", "gpu-h100", self.clock.now())
            vid = hashlib.sha256(full_name.encode()).hexdigest()
            official.versions[vid] = Version(vid, self.clock.now(), make_schema())
            self.models[(o_owner, o_name)] = official

    # --- helpers used by lifecycle ------------------------------------------------------

    def trained_schema(self) -> dict[str, Any]:
        return schemas.SCHEMAS[self.config.trained_schema]()

    def add_blob(self, filename: str, blob: Blob) -> str:
        path = f"/delivery/{secrets.token_urlsafe(12)}/{filename}"
        self.blobs[path] = blob
        return self.origin + path

    def fetch(self, url: str) -> bytes | None:
        """What a model would download from ``url``; only the fake's own URLs resolve."""
        if url.startswith("data:"):
            return media.decode_data_uri(url)
        if url.startswith(f"{self.api}/files/"):
            file_id = url[len(f"{self.api}/files/") :].split("/")[0].split("?")[0]
            stored = self.files.get(file_id)
            return stored.data if stored and stored.expires_at > self.clock.now() else None
        blob = self.blobs.get(url.removeprefix(self.origin))
        return blob.data if blob else None

    def notify(self, job: Job, events: list[str]) -> None:
        body = job.json(self.api)
        if not job.terminal:
            self._snapshots[job.id] = body
        for event in events:
            if job.webhook and event in job.events:
                self._notify(job, event, body, self._snapshots.get(job.id))

    # --- account, hardware, models, versions --------------------------------------------

    def account(self) -> dict[str, Any]:
        name = self.config.username
        return {"type": "user", "username": name, "name": name.title(), "github_url": None}

    def create_model(self, body: dict[str, Any]) -> dict[str, Any]:
        owner, name = str(body.get("owner", "")), str(body.get("name", ""))
        with self.lock:
            if owner != self.config.username:
                raise ApiError(403, f"You do not have permission to create models for {owner}.")
            problems = []
            if not _NAME.match(name):
                problems.append("- name: use lowercase letters, digits, dashes, underscores, dots")
            if body.get("visibility") not in ("public", "private"):
                problems.append('- visibility: must be one of the following: "public", "private"')
            if body.get("hardware") not in {item["sku"] for item in HARDWARE}:
                problems.append("- hardware: must be a SKU from GET /v1/hardware")
            if problems:
                raise ApiError(422, "\n".join(problems))
            if (owner, name) in self.models:
                raise ApiError(409, "A model with that name and owner already exists.")
            model = Model(owner, name, body["visibility"], body["hardware"], self.clock.now(),
                          description=body.get("description"))
            self.models[(owner, name)] = model
            return model.json()

    def model(self, owner: str, name: str) -> Model:
        with self.lock:
            self._purge()
            model = self.models.get((owner, name))
            if model is None or (model.visibility == "private" and owner != self.config.username):
                raise ApiError(404, "The requested model does not exist.")
            return model

    def delete_model(self, owner: str, name: str) -> None:
        with self.lock:
            model = self._own_private(owner, name)
            if model.versions:
                raise ApiError(409, "Cannot delete a model that has versions. Delete them first.")
            del self.models[(owner, name)]

    def version(self, owner: str, name: str, version_id: str) -> Version:
        with self.lock:
            version = self.model(owner, name).versions.get(version_id)
            if version is None or version.deleted_at is not None:
                raise ApiError(404, "The requested version does not exist.")
            return version

    def delete_version(self, owner: str, name: str, version_id: str) -> None:
        with self.lock:
            model = self._own_private(owner, name)
            version = model.versions.get(version_id)
            if version is None or version.deleted_at is not None:
                raise ApiError(404, "The requested version does not exist.")
            version.deleted_at = self.clock.now() + self.config.version_delete_seconds
            self._purge()

    def _own_private(self, owner: str, name: str) -> Model:
        model = self.model(owner, name)
        if owner != self.config.username:
            raise ApiError(403, "You can only delete models you own.")
        if model.visibility != "private":
            raise ApiError(403, "You can only delete private models.")
        return model

    def _purge(self) -> None:
        """Finish asynchronous version deletes whose time has come, with their predictions."""
        now = self.clock.now()
        for model in self.models.values():
            for version in list(model.versions.values()):
                if version.deleted_at is not None and version.deleted_at <= now:
                    del model.versions[version.id]
                    for job in self.jobs.values():
                        if job.kind == "prediction" and job.version == version.id:
                            job.deleted = True

    # --- files -----------------------------------------------------------------------

    def create_file(self, parts: dict[str, media.Part]) -> dict[str, Any]:
        content = parts.get("content")
        if content is None:
            raise ApiError(400, "The request has no 'content' file part.")
        if len(content.data) > self.config.max_file_bytes:
            raise ApiError(413, "The file is larger than the 100 MiB limit.")
        try:
            metadata = json.loads(parts["metadata"].data) if "metadata" in parts else {}
        except ValueError:
            raise ApiError(400, "metadata must be a JSON object.") from None
        name = parts["filename"].data.decode() if "filename" in parts else content.filename
        kind = parts["type"].data.decode() if "type" in parts else content.content_type
        now = self.clock.now()
        stored = StoredFile(new_id(), name or "file", kind or "application/octet-stream",
                            content.data, metadata if isinstance(metadata, dict) else {},
                            now, now + self.config.file_ttl)
        with self.lock:
            self.files[stored.id] = stored
        return stored.json(self.api)

    def file(self, file_id: str) -> StoredFile:
        with self.lock:
            stored = self.files.get(file_id)
            if stored is None or stored.expires_at <= self.clock.now():
                raise ApiError(404, "The requested file does not exist.")
            return stored

    def delete_file(self, file_id: str) -> None:
        with self.lock:
            self.file(file_id)
            del self.files[file_id]

    def list_files(self, cursor: str | None) -> dict[str, Any]:
        with self.lock:
            now = self.clock.now()
            items = [f.json(self.api) for f in self.files.values() if f.expires_at > now]
            return self._page(items[::-1], cursor, "files")

    # --- trainings and predictions -------------------------------------------------------

    def create_training(self, owner: str, name: str, version_id: str, body: object) -> dict:
        with self.lock:
            trainer = self.version(owner, name, version_id)
            if not isinstance(body, dict):
                raise ApiError(400, "The request body must be a JSON object.")
            dest_owner, _, dest_name = str(body.get("destination", "")).partition("/")
            destination = self.models.get((dest_owner, dest_name))
            if destination is None or dest_owner != self.config.username:
                raise ApiError(404, "The specified training destination does not exist")
            errors = schemas.validate_input(trainer.openapi_schema, body.get("input"))
            errors += _uri_errors(body.get("input"), ("input_images",))
            webhook, events = _webhook(body, errors)
            if errors:
                raise ApiError(422, "\n".join(errors), extra={"invalid_fields": errors})
            job = Job("training", new_id(), f"{owner}/{name}", version_id, dict(body["input"]),
                      self.clock.now(), webhook, events, destination=f"{dest_owner}/{dest_name}")
            return self._start(job)

    def create_prediction(self, body: object) -> dict[str, Any]:
        with self.lock:
            if not isinstance(body, dict) or not isinstance(body.get("version"), str):
                raise ApiError(422, "- version: version is required")
            version_id = body["version"].rpartition(":")[2]
            found = self._find_version(version_id)
            if found is None:
                raise ApiError(422, "Invalid version or not permitted")
            model, version = found
            errors = schemas.validate_input(version.openapi_schema, body.get("input"))
            webhook, events = _webhook(body, errors)
            if errors:
                raise ApiError(422, "\n".join(errors), extra={"invalid_fields": errors})
            job = Job("prediction", new_id(), f"{model.owner}/{model.name}", version.id,
                      dict(body["input"]), self.clock.now(), webhook, events)
            seed = job.input.get("seed")
            job.seed = seed if isinstance(seed, int) else random.randrange(1 << 16)
            job.nsfw_drop = self.nsfw_queue.pop(0) if self.nsfw_queue else 0
            return self._start(job)

    def create_model_prediction(self, owner: str, name: str, body: object) -> dict[str, Any]:
        """An official model run by name: validated against its latest version's schema."""
        with self.lock:
            model = self.model(owner, name)
            if (owner, name) not in {tuple(n.split("/")) for n in schemas.OFFICIAL_MODELS}:
                raise ApiError(404, "This model has no official predictions endpoint; "
                                    "create predictions with a version.")
            if not isinstance(body, dict):
                raise ApiError(400, "The request body must be a JSON object.")
            errors = _top_level_errors(body, {"input", "webhook", "webhook_events_filter",
                                              "stream"})
            version = list(model.versions.values())[-1]
            errors += schemas.validate_input(version.openapi_schema, body.get("input"))
            webhook, events = _webhook(body, errors)
            if errors:
                raise ApiError(422, "\n".join(errors), extra={"invalid_fields": errors})
            job = Job("prediction", new_id(), f"{owner}/{name}", version.id,
                      dict(body["input"]), self.clock.now(), webhook, events, official=True)
            seed = job.input.get("seed")
            job.seed = seed if isinstance(seed, int) else random.randrange(1 << 16)
            job.nsfw_drop = self.nsfw_queue.pop(0) if self.nsfw_queue else 0
            return self._start(job)

    def _find_version(self, version_id: str) -> tuple[Model, Version] | None:
        self._purge()
        for model in self.models.values():
            version = model.versions.get(version_id)
            mine = model.visibility == "public" or model.owner == self.config.username
            if version is not None and version.deleted_at is None and mine:
                return model, version
        return None

    def _start(self, job: Job) -> dict[str, Any]:
        lifecycle.plan(self, job)
        self.jobs[job.id] = job
        self.notify(job, ["start"])
        return job.json(self.api)

    def job(self, kind: str, job_id: str) -> Job:
        with self.lock:
            self._purge()
            job = self.jobs.get(job_id)
            if job is None or job.kind != kind or job.deleted:
                raise ApiError(404, f"The requested {kind} does not exist.")
            lifecycle.expire(self, job)
            return job

    def job_json(self, kind: str, job_id: str) -> dict[str, Any]:
        with self.lock:
            return self.job(kind, job_id).json(self.api)

    def list_jobs(self, kind: str, cursor: str | None) -> dict[str, Any]:
        with self.lock:
            self._purge()
            items = []
            for job in reversed(list(self.jobs.values())):  # newest first, as Replicate lists
                if job.kind == kind and not job.deleted:
                    lifecycle.expire(self, job)
                    items.append(job.json(self.api))
            return self._page(items, cursor, f"{kind}s")

    def cancel(self, kind: str, job_id: str) -> dict[str, Any]:
        with self.lock:
            job = self.job(kind, job_id)
            lifecycle.finish(self, job, "canceled")
            return job.json(self.api)

    def _page(self, items: list[dict[str, Any]], cursor: str | None, path: str) -> dict[str, Any]:
        try:
            start = int(base64.urlsafe_b64decode(cursor or "MA==").decode())
        except ValueError:
            raise ApiError(400, "Invalid cursor.") from None
        end = start + self.config.page_size

        def link(offset: int) -> str:
            token = base64.urlsafe_b64encode(str(offset).encode()).decode()
            return f"{self.api}/{path}?cursor={token}"

        return {
            "previous": link(max(0, start - self.config.page_size)) if start else None,
            "next": link(end) if end < len(items) else None,
            "results": items[start:end],
        }

    def blob(self, path: str) -> Blob:
        with self.lock:
            blob = self.blobs.get(path)
            now = self.clock.now()
            if blob is None or (blob.expires_at or float("inf")) <= now:
                raise ApiError(404, "Not found")
            return blob

    # --- time ------------------------------------------------------------------------

    def tick(self) -> None:
        """Auto mode: run every phase whose time has come."""
        with self.lock:
            now = self.clock.now()
            for job in list(self.jobs.values()):
                while not job.terminal and job.next_at is not None and job.next_at <= now:
                    lifecycle.step(self, job)
            self._purge()


def _webhook(body: dict[str, Any], errors: list[str]) -> tuple[str | None, tuple[str, ...]]:
    webhook = body.get("webhook")
    if webhook is not None and not (isinstance(webhook, str) and re.match(r"https?://", webhook)):
        errors.append("- webhook: Does not match format 'uri'")
    events = body.get("webhook_events_filter")
    if events is None:
        return webhook, DEFAULT_EVENTS
    if not isinstance(events, list):
        events = [events]
    unknown = [e for e in events if e not in schemas.WEBHOOK_EVENTS]
    if unknown:
        allowed = ", ".join(f'"{e}"' for e in schemas.WEBHOOK_EVENTS)
        errors.append(f"- webhook_events_filter.0: must be one of the following: {allowed}")
    return webhook, tuple(events)


def _top_level_errors(body: dict[str, Any], allowed: set[str]) -> list[str]:
    """Replicate refuses unknown top-level fields (additional_property_not_allowed)."""
    return [f"- {name}: Additional property {name} is not allowed"
            for name in sorted(set(body) - allowed)]


def _uri_errors(values: object, names: tuple[str, ...]) -> list[str]:
    if not isinstance(values, dict):
        return []
    return [
        f"- input.{name}: Does not match format 'uri'"
        for name in names
        if isinstance(values.get(name), str) and not re.match(r"(https?://|data:)", values[name])
    ]
