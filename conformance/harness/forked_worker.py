"""The worker side of ``--jss-workers`` (see conformance.harness.forking): a process forked after collection
that runs the cases the controller gives it and sends back what the controller's plugins need.

Messages to the controller are length-prefixed pickles of tuples (``logstart``, ``report``, ``logfinish``,
``warning``, ``stop``, ``interrupted``, ``error``, ``done``); the controller sends case indexes (-1: no more).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import struct
import sys

import pytest

from conformance.harness import allure_writer, interruption, signals
from conformance.harness.parent_watch import exit_with_parent
from conformance.harness.state import harness_state

HEADER = struct.Struct("!I")
INDEX = struct.Struct("!i")


class StopFlag:
    """Set by the controller when the run stops (-x, --maxfail, an interrupt); read by every worker before
    it starts a case it was given."""

    def __init__(self) -> None:
        self._value = multiprocessing.get_context("fork").RawValue("b", 0)

    def set(self) -> None:
        self._value.value = 1

    def __bool__(self) -> bool:
        return bool(self._value.value)


# --- the worker side -------------------------------------------------------------------------------------


class _Channel:
    """Length-prefixed pickles to the controller (nothing, once the controller is gone: the worker still
    finishes its cleanup)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.gone = False

    def send(self, *message) -> None:
        if self.gone:
            return
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(HEADER.pack(len(data)) + data)
        try:
            while view:
                view = view[os.write(self.fd, view) :]
        except OSError:  # EPIPE: the controller died
            self.gone = True


class _Inbox:
    """The case indexes the controller gives this worker (-1, or the pipe closed: no more)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def next(self) -> int | None:
        data = b""
        while len(data) < INDEX.size:
            chunk = os.read(self.fd, INDEX.size - len(data))
            if not chunk:
                return None
            data += chunk
        (index,) = INDEX.unpack(data)
        return index if index >= 0 else None


class _Forwarder:
    """Registered in a worker: sends what the controller's reporting plugins need."""

    def __init__(self, config: pytest.Config, channel: _Channel) -> None:
        self.config = config
        self.channel = channel

    def pytest_runtest_logstart(self, nodeid: str, location) -> None:  # noqa: D102 - pytest hook
        self.channel.send("logstart", nodeid, location)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:  # noqa: D102 - pytest hook
        data = self.config.hook.pytest_report_to_serializable(config=self.config, report=report)
        self.channel.send("report", data)

    def pytest_runtest_logfinish(self, nodeid: str, location) -> None:  # noqa: D102 - pytest hook
        self.channel.send("logfinish", nodeid, location)

    def pytest_warning_recorded(self, warning_message, when: str, nodeid: str, location) -> None:  # noqa: D102
        text = f"{warning_message.category.__name__}: {warning_message.message}"
        self.channel.send("warning", text, warning_message.filename, warning_message.lineno, when, nodeid)


def _become_worker(session: pytest.Session, index: int, channel: _Channel, controller: int) -> None:
    """Turn the forked copy into a worker: own prefix, signal handler, captures and Allure writer; no
    terminal output (the controller prints); it ends when the `controller` process does."""
    config = session.config
    state = harness_state(config)
    state.is_worker, state.worker_id, state.worker_pids = True, f"fw{index}", []
    state.reference = None  # the controller's to stop, never a worker's
    state.signal_name = None
    interruption.install_handler(state)
    exit_with_parent(controller)
    capture = config.pluginmanager.get_plugin("capturemanager")
    if capture is not None and capture.is_globally_capturing():
        capture.stop_global_capturing()  # the controller's temporary files: a worker captures into its own
        capture.start_global_capturing()
    allure_writer.after_fork()
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        config.pluginmanager.unregister(reporter)
    config.pluginmanager.register(_Forwarder(config, channel), "jss_fork_forwarder")


def _work(session: pytest.Session, inbox: _Inbox, stop: StopFlag, channel: _Channel) -> int:
    """Run the cases the controller gives, one at a time, until there is none or the run stops; the
    finalizers run in the end, also after an interrupt. Returns the worker's exit status.

    pytest tears a case down as far as the next case needs (``nextitem``); the next case a worker gets is not
    known in advance (a worker that reserved one would hold it back behind a long case), so each case is run
    as if the next in collection order followed, which keeps the session fixtures, and before a case starts
    whatever the previous one kept that it does not share (a module) is torn down."""
    items = session.items
    status = 0
    handler = harness_state(session.config).interrupt_handler
    try:
        index = inbox.next()
        while index is not None and not stop:
            item = items[index]
            with handler.deferring():  # cleanup of the previous case's module: not cut short
                session._setupstate.teardown_exact(item)
            nextitem = items[index + 1] if index + 1 < len(items) else None
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
            if session.shouldstop or session.shouldfail:
                channel.send("stop", str(session.shouldstop or ""), str(session.shouldfail or ""))
                break
            index = inbox.next()
    except KeyboardInterrupt:
        channel.send("interrupted")
        status = 2
    finally:
        try:
            handler.deferred = True  # from now on a signal waits: nothing is left but cleanup
            session._setupstate.teardown_exact(None)  # the remaining finalizers: the cleanup of a cut case
        except BaseException as exc:  # noqa: BLE001 - told to the controller, the worker ends anyway
            channel.send("error", f"{type(exc).__name__}: {exc}")
            status = status or 3
        with contextlib.suppress(BaseException):
            allure_writer.close_all()
    return status


def worker_main(
    session: pytest.Session, index: int, inbox_fd: int, stop: StopFlag, fd: int, controller: int
) -> None:
    """The forked process (started with the stop signals blocked, see forking): work, then leave without
    running the controller's exit handlers."""
    status = 4
    try:
        channel = _Channel(fd)
        _become_worker(session, index, channel, controller)
        signals.unblock_all()
        status = _work(session, _Inbox(inbox_fd), stop, channel)
        channel.send("done")
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)
