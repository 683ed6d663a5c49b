"""The fake's HTTP side: routes, authentication, fault injection, request recording."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs, urlsplit

from tests.fake_replicate import media
from tests.fake_replicate.state import HARDWARE, ApiError

if TYPE_CHECKING:
    from tests.fake_replicate.server import FakeReplicate


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: str
    op: str | None  # Replicate's operation name, e.g. "trainings.create"
    headers: dict[str, str]
    body: bytes
    json: Any
    status: int | None  # None when the fake hung up without answering
    at: float = field(default_factory=time.monotonic)  # when it arrived


@dataclass
class _Fault:
    kind: Literal["status", "hang", "disconnect"]
    status: int = 0
    retry_after: float | None = None
    seconds: float = 0.0
    process: bool = True


class HttpFaults:
    """Per-operation scripted failures, consumed one per matching request.

    Operations are named as in Replicate's API reference: "predictions.create",
    "trainings.get", "files.create", "models.versions.delete", … (see ``ROUTES``).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, list[_Fault]] = {}

    def throttle(self, op: str, times: int = 1, *, retry_after: float = 1) -> None:
        """Answer 429 with Retry-After, as Replicate's rate limiter does."""
        self._add(op, times, _Fault("status", 429, retry_after=retry_after))

    def fail(self, op: str, times: int = 1, *, status: int = 500) -> None:
        """Answer a 5xx (or any status) without doing anything."""
        self._add(op, times, _Fault("status", status))

    def hang(self, op: str, times: int = 1, *, seconds: float = 5.0, process: bool = True) -> None:
        """Hold the response ``seconds`` (past the client's timeout). With ``process`` the
        request takes effect first: the ambiguous failure a create can meet."""
        self._add(op, times, _Fault("hang", seconds=seconds, process=process))

    def disconnect(self, op: str, times: int = 1, *, process: bool = True) -> None:
        """Close the connection without an answer (after acting, with ``process``)."""
        self._add(op, times, _Fault("disconnect", process=process))

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()

    def take(self, op: str) -> _Fault | None:
        with self._lock:
            queue = self._queues.get(op)
            return queue.pop(0) if queue else None

    def _add(self, op: str, times: int, fault: _Fault) -> None:
        if op not in {name for _, _, name, _ in ROUTES}:
            raise ValueError(f"Unknown operation {op!r}; see routes.ROUTES for the names.")
        with self._lock:
            self._queues.setdefault(op, []).extend([fault] * times)


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def ok(payload: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(payload).encode())


@dataclass
class Request:
    body: bytes
    headers: dict[str, str]
    query: dict[str, list[str]]

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            raise ApiError(400, "The request body is not valid JSON.") from None

    @property
    def cursor(self) -> str | None:
        return self.query.get("cursor", [None])[0]


type Route = Callable[["FakeReplicate", re.Match[str], Request], Response]
ROUTES: list[tuple[str, re.Pattern[str], str, Route]] = []
_SEG = r"([^/]+)"


def route(method: str, pattern: str, op: str) -> Callable[[Route], Route]:
    def register(handler: Route) -> Route:
        ROUTES.append((method, re.compile(f"^{pattern.replace('{}', _SEG)}$"), op, handler))
        return handler

    return register


