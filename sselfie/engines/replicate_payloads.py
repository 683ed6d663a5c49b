"""Replicate's JSON, turned into our own small frozen dataclasses. Pure, no I/O.

The rest of the studio sees only these types, never a provider dict, so a change in
Replicate's payloads is absorbed here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, cast

# "aborted" (since 2025-10): the job never started before its Cancel-After deadline.
# "unknown" is ours: a status Replicate added after this code was written. The job is not
# stranded by it; it stays in flight and keeps being polled until a status we know arrives.
type Status = Literal["starting", "processing", "succeeded", "failed", "canceled", "aborted",
                      "unknown"]
STATUSES: frozenset[str] = frozenset({"starting", "processing", "succeeded", "failed", "canceled",
                                      "aborted"})
TERMINAL: frozenset[str] = frozenset({"succeeded", "failed", "canceled", "aborted"})
log = logging.getLogger(__name__)
# ai-toolkit names its tqdm bar after the job; replicate/flux-fine-tuner's job is this.
TRAINER_PROGRESS_DESC = "flux_train_replicate"
SAFETY_WORDS = ("nsfw", "flagged as sensitive")


@dataclass(frozen=True)
class Progress:
    percent: float  # 0..100, from step/total (finer than the bar's rounded percentage)
    eta_seconds: int | None  # tqdm's "remaining"; None while tqdm still prints "?"
    step: int
    total: int


@dataclass(frozen=True)
class UploadedFile:
    id: str
    url: str  # urls.get: pass it as a model input; it is an API URL, not a download link
    size: int
    sha256: str | None
    expires_at: datetime | None


@dataclass(frozen=True)
class TrainingState:
    id: str
    status: Status
    version: str | None  # the trained version, "owner/name:version_id", once succeeded
    error: str | None
    logs: str
    progress: Progress | None
    started_at: datetime | None
    completed_at: datetime | None
    metrics: Mapping[str, float] = field(default_factory=dict)
    created_at: datetime | None = None
    destination: str | None = None
    input_images: str | None = None  # the zip URL we sent: our fingerprint for lookups
    weights_url: str | None = None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def version_id(self) -> str | None:
        return self.version.rpartition(":")[2] if self.version else None


@dataclass(frozen=True)
class PredictionState:
    id: str
    status: Status
    output_urls: tuple[str, ...]
    error: str | None
    data_removed: bool
    metrics: Mapping[str, float] = field(default_factory=dict)
    version: str | None = None
    input: Mapping[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def requested(self) -> int:
        """How many images were asked for (the FLUX predictors default to 1)."""
        value = self.input.get("num_outputs", 1)
        return value if isinstance(value, int) and value > 0 else 1

    @property
    def filtered(self) -> int:
        """Images the safety checker withheld: charge only for ``len(output_urls)``."""
        if self.status == "succeeded":
            return max(0, self.requested - len(self.output_urls))
        return self.requested if self.nsfw else 0

    @property
    def nsfw(self) -> bool:
        """The whole prediction failed because every image was flagged. The FLUX LoRA
        predictors say "NSFW"; Black Forest Labs' official models are reported to say
        "flagged as sensitive" (unverified: docs/preview.md)."""
        error = (self.error or "").lower()
        return self.status == "failed" and any(word in error for word in SAFETY_WORDS)


def training_state(payload: Mapping[str, Any]) -> TrainingState:
    output = payload.get("output")
    output = output if isinstance(output, Mapping) else {}
    training_input = payload.get("input")
    training_input = training_input if isinstance(training_input, Mapping) else {}
    # ostris' trainer takes "steps", replicate/fast-flux-trainer "training_steps".
    steps = training_input.get("steps", training_input.get("training_steps"))
    logs = payload.get("logs") or ""
    version = output.get("version")
    destination = payload.get("destination")
    if not destination and isinstance(version, str):
        # Client 1.0.7 notes the API may omit it; the output version names it too.
        destination = version.partition(":")[0]
    return TrainingState(
        id=str(payload["id"]),
        status=_status(payload.get("status")),
        version=version if isinstance(version, str) else None,
        error=_text(payload.get("error")),
        logs=logs,
        progress=parse_progress(logs, total_steps=steps if isinstance(steps, int) else None),
        started_at=_when(payload.get("started_at")),
        completed_at=_when(payload.get("completed_at")),
        metrics=_metrics(payload.get("metrics")),
        created_at=_when(payload.get("created_at")),
        destination=destination if isinstance(destination, str) else None,
        input_images=_text(training_input.get("input_images")),
        weights_url=_text(output.get("weights")),
    )


def prediction_state(payload: Mapping[str, Any]) -> PredictionState:
    output = payload.get("output")
    if isinstance(output, str):
        urls: tuple[str, ...] = (output,)
    elif isinstance(output, list):
        urls = tuple(item for item in output if isinstance(item, str) and item)
    else:
        urls = ()
    prediction_input = payload.get("input")
    return PredictionState(
        id=str(payload["id"]),
        status=_status(payload.get("status")),
        output_urls=urls,
        error=_text(payload.get("error")),
        data_removed=bool(payload.get("data_removed")),
        metrics=_metrics(payload.get("metrics")),
        version=_text(payload.get("version")),
        input=dict(prediction_input) if isinstance(prediction_input, Mapping) else {},
        created_at=_when(payload.get("created_at")),
        started_at=_when(payload.get("started_at")),
        completed_at=_when(payload.get("completed_at")),
    )


# tqdm's default bar:
#   "{desc}: {pct:3.0f}%|{bar}| {n}/{total} [{elapsed}<{remaining}, {rate}{postfix}]"
_TQDM = re.compile(
    r"(?P<desc>[^|]*?)(?::\s*)?(?P<pct>\d{1,3})%\|[^|]*\|\s*(?P<n>\d+)/(?P<total>\d+)"
    r"\s*\[(?P<elapsed>[\d:]+|\?)<(?P<remaining>[\d:]+|\?)"
)


def parse_progress(
    logs: str, *, total_steps: int | None = None, desc: str = TRAINER_PROGRESS_DESC
) -> Progress | None:
    """The training's latest step from its logs, or None when it has not started.

    The logs also hold other tqdm bars (weight downloads, captioning, sample images), so
    only the trainer's bar counts: the one named ``desc``, or failing that one whose total
    equals ``total_steps``. tqdm redraws with carriage returns and Replicate may cut the
    text mid-line, so lines are split on both and an incomplete last line is ignored.
    """
    found: Progress | None = None
    for line in re.split(r"[\r\n]+", logs or ""):
        match = _TQDM.search(line)
        if match is None:
            continue
        step, total = int(match["n"]), int(match["total"])
        named = desc and desc in match["desc"]
        if total <= 0 or step > total or not (named or total == total_steps):
            continue
        found = Progress(
            percent=round(100.0 * step / total, 2),
            eta_seconds=_seconds(match["remaining"]),
            step=step,
            total=total,
        )
    return found


def _seconds(clock: str) -> int | None:
    if clock == "?":
        return None
    seconds = 0
    for part in clock.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds


def _status(value: object) -> Status:
    if value not in STATUSES:
        log.warning("Replicate sent an unknown status %r; the job stays in flight.",
                    str(value)[:40])
        return "unknown"
    return cast(Status, value)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _when(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _metrics(value: object) -> dict[str, float]:
    if not isinstance(value, Mapping):
        return {}
    return {
        str(key): float(number)
        for key, number in value.items()
        if isinstance(number, int | float) and not isinstance(number, bool)
    }
