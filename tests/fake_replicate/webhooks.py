"""Webhook delivery as Replicate does it: Standard Webhooks signatures, terminal retries.

Deliveries run on one worker thread, in order. Only ``completed`` is retried (on non-2xx
or a connection failure), with the same ``webhook-id`` and a fresh timestamp and
signature. Redirects are not followed. Fault knobs make the receiver's life hard.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import queue
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any


@dataclass
class WebhookFaults:
    duplicates: int = 0  # send each delivery this many extra times, same webhook-id
    late_stale: bool = False  # after "completed", send the last non-terminal body again
    drop: set[str] = field(default_factory=set)  # events never sent, e.g. {"completed"}
    tamper: bool = False  # change the body after signing it
    timestamp_skew: float = 0.0  # seconds added to webhook-timestamp (negative: stale)


@dataclass(frozen=True)
class Delivery:
    job_id: str
    event: str
    url: str
    webhook_id: str
    attempt: int
    body: bytes
    headers: dict[str, str]
    status: int | None  # None: not answered (connection failed) or dropped on purpose
    error: str | None = None
    note: str = ""  # "", "duplicate", "late-stale", "tampered", "dropped"

    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class _Item:
    job_id: str
    event: str
    url: str
    webhook_id: str
    body: bytes
    attempt: int = 1
    note: str = ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # Replicate does not follow redirects: a 3xx counts as a failure


_opener: urllib.request.OpenerDirector | None = None


def _shared_opener() -> urllib.request.OpenerDirector:
    # Built once: it loads the CA bundle, which costs more than a whole test.
    global _opener
    if _opener is None:
        _opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    return _opener


class Dispatcher:
    def __init__(self, secret: str, retry_delays: tuple[float, ...], timeout: float) -> None:
        self.secret = secret
        self.retry_delays = retry_delays
        self.timeout = timeout
        self.faults = WebhookFaults()
        self.deliveries: list[Delivery] = []
        self._queue: queue.Queue[_Item | None] = queue.Queue()
        self._pending = 0
        self._idle = threading.Condition()
        self._timers: list[threading.Timer] = []
        self._worker = threading.Thread(target=self._run, name="fake-webhooks", daemon=True)
        self._worker.start()

    def send(
        self, job_id: str, event: str, url: str, body: dict[str, Any], stale: dict[str, Any] | None
    ) -> None:
        raw = json.dumps(body).encode()
        webhook_id = "msg_" + hashlib.sha256(raw + str(time.time_ns()).encode()).hexdigest()[:27]
        if event in self.faults.drop:
            self._put(_Item(job_id, event, url, webhook_id, raw, note="dropped"))
            return
        for copy in range(1 + self.faults.duplicates):
            self._put(_Item(job_id, event, url, webhook_id, raw, note="duplicate" if copy else ""))
        if event == "completed" and self.faults.late_stale and stale is not None:
            stale_raw = json.dumps(stale).encode()
            stale_id = "msg_" + hashlib.sha256(stale_raw).hexdigest()[:27]
            self._put(_Item(job_id, "logs", url, stale_id, stale_raw, note="late-stale"))

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until nothing is queued or waiting for a retry."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._queue.put(None)
        self._worker.join(timeout=2)

    def _put(self, item: _Item) -> None:
        with self._idle:
            self._pending += 1
        self._queue.put(item)

    def _done(self) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            try:
                self._deliver(item)
            finally:
                self._done()

    def _deliver(self, item: _Item) -> None:
        if item.note == "dropped":  # recorded in order, never sent
            self._record(item, {}, None, None)
            return
        stamp = str(int(time.time() + self.faults.timestamp_skew))
        content = f"{item.webhook_id}.{stamp}.".encode() + item.body
        key = base64.b64decode(self.secret.removeprefix("whsec_"))
        signature = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Replicate-Webhooks/fake",
            "webhook-id": item.webhook_id,
            "webhook-timestamp": stamp,
            "webhook-signature": f"v1,{signature}",
        }
        body = item.body
        note = item.note
        if self.faults.tamper:
            body = body.replace(b'"status": "', b'"status": "x', 1) + b" "
            note = note or "tampered"
        status, error = self._post(item.url, body, headers)
        self._record(item, headers, status, error, body=body, note=note)
        failed = status is None or not 200 <= status < 300
        if failed and item.event == "completed" and item.attempt <= len(self.retry_delays):
            retry = _Item(item.job_id, item.event, item.url, item.webhook_id, item.body,
                          item.attempt + 1, item.note)
            with self._idle:
                self._pending += 1  # held until the timer has queued the retry
            timer = threading.Timer(self.retry_delays[item.attempt - 1], self._requeue, (retry,))
            timer.daemon = True
            self._timers.append(timer)
            timer.start()

    def _requeue(self, item: _Item) -> None:
        self._queue.put(item)  # keeps the pending count taken when the retry was scheduled

    def _post(
        self, url: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int | None, str | None]:
        if not url.startswith(("http://", "https://")):
            return None, "not an http(s) URL"
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with _shared_opener().open(request, timeout=self.timeout) as response:
                return response.status, None
        except urllib.error.HTTPError as exc:
            return exc.code, None
        except (OSError, urllib.error.URLError) as exc:
            return None, repr(exc)

    def _record(
        self,
        item: _Item,
        headers: dict[str, str],
        status: int | None,
        error: str | None,
        *,
        body: bytes | None = None,
        note: str | None = None,
    ) -> None:
        self.deliveries.append(
            Delivery(item.job_id, item.event, item.url, item.webhook_id, item.attempt,
                     item.body if body is None else body, headers, status, error,
                     item.note if note is None else note)
        )
