"""``-n auto`` that knows when the target is far: more xdist workers than cores for an I/O-bound run.

pytest-xdist's ``-n auto`` starts one worker per CPU. Against the embedded endpoint (or any target a few
milliseconds away) the suite is CPU-bound and that stays the choice. Against a far target a worker spends
nearly all its time waiting for answers, so more workers than cores finish sooner. Before any worker starts,
:func:`auto_workers` times a few unsigned ``GET /`` round trips to the target's primary endpoint (on one
keep-alive connection, the first one not counted: it pays the connection set-up); when the fastest is at
least :data:`FAR_RTT` seconds, it asks for ``min(FAR_FACTOR x cores, MAX_WORKERS)`` workers. A target that
does not answer the probe keeps xdist's count (the preflight then says what is wrong). The variable
``PYTEST_XDIST_AUTO_NUM_WORKERS`` and an explicit ``-n N`` still win.
"""

from __future__ import annotations

import os
import time

import requests

from conformance.target import ProfileError, Target, resolve_target
from conformance.tls import TlsSettings, new_session

#: A fastest probe round trip at least this long (seconds) makes the target "far".
FAR_RTT = 0.010
#: Workers per core for a far target, and the most workers ever started.
FAR_FACTOR = 4
MAX_WORKERS = 16
PROBES = 4
PROBE_TIMEOUT = 3.0


def probe_rtt(
    endpoint: str, probes: int = PROBES, timeout: float = PROBE_TIMEOUT, tls: TlsSettings | None = None
) -> float | None:
    """The fastest of `probes` - 1 timed ``GET /`` round trips to `endpoint` after a first untimed one (its
    connection's set-up), with the target's `tls` settings; None when the endpoint does not answer."""
    times = []
    try:
        with new_session(tls, endpoint) as session:
            for index in range(probes):
                started = time.perf_counter()
                session.get(endpoint.rstrip("/") + "/", timeout=timeout, verify=session.verify).close()
                if index:
                    times.append(time.perf_counter() - started)
    except requests.RequestException:
        return None
    return min(times) if times else None


def workers_for(rtt: float | None, cores: int) -> int | None:
    """The worker count for a target `rtt` seconds away (None: keep xdist's count, one per core)."""
    if rtt is None or rtt < FAR_RTT:
        return None
    return max(cores, min(FAR_FACTOR * cores, MAX_WORKERS))


def auto_workers(target_path: str | None, embedded: bool, env=os.environ) -> int | None:
    """What ``-n auto`` should start for this run's target (None: xdist's default)."""
    if embedded or env.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    try:
        target: Target = resolve_target(target_path, env)
    except ProfileError:
        return None  # the plugin reports the bad profile in one line later
    if target.embedded or not target.endpoint:
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return workers_for(probe_rtt(target.endpoint, tls=target.tls), cores)
