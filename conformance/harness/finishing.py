"""The end of a conformance session in the controller: how the run ended, the sweep after an interrupt, the
exit status, the reports."""

from __future__ import annotations

import pytest

from conformance import outcomes as oc
from conformance.harness import interruption
from conformance.harness.ending import SETUP, run_ending
from conformance.harness.reporting import verdicts_of, write_reports
from conformance.harness.signals import exit_status as signal_exit_status
from conformance.harness.state import HarnessState
from conformance.harness.verdicts import exit_status as verdict_exit_status


def finish_run(session: pytest.Session, state: HarnessState) -> None:
    """Decide the run's ending (unless a stop at setup did), mark the cases in flight INTERRUPTED and sweep
    the run folder after an interrupt during the cases or a lost forked worker (unless --jss-keep), map the
    exit status (DESIGN §3: 0, 1, 2, 3; after a signal the signal's, see conformance.harness.signals), write
    results.json and the Allure extras."""
    option = session.config.option
    if state.ending is None:
        state.ending = run_ending(
            exitstatus=session.exitstatus,
            interrupt=state.interrupt,
            signal_name=state.signal_name,
            any_case_started=bool(state.book.records() or state.book.running),
            shouldfail=session.shouldfail,
        )
    interrupted = state.ending.status == oc.INTERRUPTED_RUN
    if interrupted:
        state.book.mark_interrupted(state.ending.reason)
    cases_ran = state.ending.stopped_at != SETUP  # a run stopped before any case has nothing to sweep
    sweep = (interrupted and cases_ran) or state.workers_lost
    if sweep and state.target is not None and not option.jss_keep:
        state.sweep = interruption.sweep_run_folder(state.target, state.run_id)
    outcomes = [phase.outcome for phase in state.book.outcomes().values()]
    if state.collection_errors:
        # Cases that did not even collect were not judged: pytest's own status stands, never a verdict's 0
        # (under xdist pytest says 1 for it, serially 2; both are the usage/configuration error here).
        session.exitstatus = pytest.ExitCode.INTERRUPTED
    elif int(session.exitstatus) in (0, 1) and outcomes:
        session.exitstatus = verdict_exit_status(verdicts_of(session.config, state))
    limit = option.jss_max_infra_errors
    stopped_by_us = limit and outcomes.count(oc.INFRA_ERROR) >= limit
    if int(session.exitstatus) == pytest.ExitCode.INTERRUPTED and stopped_by_us:
        session.exitstatus = 3  # we stopped the run: the endpoint was lost
    if interrupted and state.signal_name:
        session.exitstatus = signal_exit_status(state.signal_name)  # 2 for SIGINT, 128 + N for the others
    write_reports(session.config, state)
