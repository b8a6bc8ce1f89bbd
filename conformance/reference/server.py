"""Run the reference endpoint: one listening socket per region (per wire and region when it serves both wires
over one data dir, ``--wire jss,s3``), uvicorn (httptools) serving the ASGI app.

When every socket listens, one JSON line is printed on stdout (the ready line, see `ready_line`); logs go to
stderr. With ``--tls-cert`` every socket serves HTTPS (conformance.reference.tls_context) and the ready line's
endpoints are https:// URLs. SIGINT and SIGTERM stop the server gracefully (exit status 0): with a request
in progress, uvicorn's graceful shutdown lets it finish within ``--graceful-timeout`` seconds (then it is
cancelled; a second SIGINT forces the exit at once); when idle, the
server closes its connections and stops at once (see `stop_when_idle`) instead of waiting out uvicorn's
shutdown ticks (about 0.2 s, at the end of every suite run).
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

from conformance.reference.app import ReferenceApp
from conformance.reference.config import ConfigError, ServerConfig
from conformance.reference.limits import fit_to_file_limit
from conformance.reference.protocol import protocol_for
from conformance.reference.start_buckets import create_start_buckets
from conformance.reference.testbench import testbench_app
from conformance.reference.tls_context import server_context
from conformance.reference.watchdog import watch

log = logging.getLogger("conformance.reference")


#: A listening socket's place: (wire, region).
Place = tuple[str, str]


def bind_sockets(config: ServerConfig) -> dict[Place, socket.socket]:
    """One listening socket per wire and region, wire by wire: the first on --port, the next on --port+1,
    ... (0: free ports)."""
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    places = [(wire, region) for wire in config.served_wires for region in config.regions]
    sockets: dict[Place, socket.socket] = {}
    try:
        for index, place in enumerate(places):
            port = config.port + index if config.port else 0
            sockets[place] = socket.create_server((config.host, port), family=family, backlog=1024)
    except OSError:
        for sock in sockets.values():
            sock.close()
        raise
    return sockets


def endpoint_url(host: str, sock: socket.socket, scheme: str = "http") -> str:
    """The base URL of a listening socket."""
    port = sock.getsockname()[1]
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


def ready_line(config: ServerConfig, sockets: dict[Place, socket.socket]) -> str:
    """The JSON ready line: ``{"ready": true, "endpoints": {region: url}, "wires": {wire: {region: url}},
    "data_dir": ..., "pid": ...}``; ``endpoints`` are those of the first wire (`config.wire`)."""
    scheme = "https" if config.tls is not None else "http"
    wires: dict[str, dict[str, str]] = {}
    for (wire, region), sock in sockets.items():
        wires.setdefault(wire, {})[region] = endpoint_url(config.host, sock, scheme)
    return json.dumps(
        {
            "ready": True,
            "endpoints": wires[config.served_wires[0]],
            "wires": wires,
            "data_dir": str(config.data_dir),
            "pid": os.getpid(),
        }
    )


#: How long an idle stop waits for its closed connections to flush what they still have to send.
IDLE_STOP_FLUSH = 1.0


class IdleStop:
    """SIGINT/SIGTERM while the server runs (installed once it listens, over uvicorn's handlers): idle (no
    request in the app), the connections are closed and the serve task is cancelled, so the process exits
    within milliseconds; with a request in progress, or a stop already under way, uvicorn's own handler
    takes the signal (graceful shutdown; a second SIGINT forces it)."""

    def __init__(self, server: uvicorn.Server, serve_task: asyncio.Future) -> None:
        self.server = server
        self.serve_task = serve_task
        self.stopping = False

    def install(self, loop: asyncio.AbstractEventLoop) -> None:
        """Take SIGINT and SIGTERM in the event loop."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.on_signal, sig)

    def on_signal(self, sig: int) -> None:
        """Stop at once when idle, else hand the signal to uvicorn."""
        if self.stopping or self.server.should_exit or self.server.server_state.tasks:
            self.server.handle_exit(sig, None)
            return
        self.stopping = True
        log.info("stopping (idle, signal %d)", sig)
        asyncio.ensure_future(self._stop())

    async def _stop(self) -> None:
        connections = self.server.server_state.connections
        for connection in list(connections):
            connection.shutdown()  # idle: closes the transport once its buffer is sent
        loop = asyncio.get_running_loop()
        deadline = loop.time() + IDLE_STOP_FLUSH
        while connections and loop.time() < deadline and not self.server.server_state.tasks:
            await asyncio.sleep(0.002)
        if self.server.server_state.tasks:  # a request arrived meanwhile: let uvicorn finish it
            self.server.should_exit = True
            return
        self.serve_task.cancel()


async def _serve(server: uvicorn.Server, sockets: list[socket.socket], on_ready, limits) -> None:
    task = asyncio.ensure_future(server.serve(sockets=sockets))
    watchdog = asyncio.ensure_future(watch(server.server_state.connections, limits))
    idle_stop = IdleStop(server, task)
    try:
        while not server.started and not task.done():
            await asyncio.sleep(0.01)
        if server.started:
            idle_stop.install(asyncio.get_running_loop())
            on_ready()
        try:
            await task
        except asyncio.CancelledError:
            if not idle_stop.stopping:
                raise
    finally:
        watchdog.cancel()


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
    tls_context = server_context(config.tls) if config.tls is not None else None
    try:
        sockets = bind_sockets(config)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {config.host} port {config.port}: {exc.strerror or exc}"
        ) from exc
    app.port_regions = {sock.getsockname()[1]: region for (_, region), sock in sockets.items()}
    app.port_wires = {sock.getsockname()[1]: wire for (wire, _), sock in sockets.items()}
    limits = fit_to_file_limit(config.limits)
    uv_config = uvicorn.Config(
        testbench_app(app, config),
        http=protocol_for(limits, app.port_wires, config.wire),
        ws="none",
        lifespan="off",
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=limits.graceful_timeout,
        timeout_keep_alive=limits.keep_alive_timeout,
        ssl_context_factory=(lambda *_: tls_context) if tls_context is not None else None,
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
        runner.run(_serve(server, list(sockets.values()), on_ready, limits))
    return 0
