"""An interrupted run cleans up after itself: the stop signals' handler installed, the workers told at once,
a sweep of the run folder.

- SIGINT, SIGTERM and SIGHUP are handled alike (conformance.harness.signals): the case in flight is
  INTERRUPTED, its finalizers abort the uploads and delete the objects its tracker saw
  (conformance.harness.case_interruption). Later signals are ignored, so that a second Ctrl-C (or the SIGINT
  a terminal sends to every process of the group, then the controller's) cannot cut that cleanup short.
  SIGKILL still ends the process at once (forked workers then stop by themselves: parent_watch).
- The controller passes its first signal on to its workers (xdist's and forked ones) straight away
  (otherwise execnet interrupts xdist's only after 5 s, and they keep starting cases meanwhile).
- After the session, the controller sweeps the run folder (``<run id>/``) in every bucket of the target: an
  upload whose initiate answer the interrupt swallowed is known to no tracker, but it is listed under the
  run's prefix. What cannot be removed is reported with the exact ``jss-conformance sweep`` command.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
from dataclasses import dataclass, field

from conformance import operations as ops
from conformance.client import JssClient
from conformance.harness.signals import InterruptHandler, release_early, signal_number
from conformance.harness.sweeping import sweep_bucket
from conformance.outcomes import InfraError
from conformance.target import Target
from conformance.tls import new_session

#: Per-request timeout of the sweep after an interrupt (seconds): the user is waiting.
SWEEP_TIMEOUT = 10.0


def install_handler(state, *, deferred: bool = False) -> None:
    """This process runs cases, or is their controller: install the stop signals' handler (see
    conformance.harness.signals), which notes the signal in `state` (a HarnessState) and passes it on to the
    workers. `deferred`: a signal is only noted until a raising section or a check."""

    def first_signal(name: str) -> None:
        state.signal_name = name
        signal_workers(state.worker_pids, name)

    if state.interrupt_handler is not None:
        state.interrupt_handler.restore()
    early = release_early()  # `jss-conformance run`'s own, installed before pytest started
    state.interrupt_handler = InterruptHandler(first_signal, deferred=deferred)
    state.interrupt_handler.install()
    if early is not None:
        state.interrupt_handler.carry_over(early)


def worker_pid(node) -> int | None:
    """The process id of an xdist worker (its execnet popen gateway), None when it cannot be told."""
    popen = getattr(getattr(getattr(node, "gateway", None), "_io", None), "popen", None)
    pid = getattr(popen, "pid", None)
    return pid if isinstance(pid, int) else None


def signal_workers(pids: list[int], name: str = "SIGINT") -> None:
    """Send the signal `name` to the worker processes still alive (their own handler ignores a second
    one)."""
    number = signal_number(name) or signal.SIGINT
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, number)


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
