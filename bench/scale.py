"""Benchmark the task queue on PostgreSQL: tasks per second with 1 and with 2 db_worker processes.

    .venv/bin/python bench/scale.py [--tasks 400] [--work 5000] [--rounds 2]
                                    [--server postgres://postgres@127.0.0.1:5432]

Creates its own database (sselfie_bench_scale) on --server and drops it afterwards. Each
task does a small fixed amount of work: --work rounds of SHA-256 (CPU, about 2 ms at 5000)
and one INSERT, besides the worker's own claim and result UPDATEs. The workers are real
`manage.py db_worker` processes, started and polling before the tasks are enqueued, so
start-up is not timed: the clock runs from the commit that enqueues --tasks tasks until
the last one is finished. Every round also checks that each task ran exactly once.
Prints both rates (best of --rounds) and the 2/1 ratio.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "sselfie_bench_scale"


def admin(server: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def setup_django(server: str, var: Path) -> None:
    os.environ.update({"DATABASE_URL": f"{server}/{DB_NAME}", "VAR_DIR": str(var),
                       "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "sselfie.settings"})
    for name in ("REDIS_URL", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "django_tasks_database", verbosity=0)


def one_round(workers: int, count: int, work: int, logs: Path) -> float:
    """Tasks per second with `workers` db_worker processes."""
    from django.db import connection, transaction
    from django_tasks_db.models import DBTaskResult

    from tests.scale import tasks
    from tests.scale.workers import start_worker

    DBTaskResult.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {tasks.RUNS}")  # noqa: S608
    procs = [start_worker(f"bench-{workers}-{i}", logs) for i in range(workers)]
    try:
        for proc in procs:
            proc.wait_ready()
        with transaction.atomic():
            for n in range(count):
                tasks.record.enqueue(n, work=work)
        started = time.perf_counter()
        while DBTaskResult.objects.finished().count() < count:
            time.sleep(0.005)
        elapsed = time.perf_counter() - started
    finally:
        for proc in procs:
            proc.stop()
    successful = DBTaskResult.objects.successful().count()
    ran = tasks.count(tasks.RUNS)
    if successful != count or ran != count:
        raise SystemExit(f"{workers} worker(s): {successful} successful, {ran} runs recorded, "
                         f"expected {count} of each")
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=400)
    parser.add_argument("--work", type=int, default=5000, help="SHA-256 rounds per task")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()

    admin(args.server, f"DROP DATABASE IF EXISTS {DB_NAME}")
    admin(args.server, f"CREATE DATABASE {DB_NAME}")
    try:
        with tempfile.TemporaryDirectory(prefix="sselfie-bench-scale-") as tmp:
            setup_django(args.server, Path(tmp))
            from django.db import connection

            from tests.scale import tasks

            tasks.create_tables()
            rates = {n: max(one_round(n, args.tasks, args.work, Path(tmp))
                            for _ in range(args.rounds)) for n in (1, 2)}
            connection.close()
    finally:
        admin(args.server, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")

    print(f"{args.tasks} tasks of {args.work} SHA-256 rounds + 1 INSERT each, "
          f"best of {args.rounds} rounds, {os.cpu_count()} CPUs")
    for n, rate in rates.items():
        print(f"  {n} db_worker process{'es' if n > 1 else '':<2} {rate:8.1f} tasks/s")
    print(f"ratio (2 workers / 1 worker): {rates[2] / rates[1]:.2f}")


if __name__ == "__main__":
    main()
