"""The controller of ``--jss-workers`` hands the workers' messages to its plugins case by case, in the order
the cases were given out (collection order), so that its terminal prints like a serial run: each progress
letter under its own file, each file once, the FAILURES section and the summary as pytest prints them for a
case that ran here (see conformance.harness.forking).

A case's messages (logstart, its phase reports, logfinish) wait until the case finished and every case given
out before it was handed on. When the run ends early, :meth:`CaseReplay.flush` hands on what is left: a case
in flight after an interrupt gets an INTERRUPTED report (never PASS), as it would in a serial run.
"""

from __future__ import annotations

import collections
from collections.abc import Callable

import pytest

from conformance import outcomes as oc


def _report(nodeid: str, location: tuple, when: str, outcome: str, message: str) -> pytest.TestReport:
    """A phase report the controller makes for a case its worker could not finish."""
    if outcome == oc.INTERRUPTED:
        longrepr: object = (str(location[0]), (location[1] or 0) + 1, f"{outcome}: {message}")
        report = pytest.TestReport(nodeid, location, {}, "skipped", longrepr, when, [], 0.0)
    else:
        report = pytest.TestReport(nodeid, location, {}, "failed", message, when, [], 0.0)
    report.jss_outcome, report.jss_message, report.jss_clauses = outcome, message, []
    return report


class CaseReplay:
    """The messages of the cases given out, handed to the plugins (``config.hook``) case by case, in order;
    `after_report` is called after each report (the controller stops handing out cases on -x)."""

    def __init__(self, config: pytest.Config, after_report: Callable[[], None]) -> None:
        self.hook = config.hook
        self._after_report = after_report
        self._order: collections.deque[int] = collections.deque()
        self._messages: dict[int, list[tuple[str, object]]] = {}
        self._finished: set[int] = set()

    def given(self, index: int) -> None:
        """Case `index` was given to a worker."""
        self._order.append(index)
        self._messages[index] = []

    def withdrawn(self, index: int) -> None:
        """Case `index` was given to a worker that ended before starting it: it goes to another one."""
        if index in self._messages and not self._messages[index]:
            self._order.remove(index)
            del self._messages[index]

    def add(self, index: int, kind: str, payload: object) -> None:
        """A message of case `index`: ``logstart`` (nodeid, location), ``report`` (a TestReport) or
        ``logfinish`` (nodeid, location); the last one finishes the case."""
        self._messages[index].append((kind, payload))
        if kind == "logfinish":
            self._finished.add(index)
            self._hand_on_finished()

    def lost(self, index: int, nodeid: str, location: tuple, message: str) -> None:
        """The worker of case `index` died in the middle of it: an INFRA_ERROR, never a PASS."""
        self.add(index, "report", _report(nodeid, location, "call", oc.INFRA_ERROR, message))
        self.add(index, "logfinish", (nodeid, location))

    def flush(self, interrupted: str | None) -> None:
        """The run ends: hand on every case left. With `interrupted` (the cases' message), a case in flight
        gets an INTERRUPTED report unless one of its reports already says so, and its logfinish; without,
        it stays in flight (logstart and its reports only)."""
        while self._order:
            index = self._order.popleft()
            messages = self._messages.pop(index)
            start = next((payload for kind, payload in messages if kind == "logstart"), None)
            if start is None:
                continue
            if index not in self._finished and interrupted is not None:
                reports = [payload for kind, payload in messages if kind == "report"]
                if not any(getattr(r, "jss_outcome", None) == oc.INTERRUPTED for r in reports):
                    when = "teardown" if any(r.when == "call" for r in reports) else "call"
                    messages.append(("report", _report(*start, when, oc.INTERRUPTED, interrupted)))
                messages.append(("logfinish", start))
            self._replay(messages)

    def _hand_on_finished(self) -> None:
        while self._order and self._order[0] in self._finished:
            index = self._order.popleft()
            self._replay(self._messages.pop(index))

    def _replay(self, messages: list[tuple[str, object]]) -> None:
        for kind, payload in messages:
            if kind == "logstart":
                nodeid, location = payload
                self.hook.pytest_runtest_logstart(nodeid=nodeid, location=location)
            elif kind == "report":
                self.hook.pytest_runtest_logreport(report=payload)
                self._after_report()
            else:
                nodeid, location = payload
                self.hook.pytest_runtest_logfinish(nodeid=nodeid, location=location)
