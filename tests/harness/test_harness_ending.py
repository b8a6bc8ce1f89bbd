"""How a run ended (conformance.harness.ending), the stop signals' handler, and results.json compatibility."""

from __future__ import annotations

import signal
import time

import pytest

from conformance import outcomes as oc
from conformance.harness.ending import NO_CASE_SELECTED, run_ending
from conformance.harness.interruption import install_handler
from conformance.harness.signals import (
    InterruptHandler,
    RunInterrupted,
    exit_status,
    hold_early,
    release_early,
)
from conformance.harness.state import HarnessState
from conformance.report.results import run_info, validation_errors

ENDINGS = {
    "completed": (dict(exitstatus=0), (oc.COMPLETED, None, "")),
    "failures-still-completed": (dict(exitstatus=1), (oc.COMPLETED, None, "")),
    "sigint-during-cases": (
        dict(exitstatus=2, interrupt=KeyboardInterrupt(), signal_name="SIGINT", any_case_started=True),
        (oc.INTERRUPTED_RUN, "cases", "interrupted by SIGINT"),
    ),
    "sigint-before-any-case": (
        dict(exitstatus=2, interrupt=KeyboardInterrupt(), signal_name="SIGINT"),
        (oc.INTERRUPTED_RUN, "setup", "interrupted by SIGINT"),
    ),
    "our-shouldstop": (
        dict(
            exitstatus=2,
            interrupt=pytest.Session.Interrupted("5 INFRA_ERROR outcomes"),
            any_case_started=True,
        ),
        (oc.STOPPED, "cases", "5 INFRA_ERROR outcomes"),
    ),
    "exitfirst": (
        dict(exitstatus=1, shouldfail="stopping after 1 failures", any_case_started=True),
        (oc.STOPPED, "cases", "stopping after 1 failures"),
    ),
    "nothing-selected": (dict(exitstatus=5), (oc.STOPPED, "setup", NO_CASE_SELECTED)),
}


@pytest.mark.parametrize(("given", "expected"), ENDINGS.values(), ids=ENDINGS.keys())
def test_harness_run_ending(given, expected):
    arguments = dict(interrupt=None, signal_name=None, any_case_started=False) | given
    ending = run_ending(**arguments)
    assert (ending.status, ending.stopped_at, ending.reason) == expected


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_harness_interrupt_handler_raises_once_then_ignores(name):
    noted = []
    number = getattr(signal, name)
    handler = InterruptHandler(noted.append)
    assert handler.install()
    try:
        with pytest.raises(RunInterrupted, match=f"interrupted by {name}"):
            signal.raise_signal(number)
        signal.raise_signal(number)  # a second one during the cleanup: ignored
        signal.raise_signal(signal.SIGINT)
    finally:
        handler.restore()
    assert noted == [name] and handler.received == 3 and handler.signal_name == name
    assert signal.getsignal(number) is not handler


def test_harness_interrupt_handler_defers_then_raises_where_told():
    handler = InterruptHandler(deferred=True)
    assert handler.install()
    try:
        signal.raise_signal(signal.SIGTERM)  # deferred: only noted
        assert handler.received == 1
        with pytest.raises(RunInterrupted), handler.raising():  # a noted one raises on entry
            pytest.fail("the raising section was entered")
        with handler.deferring():
            signal.raise_signal(signal.SIGTERM)  # a second one: ignored
        with pytest.raises(RunInterrupted, match="SIGTERM"):
            handler.check()
    finally:
        handler.restore()


def test_harness_interrupt_handler_deferring_with_grace_raises_in_the_end():
    handler = InterruptHandler()
    assert handler.install()
    try:
        with pytest.raises(RunInterrupted), handler.deferring(grace=0.2):
            signal.raise_signal(signal.SIGTERM)
            time.sleep(5)  # the grace ends first: the handler raises here
    finally:
        handler.restore()


def test_harness_interrupt_handler_takes_sigint_even_when_ignored_but_leaves_nohup_alone():
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGHUP)}
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a background job of a non-interactive shell
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # nohup
    handler = InterruptHandler()
    try:
        assert handler.install()
        assert signal.getsignal(signal.SIGINT) is handler
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        handler.restore()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        handler.restore()
        for number, old in previous.items():
            signal.signal(number, old)


def test_harness_a_signal_before_the_run_handler_is_carried_over_to_it():
    previous = signal.getsignal(signal.SIGTERM)
    hold_early()  # what `jss-conformance run` does first
    signal.raise_signal(signal.SIGTERM)  # during the imports: noted, the process lives on
    state = HarnessState(worker_pids=[])
    install_handler(state, deferred=True)  # the plugin, at configure
    try:
        assert state.signal_name == "SIGTERM" and release_early() is None
        with pytest.raises(RunInterrupted, match="SIGTERM"):
            state.interrupt_handler.check()  # at collection: the run stops as interrupted
    finally:
        state.interrupt_handler.restore()
    assert signal.getsignal(signal.SIGTERM) == previous


@pytest.mark.parametrize(("name", "status"), [("SIGINT", 2), ("SIGTERM", 143), ("SIGHUP", 129)])
def test_harness_exit_status_per_signal(name, status):
    assert exit_status(name) == status


def _document(**run_fields) -> dict:
    run = run_info(
        target="t", endpoint="", dialect="jss", regions=[], started=0.0, finished=1.0, **run_fields
    )
    return {"run": run, "cases": [{"id": "a.py::t", "clauses": [], "outcome": "INTERRUPTED",
                                   "duration_ms": 0, "message": "the run was interrupted"}]}


def test_harness_results_schema_takes_the_ending_and_older_files():
    assert validation_errors(_document(status="interrupted", stopped_at="cases", reason="SIGINT")) == []
    older = _document()
    for key in ("status", "reason"):
        older["run"].pop(key)
    older["cases"][0]["outcome"] = "PASS"
    assert validation_errors(older) == []  # a file from before the fields existed
    assert validation_errors(_document(status="aborted")) != []
