"""Real `manage.py db_worker` processes on the database the caller is connected to."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent
# Start-up settings a developer may have exported that must not leak into the workers.
UNSET = ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "REDIS_URL", "PRODUCTION", "DEBUG")


def database_url() -> str:
    """DATABASE_URL of the database this process is connected to (the test database)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor != "postgresql":
        raise NotImplementedError(connection.vendor)
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Worker:
    worker_id: str
    proc: subprocess.Popen
    log: Path

    def wait_ready(self, timeout: float = 30) -> None:
        """Until the worker polls the queue (its first log line says so)."""
        deadline = time.monotonic() + timeout
        while "Starting worker" not in self.output():
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker {self.worker_id} exited:\n{self.output()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"worker {self.worker_id} never started:\n{self.output()}")
            time.sleep(0.02)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no handler runs, exactly like the OOM killer or a lost machine."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, timeout: float = 15) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def start_worker(worker_id: str, log_dir: Path, *, batch: bool = False,
                 env: dict[str, str] | None = None) -> Worker:
    """A `db_worker` on this process's database; `batch` exits once the queue is empty."""
    log_dir.mkdir(parents=True, exist_ok=True)
    full_env = {k: v for k, v in os.environ.items() if k not in UNSET}
    full_env.update({"DATABASE_URL": database_url(), "VAR_DIR": str(log_dir / "var"),
                     "LOG_LEVEL": "INFO", **(env or {})})
    command = [sys.executable, "manage.py", "db_worker", "--interval", "0.05",
               "--no-startup-delay", "--no-reload", "--worker-id", worker_id]
    if batch:
        command.append("--batch")
    log = log_dir / f"{worker_id}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return Worker(worker_id, proc, log)
