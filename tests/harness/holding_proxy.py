"""A forwarding HTTP proxy on 127.0.0.1 that holds one chosen answer, so a test knows a case is in flight.

The suite talks to the proxy as if it were the endpoint. Every request is forwarded to the upstream reference
endpoint as received (the signature does not cover the Host header or the framing); the first `hold_nth`-th
request that `matches` is forwarded too, but its answer is held back until :meth:`release`: the endpoint has
acted on it (an upload initiated, a part stored) and the suite's case is waiting for the answer. ``held`` is
set at that moment: the test sends its signal then, not after a sleep. ``refuse_deletes`` makes every later
DELETE answer 503 without forwarding it (a cleanup that cannot reach the endpoint's delete path).
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}
HOLD_LIMIT = 120.0  # seconds a held answer waits for release() at most


class HoldingProxy:
    """``with HoldingProxy(upstream, matches) as proxy:``; ``proxy.url`` is the endpoint to give the suite."""

    def __init__(self, upstream: str, matches: Callable[[str, str], bool], hold_nth: int = 1) -> None:
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname, parts.port)
        self._matches = matches
        self._hold_nth = hold_nth
        self._seen = 0
        self._lock = threading.Lock()
        self.held = threading.Event()
        self.held_request: tuple[str, str] | None = None
        self.held_client: tuple[str, int] | None = None  # (host, port) of the client whose answer is held
        self.refuse_deletes = False
        self._released = threading.Event()
        self.log: list[tuple[str, str, int]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The proxy's base URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def release(self) -> None:
        """Let the held answer go (to a client that may have gone)."""
        self._released.set()

    def __enter__(self) -> HoldingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def _should_hold(self, method: str, path: str) -> bool:
        with self._lock:
            if self.held_request is not None or not self._matches(method, path):
                return False
            self._seen += 1
            if self._seen < self._hold_nth:
                return False
            self.held_request = (method, path)
            return True

    def _forward(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes):
        connection = http.client.HTTPConnection(*self._upstream, timeout=60)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def _handler_class(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _body(self) -> bytes:
                if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _handle(self) -> None:
                body = self._body()
                method, path = self.command, self.path
                if method == "DELETE" and proxy.refuse_deletes:
                    self._answer(503, [("Content-Type", "application/json")], b'{"code":"SlowDown"}')
                    proxy.log.append((method, path, 503))
                    return
                headers = [
                    (name, value)
                    for name, value in self.headers.items()
                    if name.lower() not in HOP_BY_HOP and name.lower() != "content-length"
                ]
                hold = proxy._should_hold(method, path)
                status, answer_headers, answer = proxy._forward(method, path, headers, body)
                proxy.log.append((method, path, status))
                if hold:
                    proxy.held_client = self.client_address[:2]
                    proxy.held.set()
                    proxy._released.wait(HOLD_LIMIT)
                self._answer(status, answer_headers, answer)

            def _answer(self, status: int, headers, body: bytes) -> None:
                try:
                    self.send_response_only(status)
                    head = self.command == "HEAD"
                    for name, value in headers:
                        framing = name.lower() == "content-length" and not head
                        if name.lower() not in HOP_BY_HOP and not framing:
                            self.send_header(name, value)
                    if not head:
                        self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(body)
                    self.wfile.flush()
                except OSError:
                    self.close_connection = True  # the client is gone (interrupted)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        return Handler
