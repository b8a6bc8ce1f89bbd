"""Test-only crash points: the server kills itself with SIGKILL at a named point of a write.

``JSS_REFERENCE_TEST_CRASH_AT=POINT`` (or ``POINT@N``: the N-th time the point is reached, default 1) makes
the process send itself SIGKILL there, exactly what ``kill -9`` does at that instant: no handler runs, no
buffer is flushed. The crash tests use it to stop a real ``jss-conformance serve`` between two steps of a
complete or an overwrite, then restart it on the same data dir. Never set it outside a test. The points:

    object.data-moved         an object's new data file(s) renamed into place, its metadata not yet written
    object.meta-written       the new metadata written, the old data file(s) not yet unlinked
    complete.gathered         the parts linked or copied under tmp/, nothing installed yet
    complete.object-installed the object installed, the upload not yet removed
    complete.upload-moved     the upload folder moved into tmp/, not yet deleted
    part.data-moved           a part's data file renamed into place, its metadata not yet written
    part.meta-written         the part's metadata written, the data of the part it replaced not yet unlinked
"""

from __future__ import annotations

import os
import signal
import threading

from conformance.errorline import print_error

ENVIRONMENT_VARIABLE = "JSS_REFERENCE_TEST_CRASH_AT"

POINTS = frozenset({
    "object.data-moved",
    "object.meta-written",
    "complete.gathered",
    "complete.object-installed",
    "complete.upload-moved",
    "part.data-moved",
    "part.meta-written",
})


def parse(value: str | None) -> tuple[str, int] | None:
    """(point, n) of the variable's value; None when it is unset or empty; ValueError when malformed."""
    if not value:
        return None
    point, _, count = value.partition("@")
    if point not in POINTS:
        raise ValueError(f"unknown crash point {point!r} (one of {', '.join(sorted(POINTS))})")
    if count and not (count.isascii() and count.isdigit() and int(count) > 0):
        raise ValueError(f"the count after @ must be a positive integer, not {count!r}")
    return point, int(count) if count else 1


def _wanted_point() -> tuple[str, int] | None:
    """The point the environment names; a malformed value is one line on stderr and exit status 2."""
    try:
        return parse(os.environ.get(ENVIRONMENT_VARIABLE))
    except ValueError as exc:
        raise SystemExit(print_error(f"{ENVIRONMENT_VARIABLE}: {exc}")) from None


_wanted = _wanted_point()
_reached: dict[str, int] = {}
_lock = threading.Lock()


def reach(point: str) -> None:
    """Mark `point` reached; SIGKILL this process if it is the point (and the time) the variable names."""
    if _wanted is None or _wanted[0] != point:
        return
    with _lock:
        _reached[point] = _reached.get(point, 0) + 1
        if _reached[point] == _wanted[1]:
            os.kill(os.getpid(), signal.SIGKILL)
