"""A loopback TCP proxy that adds a fixed round-trip time: a far endpoint, for the latency benchmark.

``with LatencyProxy(upstream=("127.0.0.1", 8001), rtt=0.05) as proxy: proxy.url`` listens on 127.0.0.1 (a free
port) and forwards every connection to `upstream` byte for byte: HTTP/1.1 keep-alive, bodies, the Host header
and so signatures stay exactly as the client sent them. It is a delay line, not a throttle: each chunk read
from one side is written to the other side RTT/2 after it arrived, in order, so a request/answer exchange
costs one added RTT and a new connection one more (its TCP handshake, added to its first chunk). Bandwidth is
loopback's.

Bounded: at most `max_connections` open at once (more are closed at once), a connection idle for
`idle_timeout` seconds is closed, the upstream connect has a timeout, and the proxy runs in a daemon thread
with its own event loop that :meth:`stop` (or leaving the ``with``) ends, closing every connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque

CHUNK = 256 * 1024


class LatencyProxy:
    """One listening socket on 127.0.0.1 in front of one upstream (host, port), adding `rtt` seconds."""

    def __init__(
        self,
        upstream: tuple[str, int],
        rtt: float,
        max_connections: int = 256,
        idle_timeout: float = 120.0,
        connect_timeout: float = 10.0,
    ) -> None:
        self.upstream = upstream
        self.rtt = rtt
        self.max_connections = max_connections
        self.idle_timeout = idle_timeout
        self.connect_timeout = connect_timeout
        self.port = 0
        self.connections = 0
        self.accepted = 0
        self.refused = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task] = set()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` of the proxy."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LatencyProxy:
        """Listen and serve in a background thread; returns when the port is known."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = self._loop = asyncio.new_event_loop()
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(self._handle, "127.0.0.1", 0, limit=CHUNK, backlog=256)
                )
                self.port = self._server.sockets[0].getsockname()[1]
            except BaseException as exc:  # noqa: BLE001 - handed to the starting thread
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._shutdown())
            loop.close()

        self._thread = threading.Thread(target=run, name=f"latency-proxy-{self.upstream[1]}", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        if not self.port:
            raise RuntimeError("the latency proxy did not start within 10 s")
        return self

    def stop(self) -> None:
        """Close the listening socket and every connection, end the thread."""
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def __enter__(self) -> LatencyProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        try:
            if self.connections >= self.max_connections:
                self.refused += 1
                return
            self.connections += 1
            self.accepted += 1
            try:
                await self._connect_and_pipe(client_reader, client_writer)
            finally:
                self.connections -= 1
        except (TimeoutError, OSError, asyncio.CancelledError):
            pass  # a cancelled handler ends quietly: the proxy is stopping
        finally:
            client_writer.close()
            self._tasks.discard(task)

    async def _connect_and_pipe(self, client_reader, client_writer) -> None:
        upstream_reader, upstream_writer = await asyncio.wait_for(
            asyncio.open_connection(*self.upstream, limit=CHUNK), self.connect_timeout
        )
        try:
            half = self.rtt / 2
            # The handshake of a far connection: one more round trip before the first byte gets there.
            ahead = asyncio.create_task(
                self._pipe(client_reader, upstream_writer, half, first_extra=self.rtt)
            )
            back = asyncio.create_task(self._pipe(upstream_reader, client_writer, half))
            pipes = {ahead, back}
            try:
                done, pending = await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
                if ahead in done and pending:  # the client is done sending: let the answer in flight arrive
                    await asyncio.wait(pending, timeout=self.rtt + 5.0)
            finally:
                for task in pipes:
                    task.cancel()
                await asyncio.gather(*pipes, return_exceptions=True)
        finally:
            upstream_writer.close()

    async def _pipe(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        delay: float,
        first_extra: float = 0.0,
    ) -> None:
        """Copy reader -> writer, each chunk `delay` s after it was read (the first `first_extra` s more),
        in order; ends at EOF, on an error, or after `idle_timeout` s without data (then it closes)."""
        line: deque[tuple[float, bytes | None]] = deque()
        arrived = asyncio.Event()

        async def deliver() -> None:
            while True:
                while not line:
                    arrived.clear()
                    await arrived.wait()
                due, data = line.popleft()
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if data is None:
                    with contextlib.suppress(OSError):
                        if writer.can_write_eof():
                            writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()

        sender = asyncio.create_task(deliver())
        extra = first_extra
        try:
            while True:
                read = asyncio.create_task(reader.read(CHUNK))
                done, _ = await asyncio.wait(
                    {read, sender}, timeout=self.idle_timeout, return_when=asyncio.FIRST_COMPLETED
                )
                if read not in done:
                    read.cancel()
                    return  # idle too long, or the other side of the line failed
                data = read.result()
                line.append((time.monotonic() + delay + extra, data or None))
                extra = 0.0
                arrived.set()
                if not data:
                    await sender
                    return
        finally:
            if not sender.done():
                sender.cancel()
            await asyncio.gather(sender, return_exceptions=True)
