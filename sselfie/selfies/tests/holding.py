"""A real file-system storage with pause points, to put a background step exactly where a
race needs it: `HoldingStorage.hold("save", "trainsets/")` makes the next save of such a
file wait (in whichever thread makes it) until the test calls `release()`."""

from __future__ import annotations

import threading
from typing import Any

from django.core.files.storage import FileSystemStorage

PATH = "sselfie.selfies.tests.holding.HoldingStorage"


class Hold:
    def __init__(self, action: str, prefix: str) -> None:
        self.action, self.prefix = action, prefix
        self.reached = threading.Event()
        self.released = threading.Event()
        self.used = False

    def wait_reached(self, timeout: float = 30) -> None:
        assert self.reached.wait(timeout), f"nothing tried to {self.action} {self.prefix}*"

    def release(self) -> None:
        self.released.set()


class HoldingStorage(FileSystemStorage):
    holds: list[Hold] = []
    _lock = threading.Lock()

    @classmethod
    def hold(cls, action: str, prefix: str) -> Hold:
        found = Hold(action, prefix)
        cls.holds.append(found)
        return found

    @classmethod
    def reset(cls) -> None:
        for found in cls.holds:
            found.release()
        cls.holds = []

    def _pause(self, action: str, name: str) -> None:
        with self._lock:
            matching = [h for h in self.holds if h.action == action and not h.used
                        and name.startswith(h.prefix)]
            if not matching:
                return
            found = matching[0]
            found.used = True  # one-shot: only the first matching call waits
        found.reached.set()
        assert found.released.wait(30), "hold never released"

    def _save(self, name: str, content: Any) -> str:
        self._pause("save", name)
        return super()._save(name, content)

    def _open(self, name: str, mode: str = "rb") -> Any:
        self._pause("open", name)
        return super()._open(name, mode)