@route("GET", "/v1/account", "account.get")
def _account(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    return ok(fake.world.account())


@route("GET", "/v1/hardware", "hardware.list")
def _hardware(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    return ok(HARDWARE)


@route("GET", "/v1/webhooks/default/secret", "webhooks.default.secret.get")
def _secret(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    return ok({"key": fake.config.webhook_secret})


@route("POST", "/v1/models", "models.create")
def _create_model(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    body = r.json()
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return ok(fake.world.create_model(body), 201)


@route("GET", "/v1/models/{}/{}", "models.get")
def _get_model(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    return ok(fake.world.model(m[1], m[2]).json())


@route("DELETE", "/v1/models/{}/{}", "models.delete")
def _delete_model(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    fake.world.delete_model(m[1], m[2])
    return Response(204)


@route("GET", "/v1/models/{}/{}/versions", "models.versions.list")
def _list_versions(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    world = fake.world
    with world.lock:
        model = world.model(m[1], m[2])
        versions = [v.json() for v in model.versions.values() if v.deleted_at is None]
    return ok({"previous": None, "next": None, "results": versions[::-1]})


@route("GET", "/v1/models/{}/{}/versions/{}", "models.versions.get")
def _get_version(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    return ok(fake.world.version(m[1], m[2], m[3]).json())


@route("DELETE", "/v1/models/{}/{}/versions/{}", "models.versions.delete")
def _delete_version(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    fake.world.delete_version(m[1], m[2], m[3])
    return Response(202)  # accepted: the deletion is asynchronous at Replicate


@route("POST", "/v1/models/{}/{}/versions/{}/trainings", "trainings.create")
def _create_training(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    return ok(fake.world.create_training(m[1], m[2], m[3], r.json()), 201)


@route("GET", "/v1/trainings", "trainings.list")
def _list_trainings(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    return ok(fake.world.list_jobs("training", r.cursor))


@route("GET", "/v1/trainings/{}", "trainings.get")
def _get_training(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    return ok(fake.world.job_json("training", m[1]))


@route("POST", "/v1/trainings/{}/cancel", "trainings.cancel")
def _cancel_training(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    return ok(fake.world.cancel("training", m[1]))


@route("POST", "/v1/predictions", "predictions.create")
def _create_prediction(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    return ok(fake.world.create_prediction(r.json()), 201)


@route("POST", "/v1/models/{}/{}/predictions", "models.predictions.create")
def _create_model_prediction(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    return ok(fake.world.create_model_prediction(m[1], m[2], r.json()), 201)


@route("GET", "/v1/predictions", "predictions.list")
def _list_predictions(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    return ok(fake.world.list_jobs("prediction", r.cursor))


@route("GET", "/v1/predictions/{}", "predictions.get")
def _get_prediction(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    return ok(fake.world.job_json("prediction", m[1]))


@route("POST", "/v1/predictions/{}/cancel", "predictions.cancel")
def _cancel_prediction(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    return ok(fake.world.cancel("prediction", m[1]))


@route("POST", "/v1/files", "files.create")
def _create_file(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    kind = r.headers.get("content-type", "")
    if not kind.startswith("multipart/form-data"):
        raise ApiError(400, "Upload files as multipart/form-data.")
    try:
        parts = media.parse_multipart(r.body, kind)
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None
    return ok(fake.world.create_file(parts), 201)


@route("GET", "/v1/files", "files.list")
def _list_files(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    return ok(fake.world.list_files(r.cursor))


@route("GET", "/v1/files/{}", "files.get")
def _get_file(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    world = fake.world
    return ok(world.file(m[1]).json(world.api))


@route("DELETE", "/v1/files/{}", "files.delete")
def _delete_file(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    fake.world.delete_file(m[1])
    return Response(204)


@route("GET", "/v1/files/{}/download", "files.download")
def _download_file(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    # Replicate signs download URLs (owner, expiry, signature); the fake takes the token.
    stored = fake.world.file(m[1])
    return Response(200, stored.data, stored.content_type)


@route("GET", "/delivery/{}/{}", "delivery")
def _delivery(fake: FakeReplicate, m: re.Match[str], r: Request) -> Response:
    blob = fake.world.blob(f"/delivery/{m[1]}/{m[2]}")
    return Response(200, blob.data, blob.content_type)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    fake: FakeReplicate  # set on a subclass per server

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: tests read fake.requests instead

    def setup(self) -> None:
        super().setup()
        self.fake._connections.add(self.connection)

    def finish(self) -> None:
        self.fake._connections.discard(self.connection)
        super().finish()

    def do_GET(self) -> None:  # http.server's naming
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        request = Request(body, headers, parse_qs(parts.query))
        op, handler, match = None, None, None
        for verb, pattern, name, func in ROUTES:
            if verb == method and (found := pattern.match(parts.path)):
                op, handler, match = name, func, found
                break
        response, fault = self._respond(op, handler, match, request)
        delayed = fault is not None and fault.kind in ("hang", "disconnect")
        is_json = "json" in headers.get("content-type", "")
        try:
            parsed = json.loads(body) if body and is_json else None
        except ValueError:
            parsed = None
        # Recorded before any hang: status None means "no answer in time".
        self.fake.requests.append(RecordedRequest(
            method, parts.path, parts.query, op, headers, body, parsed,
            None if delayed else response.status,
        ))
        status: int | None = response.status
        if fault is not None and fault.kind == "hang":
            self.fake._release.wait(fault.seconds)
        if (fault is not None and fault.kind == "disconnect") or self.fake._release.is_set():
            status = None
        if status is None:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._send(response)

    def _respond(
        self, op: str | None, handler: Route | None, match: re.Match[str] | None, request: Request
    ) -> tuple[Response, _Fault | None]:
        fault = None
        try:
            if handler is None:
                raise ApiError(404, "Not found")
            if op != "delivery":
                auth = request.headers.get("authorization", "")
                scheme, _, token = auth.partition(" ")
                if scheme not in ("Bearer", "Token") or token != self.fake.config.token:
                    raise ApiError(401, "You did not pass a valid authentication token")
            fault = self.fake.faults.take(op) if op else None
            if fault is not None and fault.kind == "status":
                return _status_fault(fault), fault
            if fault is not None and not fault.process:
                # Never reached the backend: a gateway gives up, nothing happened.
                return _status_fault(_Fault("status", 504)), fault
            return handler(self.fake, match, request), fault  # type: ignore[arg-type]
        except ApiError as exc:
            return Response(exc.status, json.dumps(exc.problem()).encode(),
                            "application/problem+json"), fault

    def _send(self, response: Response) -> None:
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for key, value in response.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(response.body)
        except OSError:
            self.close_connection = True  # the client gave up (timed out) meanwhile


def _status_fault(fault: _Fault) -> Response:
    if fault.status == 429:
        seconds = fault.retry_after if fault.retry_after is not None else 1
        text = f"{seconds:g}"
        detail = f"Request was throttled. Your rate limit resets in ~{text}s."
        return Response(429, json.dumps({"detail": detail}).encode(), headers={"Retry-After": text})
    problem = {"title": "Server error", "status": fault.status, "detail": "Internal server error"}
    return Response(fault.status, json.dumps(problem).encode(), "application/problem+json")
