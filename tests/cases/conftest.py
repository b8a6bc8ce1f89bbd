"""Fixtures of the cases helper's own tests: a loopback HTTP server that records requests, answers as told."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Recorded:
    """One request as the server received it."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class RecordingServer:
    """A loopback server: `requests` received, `answer` (status, headers, body) sent back."""

    url: str
    requests: list[Recorded] = field(default_factory=list)
    answer: tuple[int, list[tuple[str, str]], bytes] = (200, [("Content-Type", "application/json")], b"{}")
    delay: float = 0.0


@pytest.fixture
def recording_server() -> Iterator[RecordingServer]:
    """Start a recording HTTP server on 127.0.0.1 (a free port) for one test."""
    state = RecordingServer(url="")
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.requests.append(Recorded(self.command, self.path, list(self.headers.items()), body))
            if state.delay:
                stop.wait(state.delay)
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
    yield state
    stop.set()
    server.shutdown()
    server.server_close()
