"""Run the reference endpoint: one listening socket per region, uvicorn (httptools) serving the ASGI app.

When every socket listens, one JSON line is printed on stdout (the ready line, see `ready_line`); logs go to
stderr. SIGINT and SIGTERM stop the server gracefully (exit status 0).
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import logging
import os
import signal
import socket
import sys

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from conformance.reference.app import MAX_HEADER_BYTES, RAW_HEADER_NAMES, ReferenceApp
from conformance.reference.config import ConfigError, ServerConfig
from conformance.reference.errors import error_body
from conformance.reference.fault_layer import TRANSPORT_EXTENSION
from conformance.reference.httpio import JSON_CONTENT_TYPE, new_request_id
from conformance.reference.start_buckets import create_start_buckets
from conformance.reference.testbench import testbench_app

log = logging.getLogger("conformance.reference")

#: How long a connection stays open, discarding input, after an error answered by the protocol itself.
LINGER_SECONDS = 2.0


class JsonErrorProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with JSON bodies for the errors it answers itself (unparsable requests)
    and a bound on the size of a request head (so a huge header cannot grow memory)."""

    _head_bytes = 0
    _in_head = True
    _rejected = False

    def data_received(self, data: bytes) -> None:  # noqa: D102 - asyncio hook
        if self._rejected:
            return  # lingering after an error response: discard what the client still sends
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)  # may answer a parse error itself (send_400_response): _rejected
        if self._in_head and self._head_bytes > MAX_HEADER_BYTES and not self._rejected:
            self._send_json_error(
                400, "RequestHeaderSectionTooLarge", "Your request header section is too large"
            )

    def on_message_begin(self) -> None:  # noqa: D102 - parser hook
        super().on_message_begin()
        self._in_head = True
        # The transport, for the testbench's fault layer (a connection reset); the JSS app never reads it.
        self.scope.setdefault("extensions", {})[TRANSPORT_EXTENSION] = self.transport

    def on_header(self, name: bytes, value: bytes) -> None:  # noqa: D102 - parser hook
        super().on_header(name, value)
        self.scope.setdefault(RAW_HEADER_NAMES, []).append(name)  # as sent, for the app (see app.parse)

    def on_headers_complete(self) -> None:  # noqa: D102 - parser hook
        self._in_head, self._head_bytes = False, 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:  # noqa: D102 - parser hook
        super().on_message_complete()
        self._in_head, self._head_bytes = True, 0

    def send_400_response(self, msg: str) -> None:  # noqa: D102 - uvicorn hook
        self._send_json_error(400, "InvalidRequest", msg)

    def _send_json_error(self, status: int, code: str, message: str) -> None:
        if self._rejected or self.transport.is_closing():
            return  # one answer per connection: it is already given (or the connection is gone)
        request_id = new_request_id()
        body = error_body(code, message, "/", request_id)
        head = (
            f"HTTP/1.1 {status} Bad Request\r\ncontent-type: {JSON_CONTENT_TYPE.decode()}\r\n"
            f"x-jss-request-id: {request_id}\r\ncontent-length: {len(body)}\r\nconnection: close\r\n\r\n"
        )
        # A malformed request poisons the connection: requests parsed before it in the same bytes but not
        # answered yet are dropped (their handlers see a disconnect, so nothing they were writing is kept).
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        self.pipeline.clear()
        self.transport.write(head.encode("ascii") + body)
        # Lingering close: stop sending (FIN after the response), keep reading and discarding for a moment,
        # so that a client still sending its request reads the answer instead of a connection reset.
        self._rejected = True
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


def bind_sockets(config: ServerConfig) -> dict[str, socket.socket]:
    """One listening socket per region: the first on --port, the next on --port+1, ... (0: free ports)."""
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sockets: dict[str, socket.socket] = {}
    try:
        for index, region in enumerate(config.regions):
            port = config.port + index if config.port else 0
            sockets[region] = socket.create_server((config.host, port), family=family, backlog=1024)
    except OSError:
        for sock in sockets.values():
            sock.close()
        raise
    return sockets


def endpoint_url(host: str, sock: socket.socket) -> str:
    """The base URL of a listening socket."""
    port = sock.getsockname()[1]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def ready_line(config: ServerConfig, sockets: dict[str, socket.socket]) -> str:
    """The JSON ready line: ``{"ready": true, "endpoints": {region: url}, "data_dir": ..., "pid": ...}``."""
    endpoints = {region: endpoint_url(config.host, sock) for region, sock in sockets.items()}
    return json.dumps(
        {"ready": True, "endpoints": endpoints, "data_dir": str(config.data_dir), "pid": os.getpid()}
    )


async def _serve(server: uvicorn.Server, sockets: list[socket.socket], on_ready) -> None:
    task = asyncio.ensure_future(server.serve(sockets=sockets))
    while not server.started and not task.done():
        await asyncio.sleep(0.01)
    if server.started:
        on_ready()
    await task


def tune_allocator() -> None:
    """Keep freed request buffers in glibc's heap instead of returning them to the kernel at once.

    Bodies arrive as a stream of 64-256 KiB buffers; with glibc's defaults many of them are fresh mmaps whose
    pages fault in one by one, which costs more system time than the copy itself. A fixed mmap threshold of
    4 MiB and a 32 MiB trim threshold keep them in the heap (RSS grows by at most the trim threshold).
    Not glibc: nothing to do.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 4 * 1024 * 1024)
    mallopt(m_trim_threshold, 32 * 1024 * 1024)


def run_server(config: ServerConfig) -> int:
    """Serve until SIGINT/SIGTERM; returns the exit status. ConfigError: unusable data dir or port."""
    tune_allocator()
    try:
        app = ReferenceApp(config)
    except OSError as exc:
        raise ConfigError(f"cannot use data dir {config.data_dir}: {exc.strerror or exc}") from exc
    create_start_buckets(app.storage, config)
    try:
        sockets = bind_sockets(config)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {config.host} port {config.port}: {exc.strerror or exc}"
        ) from exc
    app.port_regions = {sock.getsockname()[1]: region for region, sock in sockets.items()}
    uv_config = uvicorn.Config(
        testbench_app(app, config),
        http=JsonErrorProtocol,
        ws="none",
        lifespan="off",
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=5,
        timeout_keep_alive=30,
    )
    server = uvicorn.Server(uv_config)
    line = ready_line(config, sockets)

    def on_ready() -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
        log.info("reference endpoint ready: %s", line)

    # Before uvicorn installs its handlers (and after it restores these and re-raises the signal it caught),
    # a signal only asks the server to exit: the process then ends with status 0.
    def request_exit(*_: object) -> None:
        server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, request_exit)
    uvicorn_loop = uv_config.get_loop_factory()
    with asyncio.Runner(loop_factory=uvicorn_loop) as runner:
        runner.run(_serve(server, list(sockets.values()), on_ready))
    return 0
