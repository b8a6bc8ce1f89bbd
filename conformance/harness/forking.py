"""``--jss-workers N``: the collected cases run in N processes forked from this one, for far targets.

A far target makes every case wait on round trips, so a run gains from many cases in flight at once. xdist's
workers each start an interpreter, import the plugins and collect the suite again (about one CPU-second each
here), so on a small machine their start-up, not the network, bounds a far run. Forked workers start from
this process after collection: nothing is imported or collected again.

How it runs (POSIX only):

- After collection the controller (this process) forks N workers and gives each one case at a time, the
  next when it finished one (so no case waits behind a long one). A worker runs pytest's whole protocol for
  it, setup, call and teardown, with its own fixtures, captures, Allure writer and key prefix
  (``<run id>/fw<i>/``), and sends the phase reports to the controller through a pipe. The controller hands
  them to its plugins as if the cases had run here (terminal, results.json, junit), like xdist's controller.
- A worker's session fixtures are its own; its cleanup (each case's finalizers) runs in the worker.
- SIGINT, SIGTERM, SIGHUP: the controller passes its first one on to the workers; each worker stops its case
  (INTERRUPTED, never PASS), runs the finalizers (the cleanup) and exits; the controller waits for them all
  and then ends the run as interrupted (sweep included), as a serial run does. A worker whose controller
  died (even by SIGKILL) gets SIGTERM (conformance.harness.parent_watch): it never outlives it.
- The controller hands each case's messages to its plugins when the case finished, in the order the cases
  were given out (conformance.harness.forked_replay), with no worker label: the terminal prints like a serial
  run's.
- A worker that dies in the middle of a case makes that case an INFRA_ERROR (never PASS); a case it was
  given and had not started goes to another worker.
- A stop (``-x``, ``--maxfail``, ``--jss-max-infra-errors``) stops handing out cases.
"""

from __future__ import annotations

import collections
import contextlib
import os
import pickle
import selectors
import signal
import sys
import time
import warnings
from dataclasses import dataclass

import pytest

from conformance.harness import allure_writer, interruption, signals
from conformance.harness.auto_workers import FAR_RTT
from conformance.harness.case_interruption import in_flight_message
from conformance.harness.case_reports import infra_stop
from conformance.harness.forked_replay import CaseReplay
from conformance.harness.forked_worker import HEADER, INDEX, StopFlag, worker_main
from conformance.harness.state import harness_state

#: Seconds the controller waits for interrupted workers to finish their cleanup before killing them.
INTERRUPT_GRACE = 120.0


#: Workers of ``--jss-workers auto`` for a far target (one whose round trip is at least FAR_RTT); a near one
#: gets one per core.
AUTO_FAR_WORKERS = 16
MAX_WORKERS = 64


def check_option(config: pytest.Config) -> str | None:
    """What is wrong with ``--jss-workers`` in this run (None: nothing)."""
    value = config.option.jss_workers
    if value is None:
        return None
    if value != "auto" and not (value.isdigit() and 0 <= int(value) <= MAX_WORKERS):
        return f"--jss-workers takes auto or a number from 0 to {MAX_WORKERS}, not {value!r}"
    if not hasattr(os, "fork"):
        return "--jss-workers needs os.fork (not available on this platform); use -n N (pytest-xdist)"
    if getattr(config.option, "numprocesses", None) or getattr(config.option, "dist", "no") != "no":
        return "--jss-workers and xdist's -n/--dist exclude each other"
    return None


def worker_count(config: pytest.Config, round_trip: float | None) -> int:
    """How many workers to fork (0: run the cases in this process); auto goes by `round_trip`, the fastest
    of the preflight's probes (None: not measured, taken as near)."""
    value = config.option.jss_workers
    if value is None:
        return 0
    if value != "auto":
        return int(value)
    if round_trip is not None and round_trip >= FAR_RTT:
        return AUTO_FAR_WORKERS
    cores = os.cpu_count() or 1
    return cores if cores >= 2 else 0  # near: CPU-bound, one per core (measured faster than in-process)


# --- the controller side ---------------------------------------------------------------------------------


@dataclass
class _Worker:
    index: int
    pid: int
    fd: int  # the worker's reports
    inbox: int  # the case indexes for the worker
    given: int | None = None  # the case sent to it and not finished yet
    buffer: bytes = b""
    current: tuple[str, tuple] | None = None  # (nodeid, location) of the case it runs
    done: bool = False
    status: int | None = None


