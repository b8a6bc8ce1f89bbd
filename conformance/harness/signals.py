"""The signals that stop a run (SIGINT, SIGTERM, SIGHUP), handled alike, and the exit status each one gives.

Whatever stops a run (Ctrl-C, ``kill``, a CI timeout or cancel, a closed terminal), the case in flight is
INTERRUPTED (never PASS), its cleanup runs, the run folder is swept and results.json says which signal stopped
the run (see conformance.harness.interruption and conformance.harness.case_interruption).

- The first signal is noted and passed on (``on_first``, e.g. to the workers); later ones are ignored, so that
  a second Ctrl-C, or the SIGINT a terminal sends to every process of the group, cannot cut the cleanup short.
- Where the signal takes effect depends on the section the process is in: in a *raising* section (a case's
  setup or call, the cases' loop, collection) it raises :class:`RunInterrupted` at once; in a *deferred* one
  (a case's teardown, i.e. its cleanup; the reporting between a case's phases; the start of the session; the
  xdist controller's loop, whose workers stop by themselves) it is noted and raised at the next
  :meth:`InterruptHandler.check` or raising section.
- SIGINT and SIGTERM are handled even when the run started with them ignored (a run started with ``&`` from
  a non-interactive shell ignores SIGINT: ``kill -INT`` would do nothing); SIGHUP stays ignored when it was
  (``nohup``: the user asked the run to outlive the terminal).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator

#: The signals that stop a run, by name (a platform without one, e.g. Windows and SIGHUP, skips it).
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")
#: Left ignored when the run started with them ignored (nohup).
KEEP_IGNORED = ("SIGHUP",)
#: pytest's own exit status for an interrupted session, kept for SIGINT (Ctrl-C).
SIGINT_EXIT_STATUS = 2


def exit_status(signal_name: str) -> int:
    """The exit status of a run that `signal_name` stopped (after its cleanup and reports): 2 for SIGINT
    (pytest's status for an interrupted session), 128 + the signal's number for the others (143 for SIGTERM,
    129 for SIGHUP: what a shell reports for a process the signal ended, which CI runners and supervisors
    that send it expect)."""
    if signal_name == "SIGINT":
        return SIGINT_EXIT_STATUS
    number = getattr(signal, signal_name, None)
    return 128 + int(number) if number is not None else SIGINT_EXIT_STATUS


class RunInterrupted(KeyboardInterrupt):
    """A stop signal ends the run (pytest handles it as it handles Ctrl-C)."""


def signal_number(name: str) -> int | None:
    """The number of the signal `name` on this platform (None: it has none)."""
    number = getattr(signal, name, None)
    return int(number) if number is not None else None


class InterruptHandler:
    """The handler of the stop signals. Install with :meth:`install` (main thread only), undo with
    :meth:`restore`; choose where a signal takes effect with :meth:`deferring` and :meth:`raising`."""

    def __init__(self, on_first: Callable[[str], None] | None = None, *, deferred: bool = False) -> None:
        self.received = 0
        self.signal_name: str | None = None
        self.deferred = deferred
        self._on_first = on_first or (lambda _name: None)
        self._previous: dict[int, object] = {}
        self._grace: float | None = None
        self._timer: threading.Timer | None = None
        self._forced = False

    @property
    def reason(self) -> str:
        """``interrupted by SIGTERM`` (the first signal received)."""
        return f"interrupted by {self.signal_name or 'a signal'}"

    def __call__(self, signum: int, frame: object) -> None:
        self.received += 1
        if self.received == 1:
            self.signal_name = signal.Signals(signum).name
            self._on_first(self.signal_name)
            if not self.deferred:
                raise RunInterrupted(self.reason)
            if self._grace is not None:
                self._force_after(self._grace)
        elif self._forced:
            self._forced = False
            raise RunInterrupted(self.reason)

    def check(self) -> None:
        """Raise RunInterrupted when a signal was received (a deferred one takes effect here)."""
        if self.received:
            raise RunInterrupted(self.reason)

    @contextlib.contextmanager
    def deferring(self, grace: float | None = None) -> Iterator[None]:
        """A section where a signal is only noted; with `grace`, it raises anyway that many seconds after it
        came (a section that waits on other processes must not wait for ever)."""
        previous = (self.deferred, self._grace)
        self.deferred, self._grace = True, grace
        try:
            yield
        finally:
            self.deferred, self._grace = previous
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    @contextlib.contextmanager
    def raising(self) -> Iterator[None]:
        """A section where a signal raises at once; one noted before raises on entry."""
        self.check()
        previous = self.deferred
        self.deferred = False
        try:
            yield
        finally:
            self.deferred = previous

    def carry_over(self, early: InterruptHandler) -> None:
        """Take on the signal an earlier handler noted (told to ``on_first`` as if it came now)."""
        if early.received and not self.received:
            self.received, self.signal_name = early.received, early.signal_name
            self._on_first(self.signal_name)

    def _force_after(self, seconds: float) -> None:
        def fire() -> None:
            self._forced = True
            os.kill(os.getpid(), signal.SIGINT)  # handled by this handler (SIGINT is always installed)

        self._timer = threading.Timer(seconds, fire)
        self._timer.daemon = True
        self._timer.start()

    def install(self) -> bool:
        """Install as the handler of every stop signal (see the module text); False when not in the main
        thread."""
        if threading.current_thread() is not threading.main_thread():
            return False
        for name in STOP_SIGNALS:
            number = signal_number(name)
            if number is None:
                continue
            current = signal.getsignal(number)
            if name in KEEP_IGNORED and current is signal.SIG_IGN:
                continue
            self._previous[number] = current
            signal.signal(number, self)
        return True

    def restore(self) -> None:
        """Put the previous handlers back."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if threading.current_thread() is not threading.main_thread():
            return
        while self._previous:
            number, previous = self._previous.popitem()
            signal.signal(number, previous if previous is not None else signal.SIG_DFL)


#: The handler `jss-conformance run` installs first thing (see hold_early).
_EARLY: list[InterruptHandler] = []


def hold_early() -> None:
    """Install a deferring handler now, at the start of a command that runs the suite: a stop signal that
    comes before the run's own handler is installed (imports, the embedded endpoint's prestart) is noted and
    carried over to it (:func:`release_early`), instead of ending the process with no report written."""
    handler = InterruptHandler(deferred=True)
    if handler.install():
        _EARLY.append(handler)


def release_early() -> InterruptHandler | None:
    """Uninstall the early handler and return it (None: there was none, or it was released already); its
    ``received`` says whether a signal came meanwhile."""
    if not _EARLY:
        return None
    handler = _EARLY.pop()
    handler.restore()
    return handler


@contextlib.contextmanager
def blocked() -> Iterator[None]:
    """Hold the stop signals back (delivered when the block ends): e.g. across a fork, so that a child never
    runs its parent's handler."""
    numbers = {n for n in (signal_number(name) for name in STOP_SIGNALS) if n is not None}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, numbers)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def unblock_all() -> None:
    """Let the stop signals through again (a forked child, once its own handler is installed)."""
    numbers = {n for n in (signal_number(name) for name in STOP_SIGNALS) if n is not None}
    signal.pthread_sigmask(signal.SIG_UNBLOCK, numbers)
