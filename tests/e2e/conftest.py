"""The studio as users get it (`python -m sselfie.run`: gunicorn, task worker, reconcile
loop), a fake Replicate in polling mode, and Debian's Chromium driven by Playwright."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.photos import big_heic, distinct_selfies

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "e2e"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic"]
HOW_TO_ENABLE = ("End-to-end tests need Debian's Chromium: `sudo apt-get install chromium` "
                 "(CI installs it itself).")


def chromium_path() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("CI must run the end-to-end tests, but Chromium is missing. " + HOW_TO_ENABLE)
    pytest.skip(HOW_TO_ENABLE)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the studio exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback)
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} never answered")


@pytest.fixture(scope="session")
def fake_provider() -> Iterator[object]:
    from tests.fake_replicate import FakeReplicate

    faces = (distinct_selfies(12)[10], distinct_selfies(12)[11])
    # Training outlasts the instant preview (as at Replicate: minutes against seconds), so
    # the journey sees the preview while the model is still training.
    with FakeReplicate(token="e2e-token", auto_advance=True, speed=1.0, starting_seconds=0.5,
                       training_seconds=10.0, prediction_seconds=2.0, official_seconds=1.0,
                       image_megapixels=0.25, output_sources=faces) as server:
        yield server


@pytest.fixture(scope="session")
def fake_payments() -> Iterator[object]:
    """The Stripe stand-in, selling one plan; it delivers webhooks to the studio over HTTP."""
    from tests.fake_stripe import FakeStripe

    with FakeStripe() as server:
        server.add_price("price_e2e_pro", 2900, nickname="Pro")
        yield server


@pytest.fixture(scope="session")
def studio_env(fake_provider, fake_payments, tmp_path_factory) -> dict[str, str]:
    """The studio's environment, also for `manage.py` commands that arrange its data."""
    var = tmp_path_factory.mktemp("studio-var")
    env = {**os.environ, "VAR_DIR": str(var), "PORT": str(_free_port()), "WEB_WORKERS": "2",
           "REPLICATE_API_TOKEN": "e2e-token", "REPLICATE_API_BASE_URL": fake_provider.base_url,
           "REPLICATE_TRAINER_VERSION": fake_provider.trainer_version, "PUBLIC_URL": "",
           "RECONCILE_QUIET_SECONDS": "1", "RECONCILE_INTERVAL_SECONDS": "1",
           "EMAIL_VERIFICATION": "optional", "LOG_LEVEL": "WARNING",
           "STRIPE_API_BASE": fake_payments.base_url,
           "STRIPE_SECRET_KEY": fake_payments.secret_key,
           "STRIPE_WEBHOOK_SECRET": fake_payments.webhook_secret}
    env.pop("DATABASE_URL", None)  # its own SQLite: the suite's test database is not for it
    return env


@pytest.fixture(scope="session")
def studio(studio_env, fake_payments) -> Iterator[str]:
    """A running studio on a free port, with its own var/ folder, polling the fake."""
    chromium_path()
    var = Path(studio_env["VAR_DIR"])
    log = open(var / "studio.log", "w")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen([sys.executable, "-m", "sselfie.run"], cwd=ROOT, env=studio_env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{studio_env['PORT']}"
    try:
        _wait_up(f"{url}/health/", proc)
        fake_payments.add_endpoint(f"{url}/webhooks/stripe/")
        yield url
    finally:
        proc.send_signal(2)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def studio_shell(env: dict[str, str], code: str) -> str:
    """Run Python in the studio's own Django (its database), e.g. to arrange data."""
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="session")
def photos(tmp_path_factory) -> list[Path]:
    """Twelve photos of one person (one HEIC) and one file that is not a photo."""
    folder = tmp_path_factory.mktemp("photos")
    paths = []
    for i, data in enumerate(distinct_selfies(12)[:11]):
        path = folder / f"selfie-{i:02d}.jpg"
        path.write_bytes(data)
        paths.append(path)
    heic = folder / "IMG_0042.HEIC"
    heic.write_bytes(big_heic())
    bad = folder / "notes.jpg"
    bad.write_bytes(b"These are my notes, not a photo.\n" * 40)
    return [*paths, heic, bad]


@pytest.fixture(scope="session")
def playwright_browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
