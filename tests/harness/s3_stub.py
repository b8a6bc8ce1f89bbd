"""A stub S3 endpoint on 127.0.0.1 for the tests of the s3 wire: moto's S3 app (in this process) behind a thin
WSGI layer that records every request line, and that can

- refuse every request of a caller other than the owner, one without credentials (no Authorization header,
  no X-Amz-Signature) or one signed with the second account's access key (``alt_access_key``), with 403 and
  an XML <Error> of Code AccessDenied (``refuse_callers=True``), or let them through to moto, which checks no
  signature and answers them as if the owner had sent them (``refuse_callers=False``: the store the access
  family must fail);
- answer every request with one scripted error (``scripted``: status and XML body), e.g. the region error an
  S3 store gives a request signed for the wrong region.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from werkzeug.serving import WSGIRequestHandler, make_server

ACCESS_DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>stub</RequestId></Error>"
)


@dataclass
class StubS3:
    """The running stub: its URL, the request lines it received ("METHOD /path?query"), its settings."""

    url: str = ""
    refuse_callers: bool = True
    alt_access_key: str | None = None
    scripted: tuple[int, bytes] | None = None
    requests: list[str] = field(default_factory=list)
    server_header: str = "StubS3/1.0"


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without its request log, its Server header the stub's own (server.stub)."""

    def version_string(self) -> str:
        return self.server.stub.server_header

    def log(self, type: str, message: str, *args) -> None:
        return None


def _not_the_owner(environ: dict, alt_access_key: str | None) -> bool:
    """Whether the request is anonymous or signed with the second account's access key."""
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    if not (authorization or "X-Amz-Signature" in query or "Signature" in query):
        return True
    credential = (query.get("X-Amz-Credential") or [""])[0] + authorization
    return bool(alt_access_key) and f"{alt_access_key}/" in credential


def _app(stub: StubS3):
    from moto.server import DomainDispatcherApplication, create_backend_app

    moto = DomainDispatcherApplication(create_backend_app)

    def application(environ, start_response):
        query = environ.get("QUERY_STRING", "")
        target = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
        stub.requests.append(f"{environ['REQUEST_METHOD']} {target}")
        refused = stub.refuse_callers and _not_the_owner(environ, stub.alt_access_key)
        answer = stub.scripted or ((403, ACCESS_DENIED) if refused else None)
        if answer is None:  # moto's answer, its own Server header dropped (the stub's stands)
            def start_without_server(status, headers, exc_info=None):
                kept = [(name, value) for name, value in headers if name.lower() != "server"]
                return start_response(status, kept, exc_info)
            return moto(environ, start_without_server)
        status, body = answer
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))]
        start_response(f"{status} Error", headers)
        return [body]

    return application


@contextmanager
def stub_s3(**settings) -> Iterator[StubS3]:
    """Run a StubS3 with `settings` (its fields) on a free loopback port until the block ends."""
    stub = StubS3(**settings)
    server = make_server("127.0.0.1", 0, _app(stub), threaded=True, request_handler=_QuietHandler)
    server.stub = stub
    stub.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        thread.join(timeout=10)
