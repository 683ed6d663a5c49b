"""`make run`'s supervisor, run for real: web server and task worker up, Ctrl-C stops both."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                return response.status
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} never answered")


def test_studio_serves_and_stops_cleanly_on_ctrl_c(tmp_path):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "VAR_DIR": str(tmp_path / "var"), "WEB_WORKERS": "1"}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "sselfie.run"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")),
                              daemon=True)
    reader.start()
    try:
        assert wait_for(f"http://127.0.0.1:{port}/") == 200
        assert wait_for(f"http://127.0.0.1:{port}/accounts/signup/") == 200
        deadline = time.monotonic() + 60
        while not any("Starting worker" in line for line in lines):
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=40)
        reader.join(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
    output = "".join(lines)
    assert proc.returncode == 0, output
    assert f"http://127.0.0.1:{port}/" in output
    assert "Starting worker" in output  # the task worker ran beside the web server
    assert "Traceback" not in output  # neither the worker nor the reconcile loop crashed
    assert "Stopped." in output
    assert (tmp_path / "var" / "db.sqlite3").exists()
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0
