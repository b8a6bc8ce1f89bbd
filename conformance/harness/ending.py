"""How a run ended: completed, interrupted (a signal) or stopped by the suite, where, and why.

results.json records it (``run.status``, ``run.stopped_at``, ``run.reason``; DESIGN §3: "whether it
completed or why it stopped"), the terminal section says it. The plugin notes an interrupt when pytest
reports one (``pytest_keyboard_interrupt``) and a stop at setup when it refuses to start the cases;
:func:`run_ending` decides at the end of the session.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conformance import outcomes as oc

SETUP = "setup"
CASES = "cases"
NO_CASE_SELECTED = "no conformance case was collected or selected (check the paths, -k and --jss-* filters)"


@dataclass(frozen=True)
class RunEnding:
    """``status`` (completed / interrupted / stopped), ``stopped_at`` (setup / cases, None when completed)
    and a one-line ``reason`` (empty when completed)."""

    status: str = oc.COMPLETED
    stopped_at: str | None = None
    reason: str = ""

    @property
    def completed(self) -> bool:
        """True when every selected case ran."""
        return self.status == oc.COMPLETED


COMPLETED_RUN = RunEnding()


def stopped_at_setup(reason: str) -> RunEnding:
    """The suite refused to run any case (bad profile or credentials, unreachable endpoint, no case
    selected)."""
    return RunEnding(oc.STOPPED, SETUP, reason.splitlines()[0] if reason else "")


def is_signal(exc: BaseException) -> bool:
    """True for a KeyboardInterrupt that stands for a signal (SIGINT in this process, or in an xdist worker
    as xdist relays it), False for pytest's and xdist's own stops (``session.shouldstop``, ``-x``) and
    pytest.exit."""
    if isinstance(exc, pytest.Session.Interrupted | pytest.exit.Exception):
        return False
    if type(exc).__name__ == "Interrupted" and type(exc).__module__.startswith("xdist"):
        return "keyboard-interrupt" in str(exc)
    return isinstance(exc, KeyboardInterrupt)


def run_ending(
    *,
    exitstatus: int,
    interrupt: BaseException | None,
    signal_name: str | None,
    any_case_started: bool,
    shouldfail: str | bool = False,
) -> RunEnding:
    """The ending of a session that got past setup (pytest's exit status, the interrupt pytest reported, the
    signal our handler saw, whether a case started, pytest's ``session.shouldfail``)."""
    where = CASES if any_case_started else SETUP
    if interrupt is not None:
        if is_signal(interrupt) or signal_name:
            name = signal_name or "KeyboardInterrupt"
            return RunEnding(oc.INTERRUPTED_RUN, where, f"interrupted by {name}")
        text = str(getattr(interrupt, "msg", "") or interrupt) or type(interrupt).__name__
        return RunEnding(oc.STOPPED, where, text.splitlines()[0])
    if int(exitstatus) == pytest.ExitCode.NO_TESTS_COLLECTED:
        return stopped_at_setup(NO_CASE_SELECTED)
    if shouldfail:
        return RunEnding(oc.STOPPED, CASES, str(shouldfail))
    if int(exitstatus) == pytest.ExitCode.INTERNAL_ERROR:
        return RunEnding(oc.STOPPED, where, "internal error of the test session (see its traceback)")
    return COMPLETED_RUN
