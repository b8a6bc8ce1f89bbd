"""How a run ended (conformance.harness.ending), the SIGINT handler, and results.json compatibility."""

from __future__ import annotations

import signal

import pytest

from conformance import outcomes as oc
from conformance.harness.ending import NO_CASE_SELECTED, run_ending
from conformance.harness.interruption import InterruptHandler
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


def test_harness_interrupt_handler_raises_once_then_ignores():
    noted = []
    handler = InterruptHandler(lambda: noted.append("first"))
    assert handler.install()
    try:
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)  # a second one during the cleanup: ignored
        signal.raise_signal(signal.SIGINT)
    finally:
        handler.restore()
    assert noted == ["first"] and handler.received == 3
    assert signal.getsignal(signal.SIGINT) is not handler


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