def _fork_workers(session: pytest.Session, count: int, stop: StopFlag) -> list[_Worker]:
    """Fork `count` workers (call with the stop signals blocked: a child never runs the controller's handler;
    it unblocks them once its own is installed)."""
    workers: list[_Worker] = []
    allure_writer.flush_all()  # nothing queued in the controller may be written again by a worker
    sys.stdout.flush()
    sys.stderr.flush()
    controller = os.getpid()
    for index in range(count):
        read_fd, write_fd = os.pipe()
        inbox_read, inbox_write = os.pipe()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork() with threads running
            pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            os.close(inbox_write)
            for worker in workers:
                os.close(worker.fd)
                os.close(worker.inbox)
            worker_main(session, index, inbox_read, stop, write_fd, controller)
        workers.append(_Worker(index, pid, read_fd, inbox_write))
        harness_state(session.config).worker_pids.append(pid)  # the controller's first signal reaches it
        os.close(write_fd)
        os.close(inbox_read)
    return workers


class _Controller:
    """Gives each worker its next case when it finished one; hands their messages to this process's
    plugins."""

    def __init__(self, session: pytest.Session, workers: list[_Worker], stop: StopFlag) -> None:
        self.session = session
        self.config = session.config
        self.workers = workers
        self.stop = stop
        self.pending = collections.deque(range(len(session.items)))
        self.replay = CaseReplay(self.config, self._after_report)
        self.interrupted = False
        self.infra_errors = 0
        self.selector = selectors.DefaultSelector()
        for worker in workers:
            self.selector.register(worker.fd, selectors.EVENT_READ, worker)
        for worker in workers:
            self._give(worker)

    def _give(self, worker: _Worker) -> None:
        """Send `worker` the next case (or, when none is left or the run stops, the end)."""
        if worker.inbox < 0:
            return
        index = self.pending.popleft() if self.pending and not self.stop else -1
        try:
            os.write(worker.inbox, INDEX.pack(index))
        except OSError:  # the worker is gone; its cases go back (see _ended)
            index = -1
        if index >= 0:
            worker.given = index
            self.replay.given(index)
        else:
            os.close(worker.inbox)
            worker.inbox = -1

    def halt(self) -> None:
        """Start no further case (the ones running finish)."""
        self.stop.set()

    def pump(self, timeout: float | None = None, stoppable: bool = True) -> None:
        """Handle what arrives within `timeout` seconds (None: until something arrives). When `stoppable`, a
        signal stops the controller while it waits, never in the middle of handing a message on (see
        run_forked)."""
        handler = harness_state(self.config).interrupt_handler
        stop_here = stoppable and handler is not None
        with handler.raising() if stop_here else contextlib.nullcontext():
            ready = self.selector.select(timeout)
        for key, _ in ready:
            worker: _Worker = key.data
            chunk = os.read(worker.fd, 1 << 16)
            if not chunk:
                self._ended(worker)
                continue
            worker.buffer += chunk
            while len(worker.buffer) >= HEADER.size:
                (length,) = HEADER.unpack_from(worker.buffer)
                if len(worker.buffer) < HEADER.size + length:
                    break
                data = worker.buffer[HEADER.size : HEADER.size + length]
                worker.buffer = worker.buffer[HEADER.size + length :]
                self._handle(worker, pickle.loads(data))

    @property
    def running(self) -> bool:
        """True while a worker has not ended."""
        return any(worker.status is None for worker in self.workers)

    def _handle(self, worker: _Worker, message: tuple) -> None:
        kind, *rest = message
        hook = self.config.hook
        if kind == "logstart":
            worker.current = (rest[0], tuple(rest[1]))
            self.replay.add(worker.given, "logstart", worker.current)
        elif kind == "report":
            report = hook.pytest_report_from_serializable(config=self.config, data=rest[0])
            self.replay.add(worker.given, "report", report)  # no report.node: printed as a serial run's
            if getattr(report, "jss_outcome", None) == "INFRA_ERROR":
                self._count_infra_error()
        elif kind == "logfinish":
            index, worker.current, worker.given = worker.given, None, None
            self.replay.add(index, "logfinish", (rest[0], tuple(rest[1])))
            self._give(worker)
        elif kind == "warning":
            text, filename, lineno, when, nodeid = rest
            record = warnings.WarningMessage(UserWarning(text), UserWarning, filename, lineno)
            hook.pytest_warning_recorded(warning_message=record, when=when, nodeid=nodeid, location=None)
        elif kind == "stop":
            self.halt()
            self.session.shouldstop = self.session.shouldstop or rest[0]
            self.session.shouldfail = self.session.shouldfail or rest[1]
        elif kind == "done":
            worker.done = True
        elif kind == "error":
            sys.stderr.write(f"jss-conformance: forked worker fw{worker.index}: {rest[0]}\n")

    def _ended(self, worker: _Worker) -> None:
        self.selector.unregister(worker.fd)
        os.close(worker.fd)
        if worker.inbox >= 0:
            os.close(worker.inbox)
            worker.inbox = -1
        _, raw = os.waitpid(worker.pid, 0)
        worker.status = os.waitstatus_to_exitcode(raw)
        if not worker.done:
            harness_state(self.config).workers_lost += 1
        if worker.current is not None and not worker.done and not self.interrupted:
            self._report_lost_case(worker)  # after an interrupt the case stays in flight: INTERRUPTED
        elif worker.given is not None and worker.current is None:
            self.replay.withdrawn(worker.given)
            self.pending.appendleft(worker.given)  # given, never started: the next worker to ask gets it
        worker.given = None

    def _count_infra_error(self) -> None:
        """--jss-max-infra-errors counts over all the workers: the limit stops handing out cases."""
        self.infra_errors += 1
        stop = infra_stop(self.config, self.infra_errors)
        if stop and not self.session.shouldstop:
            self.session.shouldstop = stop
            self.halt()

    def _after_report(self) -> None:
        if self.session.shouldfail or self.session.shouldstop:
            self.halt()

    def _report_lost_case(self, worker: _Worker) -> None:
        """A worker died in the middle of a case: that case is an INFRA_ERROR, never a PASS."""
        nodeid, location = worker.current
        message = f"forked worker fw{worker.index} ended (exit status {worker.status}) while this case ran"
        self.replay.lost(worker.given, nodeid, location, message)
        worker.current = None

    def kill_all(self) -> None:
        """SIGKILL the workers still running (after the grace period of an interrupt)."""
        for worker in self.workers:
            if worker.status is None:
                with contextlib.suppress(OSError):
                    os.kill(worker.pid, signal.SIGKILL)


