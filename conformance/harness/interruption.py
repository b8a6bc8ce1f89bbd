"""An interrupted run cleans up after itself: SIGINT handling, the workers told at once, a sweep of the run
folder.

- The first SIGINT raises KeyboardInterrupt as usual (pytest stops, the case in flight is INTERRUPTED, its
  finalizer aborts the uploads and deletes the objects its tracker saw). Later SIGINTs are ignored, so that a
  second Ctrl-C (or the SIGINT a terminal sends to every process of the group, then the controller's) cannot
  cut that cleanup short. SIGTERM and SIGKILL still end the process at once.
- Under xdist, the controller passes its first SIGINT on to the workers straight away (otherwise execnet
  interrupts them only after 5 s, and they keep starting cases meanwhile).
- After the session, the controller sweeps the run folder (``<run id>/``) in every bucket of the target: an
  upload whose initiate answer the interrupt swallowed is known to no tracker, but it is listed under the
  run's prefix. What cannot be removed is reported with the exact ``jss-conformance sweep`` command.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from conformance import operations as ops
from conformance.client import JssClient
from conformance.harness.sweeping import sweep_bucket
from conformance.outcomes import InfraError
from conformance.target import Target
from conformance.tls import new_session

#: Per-request timeout of the sweep after an interrupt (seconds): the user is waiting.
SWEEP_TIMEOUT = 10.0


class InterruptHandler:
    """A SIGINT handler: the first signal raises KeyboardInterrupt (after telling `on_first`), later ones are
    ignored. Install with :meth:`install` (main thread only), undo with :meth:`restore`."""

    def __init__(self, on_first: Callable[[], None] = lambda: None) -> None:
        self.received = 0
        self._on_first = on_first
        self._previous = None
        self._installed = False

    def __call__(self, signum, frame) -> None:
        self.received += 1
        if self.received == 1:
            try:
                self._on_first()
            finally:
                raise KeyboardInterrupt

    def install(self) -> bool:
        """Install as the SIGINT handler (False when not in the main thread, or SIGINT is ignored)."""
        if threading.current_thread() is not threading.main_thread():
            return False
        current = signal.getsignal(signal.SIGINT)
        if current is signal.SIG_IGN:
            return False  # started in the background with SIGINT ignored: keep it so
        self._previous = current
        signal.signal(signal.SIGINT, self)
        self._installed = True
        return True

    def restore(self) -> None:
        """Put the previous SIGINT handler back."""
        if self._installed and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False


def install_handler(state) -> None:
    """Cases are about to run in this process (or in its xdist workers): install the SIGINT handler, which
    notes the signal in `state` (a HarnessState) and passes it on to the workers."""

    def first_signal() -> None:
        state.signal_name = "SIGINT"
        signal_workers(state.worker_pids)

    state.interrupt_handler = InterruptHandler(first_signal)
    state.interrupt_handler.install()


def worker_pid(node) -> int | None:
    """The process id of an xdist worker (its execnet popen gateway), None when it cannot be told."""
    popen = getattr(getattr(getattr(node, "gateway", None), "_io", None), "popen", None)
    pid = getattr(popen, "pid", None)
    return pid if isinstance(pid, int) else None


def signal_workers(pids: list[int]) -> None:
    """Send SIGINT to the worker processes still alive (their own handler ignores a second one)."""
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGINT)


@dataclass
class SweepOutcome:
    """What the sweep after an interrupt removed, and what it could not (one line each)."""

    aborted: int = 0
    deleted: int = 0
    problems: list[str] = field(default_factory=list)


def sweep_run_folder(target: Target, run_id: str, timeout: float = SWEEP_TIMEOUT) -> SweepOutcome:
    """Abort the uploads and delete the objects under ``<run_id>/`` in every bucket of `target`."""
    folder = f"{run_id}/"
    outcome = SweepOutcome()
    with new_session(target.tls, target.endpoint) as session:
        for bucket in target.buckets:
            client = JssClient(bucket.endpoint, target.credentials, timeout=timeout, session=session)
            try:
                report = sweep_bucket(client, bucket, folder, say=lambda _line: None)
            except (InfraError, ops.ApiError, AssertionError) as exc:
                outcome.problems.append(f"{bucket.name}: {str(exc).splitlines()[0] if str(exc) else exc!r}")
                continue
            outcome.aborted += len(report.aborted)
            outcome.deleted += len(report.deleted)
            outcome.problems += [f"{bucket.name}: {problem}" for problem in report.failures]
    return outcome


def sweep_command(target: Target, run_id: str) -> str:
    """The exact command that removes what the run left under its folder."""
    parts = ["jss-conformance", "sweep"]
    if target.source and target.source != "environment":
        parts += ["--target", target.source]
    parts += ["--prefix", f"{run_id}/"]
    return shlex.join(parts)
