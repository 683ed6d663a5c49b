"""The real task worker (django-tasks-db's ``db_worker``), run in this process until a
condition holds: for tests of durable retries and poll chains, whose tasks are enqueued to
run later. Use it from ``django_db(transaction=True)`` tests: the worker commits."""

import time
from collections.abc import Callable

from django.core.management import call_command


def run_worker_until(condition: Callable[[], bool], *, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never held while the worker ran")
        # One batch: every task that is due now; tasks scheduled for later wait their turn.
        call_command("db_worker", batch=True, interval=0.01, no_startup_delay=True, verbosity=0)
        time.sleep(0.02)
