"""How the Replicate engine sends requests: configuration, the client, errors, retries.

Private to ``sselfie.engines.replicate`` (and its sibling ``replicate_official``).

Transport
    We build an official ``replicate.Client`` (auth header, base URL, user agent, its
    retry transport) and send through its httpx client, parsing JSON ourselves: client
    1.0.7's resource models drop fields we need (``metrics`` on trainings, ``data_removed``
    on predictions) and its ``ReplicateError`` drops the ``Retry-After`` header.

Retries, at one layer each
    * GET/DELETE: the client's transport already retries 429/503/504 honouring
      ``Retry-After``; we add nothing, and map what still fails to a typed error.
    * POST creates (models, files, trainings, predictions): the client never retries them,
      so ``create`` does: 429, 5xx, timeouts and dropped connections, with capped
      exponential backoff, full jitter and ``Retry-After`` honoured, ``RetryPolicy.attempts``
      tries in all. Any other 4xx raises ``ProviderRejected`` at once with Replicate's detail.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any

import httpx
import replicate as replicate_client
from replicate.exceptions import ReplicateError

from sselfie.engines.errors import (
    CreateOutcomeUnknown,
    NotConfigured,
    ProviderError,
    ProviderNotFound,
    ProviderRejected,
    ProviderUnavailable,
)

DEFAULT_BASE_URL = "https://api.replicate.com/v1"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries in all, the first included
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_retry_after: float = 60.0  # a longer server hint ends the loop: reschedule instead
    lookup_skew: timedelta = timedelta(minutes=5)  # clock skew allowed in job lookups
    lookup_pages: int = 5  # at 100 per page, far more jobs than we create in a window
    sleep: Callable[[float], None] = time.sleep  # injectable so tests never wait


@dataclass(frozen=True)
class ReplicateConfig:
    api_token: str = field(repr=False)  # kept out of logs and tracebacks
    base_url: str = DEFAULT_BASE_URL
    owner: str | None = None
    trainer_version: str = ""  # "owner/name:version_id", pinned (input schemas differ)
    training_steps: int = 1000
    hardware: str = "gpu-t4"  # required by POST /v1/models; fine-tunes override it
    timeout: float = 30.0
    connect_timeout: float = 5.0
    upload_timeout: float = 300.0
    secret_ttl: float = 3600.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)


def config_from_settings() -> ReplicateConfig:
    """Read REPLICATE_* Django settings (imported here only, so the engine runs without Django)."""
    from django.conf import settings

    return ReplicateConfig(
        api_token=str(getattr(settings, "REPLICATE_API_TOKEN", "") or "").strip(),
        base_url=str(getattr(settings, "REPLICATE_API_BASE_URL", "") or DEFAULT_BASE_URL),
        owner=str(getattr(settings, "REPLICATE_OWNER", "") or "").strip() or None,
        trainer_version=str(getattr(settings, "REPLICATE_TRAINER_VERSION", "") or "").strip(),
        training_steps=int(getattr(settings, "REPLICATE_TRAINING_STEPS", 1000) or 1000),
        # One try per call: the studio retries a turned-away create as a durable, scheduled
        # task (sselfie/jobs/retries.py), never by sleeping in a worker. Retry at one layer.
        retry=RetryPolicy(attempts=1),
    )


def config_problems(config: ReplicateConfig) -> list[str]:
    """What to fix before the engine can work: for a start-up check."""
    problems = []
    if not config.api_token:
        problems.append("Set REPLICATE_API_TOKEN to a Replicate API token.")
    if not re.fullmatch(r"[\w.-]+/[\w.-]+:[0-9a-f]{16,}", config.trainer_version):
        problems.append(
            "Set REPLICATE_TRAINER_VERSION to owner/name:version_id "
            "(e.g. ostris/flux-dev-lora-trainer:<64 hex>)."
        )
    if not 3 <= config.training_steps <= 6000:
        problems.append("Set REPLICATE_TRAINING_STEPS between 3 and 6000.")
    return problems


# --- transport ---------------------------------------------------------------------------


@lru_cache(maxsize=8)
def client_for(config: ReplicateConfig) -> replicate_client.Client:
    if not config.api_token:
        raise NotConfigured("REPLICATE_API_TOKEN is not set.")
    # The client's paths start with /v1, so it wants the API root without it.
    root = config.base_url.rstrip("/").removesuffix("/v1")
    timeout = httpx.Timeout(config.timeout, connect=config.connect_timeout)
    return replicate_client.Client(api_token=config.api_token, base_url=root, timeout=timeout)


def resolve(config: ReplicateConfig | None) -> ReplicateConfig:
    return config if config is not None else config_from_settings()


def request(config: ReplicateConfig, method: str, path: str, **kwargs: Any) -> Any:
    http = client_for(config)._client  # the client's configured httpx.Client (see docstring)
    try:
        response = http.request(method, path, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise ProviderUnavailable(f"Replicate unreachable: {exc!r}") from exc
    except httpx.TransportError as exc:
        # Sent, maybe processed, no answer: only a lookup can tell for a create.
        raise ProviderUnavailable(f"No answer from Replicate: {exc!r}", maybe_created=True) from exc
    if response.status_code >= 400:
        raise _error(response)
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError as exc:
        raise ProviderUnavailable("Replicate sent a body that is not JSON.") from exc


def _error(response: httpx.Response) -> ProviderError:
    problem = ReplicateError.from_response(response)
    status = response.status_code
    message = problem.detail or problem.title or f"HTTP {status} from Replicate"
    if status == 429:
        hint = _retry_after(response.headers.get("Retry-After"), message)
        return ProviderUnavailable(message, status=status, retry_after=hint)
    if status >= 500 or status == 408:
        hint = _retry_after(response.headers.get("Retry-After"), "")
        return ProviderUnavailable(message, status=status, retry_after=hint, maybe_created=True)
    if status == 404:
        return ProviderNotFound(message, status=status)
    return ProviderRejected(message, status=status)


def _retry_after(header: str | None, detail: str) -> float | None:
    value = (header or "").strip()
    if value.replace(".", "", 1).isdigit():
        return float(value)
    if value:
        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            pass
    # Replicate's 429 body says "Your rate limit resets in ~30s."
    match = re.search(r"~\s*(\d+(?:\.\d+)?)\s*s\b", detail)
    return float(match.group(1)) if match else None


def create(
    config: ReplicateConfig,
    path: str,
    *,
    lookup: Callable[[], Any] | None = None,
    **kwargs: Any,
) -> Any:
    """POST with our own retries; ``lookup`` finds a job an unclear failure may have made."""
    policy = config.retry
    if policy.attempts < 1:
        raise NotConfigured("RetryPolicy.attempts must be at least 1.")
    maybe_created = False
    last: ProviderUnavailable | None = None
    for attempt in range(policy.attempts):
        if last is not None:
            hint = last.retry_after
            if hint is not None and hint > policy.max_retry_after:
                break
            backoff = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
            policy.sleep(max(random.uniform(backoff / 2, backoff), hint or 0.0))  # noqa: S311
            if maybe_created and lookup is not None:
                try:
                    found = lookup()
                except ProviderError as exc:
                    raise CreateOutcomeUnknown(f"Could not check for a created job: {exc}") from exc
                if found is not None:
                    return found
        try:
            return request(config, "POST", path, **kwargs)
        except ProviderUnavailable as exc:
            last = exc
            maybe_created = maybe_created or exc.maybe_created
    if last is None:  # unreachable: the loop ran at least once and failed
        raise ProviderUnavailable("No attempt was made.")
    if maybe_created and lookup is not None:
        raise CreateOutcomeUnknown(f"Create may have happened: {last.message}", status=last.status)
    raise last


def create_job(
    config: ReplicateConfig,
    path: str,
    body: dict[str, Any],
    *,
    webhook: str | None,
    webhook_events: Sequence[str],
    listing: str,
    matches: Callable[[Mapping[str, Any]], bool],
) -> Any:
    """Create a training or prediction: the webhook fields when there is a webhook, and a
    lookup in ``listing`` (from the call's start, minus the allowed clock skew) for the job
    an unclear failure may have made."""
    if webhook:
        body = body | {"webhook": webhook, "webhook_events_filter": list(webhook_events)}
    since = datetime.now(UTC) - config.retry.lookup_skew
    return create(config, path, json=body,
                  lookup=lambda: find(config, listing, since, matches))


# --- lookups ---------------------------------------------------------------------------


def paginate(config: ReplicateConfig, path: str, since: datetime) -> Iterator[Mapping[str, Any]]:
    """Items newer than ``since``, newest first, over at most ``lookup_pages`` pages."""
    cursor: str | None = path
    for _ in range(config.retry.lookup_pages):
        if cursor is None:
            return
        data = request(config, "GET", cursor)
        for item in data.get("results") or []:
            created = item.get("created_at")
            if isinstance(created, str) and datetime.fromisoformat(created) < since:
                return  # lists are newest first: nothing older can match
            yield item
        cursor = data.get("next")


def find(config: ReplicateConfig, path: str, since: datetime,
         matches: Callable[[Mapping[str, Any]], bool]) -> Any:
    """The newest item since ``since`` that ``matches``: how a create is looked up."""
    return next((item for item in paginate(config, path, since) if matches(item)), None)
