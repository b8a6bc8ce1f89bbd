"""The watchdog of a running server: every tick, each connection's slow-client deadlines are checked
(``protocol.JsonErrorProtocol.check_deadlines``), and after a burst of bodies the allocator gives the memory
it keeps back to the kernel, so the process returns to its resting size."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging

from conformance.reference import bodies
from conformance.reference.limits import Limits

log = logging.getLogger("conformance.reference")

#: Body bytes received since the last trim that make the next quiet moment worth a trim.
TRIM_AFTER_BYTES = 32 * 1024 * 1024
#: Connections closed since the last trim that make it worth one (their buffers are freed).
TRIM_AFTER_CLOSED = 256
#: While bodies keep arriving, at most one trim in this many seconds.
TRIM_INTERVAL_BUSY = 5.0


def tick_seconds(limits: Limits) -> float:
    """How often deadlines are checked: a quarter of the shortest, between 50 ms and 1 s."""
    shortest = min(limits.head_timeout, limits.body_timeout)
    return min(max(shortest / 4, 0.05), 1.0)


class MemoryTrim:
    """Calls glibc's ``malloc_trim(0)`` after a burst of bodies or connections: every tick until a tick finds
    nothing changed and no body in progress, at most every few seconds while bodies keep arriving (no-op
    without glibc)."""

    def __init__(self) -> None:
        try:
            self._trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            self._trim = None
        self._bytes_at_burst = self._peak_connections = 0
        self._pending = False
        self._last_trim = 0.0
        self._last_seen = (0, 0)

    def after_tick(self, connections: int, now: float) -> None:
        """Note a burst (body bytes received, connections closed); trim while one is being cleaned up."""
        active, received = bodies.activity()
        self._peak_connections = max(self._peak_connections, connections)
        grew = received - self._bytes_at_burst >= TRIM_AFTER_BYTES
        if grew or self._peak_connections - connections >= TRIM_AFTER_CLOSED:
            self._pending = True
            self._bytes_at_burst, self._peak_connections = received, connections
        seen, self._last_seen = self._last_seen, (received, connections)
        if self._trim is None or not self._pending:
            return
        if active and now - self._last_trim < TRIM_INTERVAL_BUSY:
            return
        self._trim(0)
        self._last_trim = now
        if not active and seen == self._last_seen:
            self._pending = False  # a quiet tick after the burst: what could be freed was freed


async def watch(connections: set, limits: Limits) -> None:
    """Run until cancelled: check the deadlines of every connection in `connections` once a tick."""
    loop = asyncio.get_running_loop()
    trim = MemoryTrim()
    tick = tick_seconds(limits)
    while True:
        await asyncio.sleep(tick)
        now = loop.time()
        for protocol in list(connections):
            check = getattr(protocol, "check_deadlines", None)
            if check is not None:
                try:
                    check(now)
                except Exception:  # one broken connection must not stop the watchdog
                    log.exception("checking the deadlines of a connection failed")
                    with contextlib.suppress(Exception):
                        protocol.transport.abort()
        trim.after_tick(len(connections), now)
