"""An independent client for the fairness benchmark: a signed HEAD of one object, sent from its own loopback
address on a new connection every `interval` seconds in a background thread, its latency and status recorded
per phase ("before", "during", "after" a load), for p50 / p99 side by side.

A new connection per request on purpose: a server that locks new clients out (a full connection table)
shows as refusals, not as a fast answer on an old keep-alive connection.
"""

from __future__ import annotations

import collections
import socket
import threading
import time

from conformance import signing


def signed_request(method: str, target: str, user: tuple[str, str, str], extra: str = "") -> bytes:
    """A signed request head for `target` as `user` (name, access key, secret key), then `extra` lines."""
    headers = {"Date": signing.http_date()}
    signed = signing.sign_request(method, signing.resource_from_target(target), headers, user[1], user[2])
    lines = [f"{method} {target} HTTP/1.1", "Host: bench", f"Date: {headers['Date']}",
             f"Authorization: {signed.authorization}"]
    return ("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode()


def one_head(port: int, target: str, user, source: str, timeout: float) -> tuple[int, float]:
    """(status, seconds) of one signed HEAD on a new connection from `source` (status 0: no answer)."""
    started, received = time.monotonic(), b""
    try:
        address = ("127.0.0.1", port)
        with socket.create_connection(address, timeout=timeout, source_address=(source, 0)) as sock:
            sock.sendall(signed_request("HEAD", target, user, "Connection: close\r\n"))
            while b"\r\n" not in received and (chunk := sock.recv(4096)):
                received += chunk
    except OSError:  # refused, reset or no answer within `timeout`: status 0
        pass
    status = int(received.split(b" ", 2)[1]) if received.startswith(b"HTTP/") else 0
    return status, time.monotonic() - started


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of `values` (NaN when empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


class HeadProbe:
    """HEADs of `target` as `user` from `source`, every `interval` s, recorded under the current phase."""

    def __init__(self, port: int, target: str, user, source: str, interval: float = 0.05,
                 timeout: float = 30.0) -> None:
        self.args = (port, target, user, source, timeout)
        self.interval = interval
        self.phase = "before"
        self.latencies: dict[str, list[float]] = collections.defaultdict(list)
        self.statuses: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="head-probe", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            phase = self.phase
            status, seconds = one_head(*self.args)
            self.latencies[phase].append(seconds)
            self.statuses[phase][status] += 1
            self._stop.wait(self.interval)

    def __enter__(self) -> HeadProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self, phase: str) -> str:
        """``p50 / p99 ms (n, statuses)`` of one phase."""
        values = self.latencies.get(phase, [])
        statuses = ",".join(f"{code}x{count}" for code, count in sorted(self.statuses[phase].items()))
        return (f"{percentile(values, 0.5) * 1000:7.1f} / {percentile(values, 0.99) * 1000:8.1f} ms "
                f"(n={len(values)}, {statuses})")
