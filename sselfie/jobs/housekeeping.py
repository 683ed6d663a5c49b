"""Periodic work the apps hand to the reconcile loop (retention, pending provider deletions),
registered in their ``AppConfig.ready()`` so the loop needs to know no app."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Chore:
    name: str
    run: Callable[[], int]  # how many things it did
    every_seconds: float


_CHORES: dict[str, Chore] = {}


def register(name: str, run: Callable[[], int], *, every_seconds: float) -> None:
    _CHORES[name] = Chore(name, run, every_seconds)


def chores() -> list[Chore]:
    return list(_CHORES.values())