def run_forked(session: pytest.Session, count: int) -> bool:
    """pytest_runtestloop with `count` forked workers (see the module docstring)."""
    if session.testsfailed and not session.config.option.continue_on_collection_errors:
        raise session.Interrupted(f"{session.testsfailed} error(s) during collection")
    if session.config.option.collectonly:
        return True
    state = harness_state(session.config)
    stop = StopFlag()
    with signals.blocked():  # a signal during the forks takes effect once the workers are all known
        workers = _fork_workers(session, max(1, min(count, len(session.items))), stop)
        controller = _Controller(session, workers, stop)
    handler = state.interrupt_handler
    try:
        with handler.deferring() if handler is not None else contextlib.nullcontext():
            while controller.running:
                controller.pump()
    except BaseException as exc:  # an interrupt, or an error of a plugin's hook: the workers stop too
        controller.interrupted = isinstance(exc, KeyboardInterrupt)
        controller.halt()
        # the signal the controller got (its handler passed it on already), else SIGINT: they clean up
        alive = [worker.pid for worker in workers if worker.status is None]
        interruption.signal_workers(alive, state.signal_name or "SIGINT")
        _drain_after_interrupt(controller)
        reason = handler.reason if handler is not None and handler.received else "interrupted"
        controller.replay.flush(in_flight_message(reason) if controller.interrupted else None)
        raise
    controller.replay.flush(None)
    if session.shouldfail:
        raise session.Failed(session.shouldfail)
    if session.shouldstop:
        raise session.Interrupted(session.shouldstop)
    if controller.pending:
        died = ", ".join(f"fw{w.index} (exit status {w.status})" for w in workers if not w.done)
        left = len(controller.pending)
        raise session.Interrupted(f"{left} cases did not run; the forked workers ended: {died}")
    return True


def _drain_after_interrupt(controller: _Controller) -> None:
    """Keep handing on the workers' reports while they clean up (their finalizers run on SIGINT); kill them
    after `INTERRUPT_GRACE`."""
    deadline = time.monotonic() + INTERRUPT_GRACE
    while controller.running:
        left = deadline - time.monotonic()
        if left <= 0:
            controller.kill_all()
            left = 5.0
            deadline = time.monotonic() + left
        with contextlib.suppress(KeyboardInterrupt, Exception):  # the run ends with the first error
            controller.pump(timeout=min(left, 1.0), stoppable=False)
