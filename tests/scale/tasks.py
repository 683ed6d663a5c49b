"""Tasks run by real `db_worker` processes in the scale tests and in bench/scale.py.

Each run inserts its task number into RUNS, whose primary key turns a second run of the
same task into an IntegrityError (the task then ends FAILED), so a double run cannot hide.
"""

import hashlib
import os
import time
from pathlib import Path

from django.db import connection
from django.tasks import task

RUNS = "scale_task_run"  # one row per finished run; n is the primary key
STARTS = "scale_task_start"  # one row per start, reruns included


def create_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {RUNS} (n integer PRIMARY KEY, pid integer NOT NULL)")
        cursor.execute(f"CREATE TABLE {STARTS} (n integer NOT NULL, pid integer NOT NULL)")


def drop_tables() -> None:
    with connection.cursor() as cursor:
        for table in (RUNS, STARTS):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def count(table: str, n: int | None = None) -> int:
    with connection.cursor() as cursor:
        if n is None:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (our constant)
        else:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE n = %s", [n])  # noqa: S608
        return cursor.fetchone()[0]


def run_pids() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT pid FROM {RUNS}")  # noqa: S608
        return {pid for (pid,) in cursor.fetchall()}


def _insert(table: str, n: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (n, pid) VALUES (%s, %s)",  # noqa: S608
                       [n, os.getpid()])


@task
def record(n: int, work: int = 0, pause: float = 0.0, hold: str = "") -> int:
    """Hash `work` times (CPU), pause (as if waiting on I/O), then record the run (DB).

    With `hold`, first record the start, then wait while that file exists (up to 60 s):
    a test can line workers up, or kill one in the middle of the task."""
    if hold:
        _insert(STARTS, n)
        deadline = time.monotonic() + 60
        while Path(hold).exists() and time.monotonic() < deadline:
            time.sleep(0.01)
    digest = str(n).encode()
    for _ in range(work):
        digest = hashlib.sha256(digest).digest()
    if pause:
        time.sleep(pause)
    _insert(RUNS, n)
    return os.getpid()
