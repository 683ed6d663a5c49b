"""`make run`: prepare the database and static files, then run the web server, the task
worker and the reconcile loop (which polls Replicate for anything a webhook missed) side
by side until Ctrl-C, which stops them all cleanly.

    python -m sselfie.run [--help]

Environment: PORT (default 8000), HOST (default 127.0.0.1), WEB_WORKERS (default 2),
plus every studio setting documented in README.md.
"""

import os
import signal
import subprocess
import sys
import time
from types import FrameType

MANAGE = [sys.executable, "manage.py"]


def _prepare() -> None:
    for args in (["migrate", "--noinput"], ["createcachetable"],
                 ["collectstatic", "--noinput", "--verbosity", "0"], ["check"]):
        subprocess.run([*MANAGE, *args], check=True)


def _commands(host: str, port: str) -> dict[str, list[str]]:
    web = [
        sys.executable, "-m", "gunicorn", "sselfie.wsgi",
        "--bind", f"{host}:{port}",
        "--worker-class", "gthread",
        "--workers", os.environ.get("WEB_WORKERS", "2"),
        "--threads", "4",
        "--timeout", "60",
        "--graceful-timeout", "10",
        "--access-logfile", "-",
        "--no-control-socket",
    ]
    worker = [*MANAGE, "db_worker", "--interval", "0.1"]
    reconcile = [*MANAGE, "reconcile", "--loop"]
    return {"web": web, "worker": worker, "reconcile": reconcile}


def main() -> int:
    if any(arg in ("-h", "--help") for arg in sys.argv[1:]):
        print(__doc__)
        return 0
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    _prepare()

    commands = _commands(host, port)
    # Children get their own session so a terminal's Ctrl-C reaches only us; we then stop
    # them in order instead of every process racing to shut down on its own.
    procs = {name: subprocess.Popen(cmd, start_new_session=True) for name, cmd in commands.items()}
    print(f"\n  SSELFIE Studio is running at http://{host}:{port}/  (Ctrl-C to stop)\n", flush=True)

    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"The {name} process exited with code {proc.returncode}; stopping.",
                      file=sys.stderr)
                exit_code = proc.returncode or 1
                stopping = True
                break
        time.sleep(0.2)

    print("\nStopping the studio…", flush=True)
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for proc in procs.values():
        try:
            proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    print("Stopped.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
