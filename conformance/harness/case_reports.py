"""What the plugin makes of a case's phase reports: the phase's outcome (:func:`classify_phase`), the
"why it failed" explanation (:func:`explain_failure`), the INFRA_ERROR stop (:func:`count_infra_error`), and
the controller's collector of every report (:class:`Collector`, xdist workers' reports included)."""

from __future__ import annotations

import pytest

from conformance import outcomes as oc
from conformance.harness.classify import PhaseOutcome, exception_message, outcome_of_exception, skip_reason
from conformance.harness.explain import explain
from conformance.harness.selection import clause_ids
from conformance.masking import mask_secrets
from conformance.operations.checks import clauses_of


def classify_phase(report: pytest.TestReport, call: pytest.CallInfo) -> PhaseOutcome:
    """One phase report's outcome: pass, skip (with its reason), or what its exception stands for."""
    if report.passed:
        return PhaseOutcome(oc.PASS)
    if report.skipped:
        return PhaseOutcome(oc.SKIPPED, skip_reason(report.longrepr))
    if call.excinfo is None:
        return PhaseOutcome(oc.FAIL, str(report.longrepr or ""))
    exc = call.excinfo.value
    outcome = outcome_of_exception(exc)
    return PhaseOutcome(outcome, exception_message(exc, call.excinfo.exconly()), named=clauses_of(exc))


def dialect_setup_report(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport | None:
    """The setup report of a case the wire/rulebook check stopped (NOT_APPLICABLE), built without pytest's
    traceback of the check's own frame: formatting it parsed the plugin's source for every such case (about
    10 ms each), and the plugin's makereport wrapper replaces it with the outcome's line anyway. Its text is
    the exception line (Allure's trace). None for any other report (pytest builds it)."""
    if call.when != "setup" or call.excinfo is None:
        return None
    if type(call.excinfo.value) is not oc.NotApplicable:
        return None
    sections = [(f"Captured {key} {when}", content) for when, key, content in item._report_sections]
    return pytest.TestReport(
        item.nodeid, item.location, dict.fromkeys(item.keywords, 1), "failed", call.excinfo.exconly(),
        call.when, sections, call.duration, call.start, call.stop, user_properties=item.user_properties,
    )


def explain_failure(
    item, report, call, phase: PhaseOutcome, tracker, secrets_, rulebook: str = "jss"
) -> None:
    """Say why the case failed: a "jss: why it failed" section of its failure report (the deciding exchange
    in full) and the same lines on the report (``jss_explanation``) for the summary section; each clause at
    the level of the target's `rulebook`."""
    exchanges = list(tracker.exchanges) if tracker is not None else []
    count = tracker.exchange_count if tracker is not None else 0
    exc = call.excinfo.value if call.excinfo is not None else None
    explanation = explain(clause_ids(item), exc, phase.message, exchanges, count, rulebook)
    summary = [mask_secrets(line, secrets_) for line in explanation.summary()]
    text = "\n".join(explanation.lines)
    if explanation.deciding is not None:
        text += "\n\n--- the deciding exchange ---\n" + explanation.deciding.render()
    report.sections.append(("jss: why it failed", mask_secrets(text, secrets_)))
    report.jss_explanation = summary


def count_infra_error(item: pytest.Item, state) -> None:
    """Stop the session (this worker's, under xdist) after --jss-max-infra-errors INFRA_ERROR outcomes."""
    state.infra_errors += 1
    stop = infra_stop(item.config, state.infra_errors)
    if stop and not item.session.shouldstop:
        item.session.shouldstop = stop


def infra_stop(config: pytest.Config, count: int) -> str | None:
    """The stop message once `count` INFRA_ERROR outcomes reach --jss-max-infra-errors (None: go on); the
    controller of forked workers counts them over all its workers too."""
    limit = config.option.jss_max_infra_errors
    if not limit or count < limit:
        return None
    sdk = config.option.jss_sdk_driver
    why = "the SDK driver gives no result" if sdk else "the endpoint looks unreachable"
    return f"jss-conformance: {count} INFRA_ERROR outcomes, {why}"


class Collector:
    """Per-run plugin object: collects the outcomes in the controller (xdist workers' reports arrive here)."""

    def __init__(self, state) -> None:
        self.state = state

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Record a classified phase report."""
        self.state.book.add(report)

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        """A case started (here or in an xdist worker)."""
        self.state.book.start(nodeid)

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        """A case finished all its phases."""
        self.state.book.finish(nodeid)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """Count the modules that failed to collect (xdist workers' collection reports arrive here too)."""
        if report.failed:
            self.state.collection_errors += 1

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo) -> None:
        """Note the interrupt (a signal, or a stop of pytest, xdist or ours) for the run's ending."""
        self.state.interrupt = excinfo.value
