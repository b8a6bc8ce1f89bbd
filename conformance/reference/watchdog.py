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


def tick_seconds(limits: Limits) -> float:
    """How often deadlines are checked: a quarter of the shortest, between 50 ms and 1 s."""
    shortest = min(limits.head_timeout, limits.body_timeout)
    return min(max(shortest / 4, 0.05), 1.0)


class MemoryTrim:
    """Calls glibc's ``malloc_trim(0)`` once nothing is being received after a burst (no-op elsewhere)."""

    def __init__(self) -> None:
        try:
            self._trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            self._trim = None
        self._bytes_at_last = 0
        self._peak_connections = 0

    def after_tick(self, connections: int) -> None:
        """Trim when no body is in progress and a burst (bytes or connections) ended since the last trim."""
        self._peak_connections = max(self._peak_connections, connections)
        active, received = bodies.activity()
        burst = received - self._bytes_at_last >= TRIM_AFTER_BYTES
        closed = self._peak_connections - connections >= TRIM_AFTER_CLOSED
        if self._trim is None or active or not (burst or closed):
            return
        self._trim(0)
        self._bytes_at_last, self._peak_connections = received, connections


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
        trim.after_tick(len(connections))
