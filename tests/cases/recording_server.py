"""A loopback HTTP server that records the requests it receives and answers as told (for tests/cases)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Recorded:
    """One request as the server received it."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class RecordingServer:
    """A loopback server: `requests` received; `answer` (status, headers, body) sent after `delay` seconds."""

    url: str
    requests: list[Recorded] = field(default_factory=list)
    answer: tuple[int, list[tuple[str, str]], bytes] = (200, [("Content-Type", "application/json")], b"{}")
    delay: float = 0.0


class _InFlight:
    """Counts the requests being answered, so the server's end can wait until none is."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()

    @contextmanager
    def one(self) -> Iterator[None]:
        with self._changed:
            self._count += 1
        try:
            yield
        finally:
            with self._changed:
                self._count -= 1
                self._changed.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._count == 0, timeout=timeout)


@contextmanager
def recording_server_running() -> Iterator[RecordingServer]:
    """Run a recording server on 127.0.0.1 (a free port) for the `with` block.

    Leaving the block ends the server: a request still waiting out its `delay` then is not answered (its
    client has given up, and writing to it would only fail), and the block returns once no request is being
    answered, so nothing the server does outlives the block.
    """
    state = RecordingServer(url="")
    ended = threading.Event()
    in_flight = _InFlight()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            with in_flight.one():
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                state.requests.append(Recorded(self.command, self.path, list(self.headers.items()), body))
                if state.delay and ended.wait(state.delay):
                    self.close_connection = True
                    return
                status, headers, payload = state.answer
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield state
    finally:
        ended.set()
        server.shutdown()
        server.server_close()
        in_flight.wait_idle(timeout=5)
