"""``FakeReplicate``: a real HTTP server speaking the part of Replicate's API we use.

    with FakeReplicate(token="t", image_megapixels=0.01) as fake:
        config = ReplicateConfig(api_token="t", base_url=fake.base_url, ...)
        ...                      # talk to it over HTTP
        fake.advance()           # move every unfinished job one phase on
        fake.complete(job_id)    # or run one to its end
        fake.faults.throttle("predictions.create", times=3)
        fake.webhook_faults.duplicates = 2

Time is manual by default (deterministic tests); ``auto_advance=True`` moves jobs on by
themselves, ``speed`` times faster than the nominal durations in ``FakeConfig``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import socket
import threading
from http.server import ThreadingHTTPServer
from typing import Any

from tests.fake_replicate import lifecycle, schemas
from tests.fake_replicate.routes import Handler, HttpFaults, RecordedRequest
from tests.fake_replicate.state import (
    FAST_TRAINER,
    FAST_TRAINER_VERSION_ID,
    FakeConfig,
    Model,
    Version,
)
from tests.fake_replicate.webhooks import Delivery, Dispatcher, WebhookFaults
from tests.fake_replicate.world import World


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a hung handler must not block stop()


class FakeReplicate:
    def __init__(
        self,
        token: str = "test-token",  # noqa: S107 -- the fake's own token
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        config: FakeConfig | None = None,
        **overrides: Any,
    ) -> None:
        self.config = dataclasses.replace(config or FakeConfig(), token=token, **overrides)
        self.host, self.port = host, port
        self.faults = HttpFaults()
        self.requests: list[RecordedRequest] = []
        self._connections: set[socket.socket] = set()
        self._release = threading.Event()
        self._stop = threading.Event()
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> FakeReplicate:
        handler = type("BoundHandler", (Handler,), {"fake": self})
        self._server = _Server((self.host, self.port), handler)
        self.port = self._server.server_address[1]
        self.dispatcher = Dispatcher(
            self.config.webhook_secret,
            self.config.webhook_retry_delays,
            self.config.webhook_timeout,
        )
        self.world = World(self.config, self.origin, self._notify)
        serve = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._threads = [serve]
        if self.config.auto_advance:
            self._threads.append(threading.Thread(target=self._tick, daemon=True))
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._release.set()  # wake any hung handler
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for conn in list(self._connections):
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.dispatcher.stop()
        for thread in self._threads:
            thread.join(timeout=2)

    def __enter__(self) -> FakeReplicate:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _tick(self) -> None:
        while not self._stop.wait(0.02):
            self.world.tick()

    def _notify(
        self, job: Any, event: str, body: dict[str, Any], stale: dict[str, Any] | None
    ) -> None:
        self.dispatcher.send(job.id, event, job.webhook, body, stale)

    # --- addresses and secrets -----------------------------------------------------------

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What REPLICATE_API_BASE_URL should be set to."""
        return f"{self.origin}/v1"

    @property
    def trainer_version(self) -> str:
        """What REPLICATE_TRAINER_VERSION should be set to."""
        return f"{self.config.trainer}:{self.config.trainer_version}"

    @property
    def fast_trainer_version(self) -> str:
        """REPLICATE_TRAINER_VERSION for replicate/fast-flux-trainer."""
        return f"{FAST_TRAINER}:{FAST_TRAINER_VERSION_ID}"

    @property
    def webhook_secret(self) -> str:
        return self.config.webhook_secret

    @property
    def webhook_faults(self) -> WebhookFaults:
        return self.dispatcher.faults

    @property
    def deliveries(self) -> list[Delivery]:
        return self.dispatcher.deliveries

    # --- driving jobs ----------------------------------------------------------------------

    def advance(self, job_id: str | None = None) -> int:
        """Run the next phase of one job, or of every unfinished job; returns how many moved."""
        with self.world.lock:
            jobs = [self.world.jobs[job_id]] if job_id else list(self.world.jobs.values())
            moving = [job for job in jobs if not job.terminal]
            for job in moving:
                lifecycle.step(self.world, job)
            return len(moving)

    def complete(self, job_id: str) -> dict[str, Any]:
        """Run a job through all its phases (it may still end failed, e.g. a bad zip)."""
        with self.world.lock:
            job = self.world.jobs[job_id]
            while not job.terminal:
                lifecycle.step(self.world, job)
            return job.json(self.world.api)

    def hold(self, job_id: str, *, after: int = 0) -> dict[str, Any]:
        """Auto mode: run one job through its first `after` phases, then keep it there until
        release(), e.g. to look at a page while a training is mid-way."""
        with self.world.lock:
            job = self.world.jobs[job_id]
            while not job.terminal and job.phase < after:
                lifecycle.step(self.world, job)
            job.next_at = None
            return job.json(self.world.api)

    def release(self, job_id: str) -> None:
        """Let a held job go on by itself from now."""
        with self.world.lock:
            job = self.world.jobs[job_id]
            if not job.terminal:
                job.next_at = self.world.clock.now()

    def fail(self, job_id: str, error: str = "Prediction failed for an unknown reason") -> dict:
        with self.world.lock:
            job = self.world.jobs[job_id]
            lifecycle.finish(self.world, job, "failed", error=error)
            return job.json(self.world.api)

    def cancel(self, job_id: str) -> dict[str, Any]:
        with self.world.lock:
            job = self.world.jobs[job_id]
            lifecycle.finish(self.world, job, "canceled")
            return job.json(self.world.api)

    def travel(self, seconds: float) -> None:
        """Move the fake's clock forward (outputs and files expire; auto jobs catch up)."""
        with self.world.lock:
            self.world.clock.offset += seconds
            for job in self.world.jobs.values():
                lifecycle.expire(self.world, job)
            self.world._purge()

    def nsfw_next(self, drop: int, times: int = 1) -> None:
        """The next ``times`` predictions lose ``drop`` images to the safety checker
        (``state.NSFW_ALL`` or any drop >= num_outputs: all, and the prediction fails)."""
        with self.world.lock:
            self.world.nsfw_queue.extend([drop] * times)

    def set_nsfw(self, prediction_id: str, drop: int) -> None:
        with self.world.lock:
            self.world.jobs[prediction_id].nsfw_drop = drop

    # --- arranging the world -------------------------------------------------------------

    def add_model(
        self, name: str, *, owner: str | None = None, visibility: str = "private",
        hardware: str = "gpu-t4",
    ) -> None:
        owner = owner or self.config.username
        with self.world.lock:
            now = self.world.clock.now()
            self.world.models[(owner, name)] = Model(owner, name, visibility, hardware, now)

    def add_version(self, owner: str, name: str, *, schema: str = "cog-flux") -> str:
        """Give a model a trained version without training it; returns the version id."""
        with self.world.lock:
            vid = hashlib.sha256(os.urandom(16)).hexdigest()
            version = Version(vid, self.world.clock.now(), schemas.SCHEMAS[schema]())
            self.world.models[(owner, name)].versions[version.id] = version
            return version.id

    # --- looking ---------------------------------------------------------------------------

    def job(self, job_id: str) -> dict[str, Any]:
        with self.world.lock:
            job = self.world.jobs[job_id]
            lifecycle.expire(self.world, job)
            return job.json(self.world.api)

    def jobs(self, kind: str | None = None) -> list[dict[str, Any]]:
        with self.world.lock:
            jobs = self.world.jobs.values()
            return [j.json(self.world.api) for j in jobs if kind in (None, j.kind)]

    def calls(self, op: str | None = None) -> list[RecordedRequest]:
        """Recorded requests, optionally of one operation ("trainings.create", …)."""
        return [r for r in list(self.requests) if op is None or r.op == op]

    def wait_for_webhooks(self, timeout: float = 5.0) -> bool:
        return self.dispatcher.wait_idle(timeout)
