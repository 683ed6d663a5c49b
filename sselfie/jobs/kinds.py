"""The job kinds the apps register, and what the jobs home needs to know of each.

A job is a row with the same lifecycle fields whatever its app: ``state``, ``provider_id``,
``synced_at`` (last heard of), ``next_poll_at`` (the poll that is due), ``retries`` and
``busy_since`` (durable retries of the create). The kind says which states are in flight,
how to read the provider's word about it and what to do with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.tasks import Task
from django.utils import timezone


@dataclass(frozen=True)
class JobKind:
    name: str
    model: type[models.Model]
    active: tuple[str, ...]  # in flight: polled, reconciled, retried
    queued: str  # where a create that must be retried goes back to
    # The engine's state objects (TrainingState, PredictionState): `status`, `terminal`.
    parse: Callable[[Mapping[str, Any]], Any]  # a webhook body
    fetch: Callable[[str], Any]  # GET by provider id
    apply: Callable[[Any, Any], object]  # (pk, state): move the row forward
    advance: Callable[[Any], None]  # a quiet row without news: resume, resubmit or give up
    give_up: Callable[[Any, str], None]  # (row, message): fail and give back what it took
    submit_task: Task  # the task that creates the job at the provider, given the pk
    poll_delay: Callable[[Any, Any], float]  # (row, state or None): seconds to the next poll
    # Kinds that share a table (photos and previews are both Generation rows) each see only
    # their own rows: a filter on the model's default manager.
    scope: Mapping[str, Any] = field(default_factory=dict)

    def objects(self) -> models.QuerySet[Any]:
        return self.model._default_manager.filter(**self.scope)

    def row(self, pk: object) -> Any:
        return self.objects().filter(pk=pk).first()


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    _KINDS[kind.name] = kind
    return kind


def get(name: str) -> JobKind:
    return _KINDS[name]


def registered() -> list[JobKind]:
    return list(_KINDS.values())


def silent_too_long(row: Any) -> bool:
    """Not heard of for RECONCILE_RESUME_SECONDS: whatever was working on it has died."""
    cutoff = timezone.now() - timedelta(seconds=settings.RECONCILE_RESUME_SECONDS)
    return bool(row.synced_at < cutoff)


def find(provider_id: str) -> tuple[JobKind, Any] | None:
    """The kind and pk of our job with this provider id; the payload owns nothing."""
    if not provider_id:
        return None
    for kind in _KINDS.values():
        pk = kind.objects().filter(provider_id=provider_id).values_list(
            "pk", flat=True).first()
        if pk is not None:
            return kind, pk
    return None
