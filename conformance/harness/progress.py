"""Progress lines for long work (the large family, the SDK scenarios): bytes done, rate and ETA.

A :class:`Progress` is told how many bytes are done (:meth:`Progress.update`) and prints one plain line
(``jss-conformance: progress large: 96.0 MiB of 1.0 GiB (9%), 48.0 MiB/s, ETA 19 s``) when at least its
interval has passed since the last one: :data:`TERMINAL_INTERVAL` seconds on a terminal,
:data:`LOG_INTERVAL` in a log (the stream is not a TTY, or ``CI`` is set to true). Lines never carry control
characters (no carriage return, no colours), so a CI log reads them as they are. The clock is injected (unit
tests use a fake one); :func:`progress_writer` gives the function that writes a line past pytest's output
capture, to stderr (an xdist worker's stderr is the controller's).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Mapping

from conformance.cases.streams import MIB

PREFIX = "jss-conformance: progress "
#: Seconds between two lines on a terminal, and in a log (not a TTY, or a CI run).
TERMINAL_INTERVAL = 5.0
LOG_INTERVAL = 30.0
_UNITS = (("GiB", 1024 * MIB), ("MiB", MIB), ("KiB", 1024))


def is_ci(environ: Mapping[str, str] | None = None) -> bool:
    """True when the environment says this is a CI run (``CI`` set to true, 1 or yes)."""
    value = (os.environ if environ is None else environ).get("CI", "")
    return value.strip().lower() in ("true", "1", "yes")


def interval_for(stream, environ: Mapping[str, str] | None = None) -> float:
    """The interval between lines for output to `stream`: TERMINAL_INTERVAL on a TTY outside CI, else
    LOG_INTERVAL."""
    isatty = getattr(stream, "isatty", None)
    terminal = bool(isatty and isatty())
    return TERMINAL_INTERVAL if terminal and not is_ci(environ) else LOG_INTERVAL


def size_text(count: float) -> str:
    """Bytes in the largest binary unit that keeps the number at least 1 (``1.5 MiB``, ``512 B``)."""
    for unit, factor in _UNITS:
        if count >= factor:
            return f"{count / factor:.1f} {unit}"
    return f"{count:.0f} B"


def seconds_text(seconds: float) -> str:
    """A duration as ``42 s``, ``3 min 05 s`` or ``1 h 02 min``."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def progress_line(label: str, done: int, total: int | None, elapsed: float) -> str:
    """One progress line: bytes done (of the total, with the share), the mean rate and the ETA until the
    total is reached (no ETA without a total)."""
    rate = done / elapsed if elapsed > 0 else 0.0
    text = f"{PREFIX}{label}: {size_text(done)}"
    if total:
        text += f" of {size_text(total)} ({min(100, done * 100 // total)}%)"
    if not total or done < total:  # once the total is reached the mean rate only falls: not shown
        text += f", {size_text(rate)}/s"
    if total and done < total:
        text += f", ETA {seconds_text((total - done) / rate)}" if rate > 0 else ", ETA unknown"
    return text + f", {seconds_text(elapsed)} elapsed"


class Progress:
    """Bytes done of one piece of long work, printed every `interval` seconds through `write`."""

    def __init__(self, label: str, total: int | None, write: Callable[[str], None], interval: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.label, self.total, self.write, self.interval, self.clock = label, total, write, interval, clock
        self.done = 0
        self.started = clock()
        self.last = self.started

    def update(self, done: int | None = None, *, add: int = 0) -> bool:
        """Set the bytes done (or add to them); print a line when the interval has passed. True when it
        printed."""
        if done is not None:
            self.done = done
        self.done += add
        now = self.clock()
        if now - self.last < self.interval:
            return False
        self.last = now
        self.write(progress_line(self.label, self.done, self.total, now - self.started))
        return True

    @property
    def elapsed(self) -> float:
        """Seconds since the work started."""
        return self.clock() - self.started


def _capture_suspended(config):
    """A context manager that suspends pytest's output capture (as ``capsys.disabled()`` does)."""
    capture = config.pluginmanager.getplugin("capturemanager")
    return capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext()


def progress_writer(config) -> Callable[[str], None]:
    """A function that writes one line to stderr past pytest's capture."""

    def write(line: str) -> None:
        with _capture_suspended(config):
            print(line, file=sys.stderr, flush=True)

    return write


def progress_for(config, label: str, total: int | None,
                 clock: Callable[[], float] = time.monotonic) -> Progress:
    """A Progress that prints to this run's stderr at the interval its kind of output calls for (whether
    stderr is a TTY is asked with the capture suspended: under capture it never is)."""
    with _capture_suspended(config):
        interval = interval_for(sys.stderr)
    return Progress(label, total, progress_writer(config), interval, clock)
