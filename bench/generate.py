"""Benchmark "Create My Images" end to end against the fake Replicate.

    .venv/bin/python bench/generate.py [--count 200] [--latency 10] [--rounds 10]

Runs the real studio (`python -m sselfie.run`: gunicorn, one task worker, the reconcile
loop) on a temporary SQLite database and media folder, with Replicate replaced by the fake
server in this process. Prints three ratios, each against a baseline measured in the
same run:

  (a) POST /studio/generate/ until the prediction reaches the fake,
      over a bare Django round trip (GET /health/);
  (b) the "completed" webhook until 4 PNG outputs of 1 MP are stored, thumbnailed, scored
      and visible, over downloading the same 4 files;
  (c) --count generations in flight with --latency seconds of provider time each, on one
      worker process: total time over the latency (target <= 1.2).
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.01)
    raise SystemExit(f"Timed out waiting for {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="generations in flight for (c)")
    parser.add_argument("--latency", type=float, default=10.0, help="provider seconds for (c)")
    parser.add_argument("--rounds", type=int, default=10, help="repetitions for (a) and (b)")
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="sselfie-bench-"))
    port = free_port()
    studio = f"http://127.0.0.1:{port}"

    from tests.fake_replicate import FakeReplicate

    fake = FakeReplicate(token="bench-token", image_megapixels=1.0).start()
    env = {
        **os.environ, "VAR_DIR": str(var), "PORT": str(port), "WEB_WORKERS": "2",
        "REPLICATE_API_TOKEN": "bench-token", "REPLICATE_API_BASE_URL": fake.base_url,
        "REPLICATE_TRAINER_VERSION": fake.trainer_version, "PUBLIC_URL": studio,
        "RECONCILE_QUIET_SECONDS": "5", "RECONCILE_INTERVAL_SECONDS": "1", "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    os.environ.update({k: v for k, v in env.items() if k != "PORT"})
    proc = subprocess.Popen([sys.executable, "-m", "sselfie.run"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: _up(studio), 120, "the studio")
        user, model = _arrange(fake)
        http = _session(studio, user)
        a = bench_request_to_provider(http, studio, fake, model, args.rounds)
        b = bench_webhook_to_visible(http, studio, fake, model, args.rounds)
        c = bench_in_flight(fake, user, model, args.count, args.latency)
    finally:
        proc.send_signal(2)
        proc.wait(timeout=30)
        fake.stop()
    print(f"(a) request -> prediction at provider: {a[0] * 1000:.1f} ms / bare round trip "
          f"{a[1] * 1000:.1f} ms = ratio {a[0] / a[1]:.1f}")
    print(f"(b) completed webhook -> 4 x 1 MP stored and visible: {b[0] * 1000:.0f} ms / raw "
          f"download {b[1] * 1000:.0f} ms = ratio {b[0] / b[1]:.1f}")
    print(f"(c) {args.count} generations with {args.latency:.0f} s provider latency on one "
          f"worker: {c:.1f} s = ratio {c / args.latency:.2f} (target <= 1.2)")


def _up(studio: str) -> bool:
    try:
        return httpx.get(f"{studio}/health/", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _arrange(fake):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sselfie.settings")
    django.setup()
    from conftest import make_user
    from sselfie.accounts.models import Plan
    from sselfie.training.models import PersonalModel

    Plan.objects.update(images_per_day=100_000)
    user = make_user(f"bench-{time.time_ns()}@example.com")
    name = f"user-{user.public_id}-selfie-lora"
    fake.add_model(name)
    version = fake.add_version("sselfie", name)
    model = PersonalModel.objects.create(
        owner=user, replicate_owner="sselfie", replicate_name=name,
        trigger_word=f"user_{user.public_id}_trigger", version=f"sselfie/{name}:{version}",
    )
    return user, model


def _session(studio: str, user) -> httpx.Client:
    from django.test import Client

    client = Client()
    client.force_login(user)
    http = httpx.Client(base_url=studio, timeout=30)
    http.cookies.set("sessionid", client.cookies["sessionid"].value)
    page = http.get("/studio/").text
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    http.headers["X-CSRFToken"] = token
    return http


def _post_generate(http: httpx.Client, model) -> None:
    response = http.post("/studio/generate/", data={
        "model": str(model.pk), "category": "portrait", "subcategory": "headshot",
        "aspect_ratio": "1:1"}, follow_redirects=False)
    assert response.status_code == 302, response.status_code


def bench_request_to_provider(http, studio, fake, model, rounds) -> tuple[float, float]:
    bare = []
    for _ in range(50):
        t0 = time.perf_counter()
        http.get("/health/")
        bare.append(time.perf_counter() - t0)
    timings = []
    for _ in range(rounds):
        before = len(fake.calls("predictions.create"))
        t0 = time.perf_counter()
        _post_generate(http, model)
        wait_until(lambda b=before: len(fake.calls("predictions.create")) > b, 30, "a prediction")
        timings.append(time.perf_counter() - t0)
    return statistics.median(timings), statistics.median(bare)


def bench_webhook_to_visible(http, studio, fake, model, rounds) -> tuple[float, float]:
    from sselfie.studio.models import Generation

    timings, downloads = [], []
    for _ in range(rounds):
        before = len(fake.calls("predictions.create"))
        _post_generate(http, model)
        wait_until(lambda b=before: len(fake.calls("predictions.create")) > b, 30, "a prediction")
        gen = Generation.objects.filter(owner=model.owner).order_by("-created_at").first()
        wait_until(lambda g=gen: Generation.objects.get(pk=g.pk).provider_id, 30, "provider id")
        gen.refresh_from_db()
        t0 = time.perf_counter()
        done = fake.complete(gen.provider_id)  # sends the signed "completed" webhook
        wait_until(lambda g=gen: _visible(http, g.pk), 120, "4 stored photos")
        timings.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for url in done["output"]:
            httpx.get(url, timeout=30).raise_for_status()
        downloads.append(time.perf_counter() - t0)
    return statistics.median(timings), statistics.median(downloads)


def _visible(http: httpx.Client, generation_id) -> bool:
    page = http.get(f"/studio/generations/{generation_id}/")
    return page.status_code == 286 and page.text.count("Save to Gallery") == 4


def bench_in_flight(fake, user, model, count: int, latency: float) -> float:
    from sselfie.studio import generation
    from sselfie.studio.models import Generation, GenState

    fake.config = type(fake.config)(**{**fake.config.__dict__, "image_megapixels": 0.05})
    fake.world.config = fake.config
    stop = threading.Event()

    def provider() -> None:
        # Each prediction finishes `latency` seconds after it was created, as at Replicate.
        seen: dict[str, float] = {}
        while not stop.is_set():
            now = time.monotonic()
            with fake.world.lock:
                running = [j.id for j in fake.world.jobs.values()
                           if j.kind == "prediction" and not j.terminal]
            for job_id in running:
                seen.setdefault(job_id, now)
                if now - seen[job_id] >= latency:
                    fake.complete(job_id)
            time.sleep(0.05)

    driver = threading.Thread(target=provider, daemon=True)
    driver.start()
    Generation.objects.update(state=GenState.SUCCEEDED)  # earlier rounds are not counted
    t0 = time.monotonic()
    for _ in range(count):
        generation.create(user, model, category="luxury", subcategory="yacht",
                          aspect_ratio="16:9")
    active = Generation.objects.exclude(state__in=(GenState.SUCCEEDED, GenState.FAILED))
    wait_until(lambda: not active.exists(), 30 * latency + 300, "all generations")
    total = time.monotonic() - t0
    stop.set()
    failed = Generation.objects.filter(state=GenState.FAILED, owner=user).count()
    if failed:
        print(f"warning: {failed} generations failed", file=sys.stderr)
    return total


if __name__ == "__main__":
    main()
