"""An S3-compatible server on a free loopback port: moto's server mode, in a thread.

moto 5 keeps objects private (an anonymous GET is refused) but accepts a presigned URL
forever. Real S3 refuses one once X-Amz-Date + X-Amz-Expires has passed, so this server
puts that one rule, as S3 documents it, in front of moto. Nothing else is changed.
"""

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

EXPIRED = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
           b"<Message>Request has expired</Message></Error>")
MAX_EXPIRES = 604800  # S3's own limit for SigV4 query signatures: 7 days


def presign_expired(query: str, now: datetime) -> bool:
    """Whether a SigV4 presigned query string has expired (or could never be valid)."""
    params = parse_qs(query)
    if "X-Amz-Date" not in params or "X-Amz-Expires" not in params:
        return False  # not a presigned URL: moto decides
    signed = datetime.strptime(params["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    expires = int(params["X-Amz-Expires"][0])
    return not 0 < expires <= MAX_EXPIRES or now > signed + timedelta(seconds=expires)


def expiring(app: Callable) -> Callable:
    def gate(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if presign_expired(environ.get("QUERY_STRING", ""), datetime.now(UTC)):
            start_response("403 Forbidden", [("Content-Type", "application/xml"),
                                             ("Content-Length", str(len(EXPIRED)))])
            return [EXPIRED]
        return app(environ, start_response)

    return gate


class S3Server(ThreadedMotoServer):
    """`with S3Server() as server:` … `server.endpoint_url` is http://127.0.0.1:<free port>."""

    def __init__(self) -> None:
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)

    def _server_entry(self) -> None:  # moto's own, with the expiry gate around its app
        app = expiring(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self._ip_address, self._port, app, True,
                                   request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()

    @property
    def endpoint_url(self) -> str:
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"

    def __enter__(self) -> "S3Server":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
