"""What the plugin makes of each phase report of a case (its makereport hook calls :func:`record_phase`):
the phase's outcome, judged at its clauses' level under the target's rulebook, the report's pytest outcome
(NON_STRICT a pass unless --jss-strict; NOT_IMPLEMENTED, NOT_APPLICABLE and INTERRUPTED a skip; an expected
FAIL an xfail), the clause verdicts its checks recorded, the failure's explanation and the Allure result."""

from __future__ import annotations

import pytest

from conformance import outcomes as oc
from conformance.harness import allure_support as allure_extras
from conformance.harness.case_reports import classify_phase, count_infra_error, explain_failure
from conformance.harness.classify import SKIP_OUTCOMES, combine
from conformance.harness.clause_verdicts import clause_verdicts
from conformance.harness.levels import judged_at_level
from conformance.harness.results import case_id
from conformance.harness.selection import clause_ids
from conformance.harness.state import ATTACHED_KEY, DIALECT_KEY, PHASES_KEY, TRACKER_KEY, harness_state
from conformance.harness.verdicts import expectation_for
from conformance.masking import mask_secrets
from conformance.operations.checks import take_records


def record_phase(item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport) -> pytest.TestReport:
    """Classify the phase of `report`, record its outcome, clause verdicts and expectation on the report (they
    travel to the xdist controller) and update Allure; the report, its pytest outcome adjusted."""
    state = harness_state(item.config)
    phase = classify_phase(report, call)
    phase.message = mask_secrets(phase.message, state.secrets)
    records = take_records()
    if state.target is not None:
        judged = judged_at_level(phase, report.when, clause_ids(item), state.catalogue, state.target.rulebook)
        if judged.outcome != phase.outcome:  # every clause EXAMPLE: its failed checks are NON_STRICT too
            records = [(c, judged.outcome if o == oc.FAIL else o, text) for c, o, text in records]
        phase = judged
    if phase.outcome == oc.NON_STRICT and not item.config.option.jss_strict:
        report.outcome = "passed"
        report.longrepr = None
    elif phase.outcome in SKIP_OUTCOMES:  # JUnit: <skipped message="OUTCOME: ...">
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] + 1, f"{phase.outcome}: {phase.message}")
    phase.checks = [(c, o, mask_secrets(text, state.secrets)) for c, o, text in records]
    report.jss_outcome, report.jss_message, report.jss_checks = phase.outcome, phase.message, phase.checks
    report.jss_clauses, report.jss_named = clause_ids(item), phase.named
    if phase.outcome == oc.NOT_APPLICABLE and DIALECT_KEY not in item.stash:
        item.stash[DIALECT_KEY] = ("dialect", phase.message)
    expected = expectation_for(case_id(item.nodeid), state.known, item.stash.get(DIALECT_KEY, None))
    fingerprint = expected.fingerprint.to_payload() if expected.fingerprint else None
    report.jss_expected = (expected.outcome, expected.reason, expected.source, fingerprint)
    confirmed = phase.outcome == oc.FAIL and expected.confirmed_by(phase.outcome, phase.message)
    if confirmed and not item.config.option.jss_strict:
        report.outcome = "skipped"  # shown as xfailed: a known deviation, with its reason
        report.wasxfail = f"known deviation: {expected.reason}"
    if phase.outcome == oc.INFRA_ERROR:
        count_infra_error(item, state)
    phases = item.stash.setdefault(PHASES_KEY, [])
    phases.append(phase)
    final = combine(phases)
    tracker = item.stash.get(TRACKER_KEY, None)
    failing = phase.outcome in (oc.FAIL, oc.NON_STRICT, oc.INFRA_ERROR)
    if failing and phase.outcome != oc.INFRA_ERROR and report.when != "teardown":
        rulebook = state.target.rulebook if state.target is not None else "jss"
        explain_failure(item, report, call, phase, tracker, state.secrets, rulebook)
    attach = failing and tracker is not None and tracker.exchanges and report.when != "teardown"
    if attach and not item.stash.get(ATTACHED_KEY, False):
        item.stash[ATTACHED_KEY] = True
        allure_extras.attach_exchanges(tracker.exchanges, tracker.exchange_count, state.secrets)
    judged = bool(state.known.path)
    allure_extras.apply_outcome(item.config, final.outcome, final.message, expected, judged=judged)
    allure_extras.show_clause_verdicts(item.config, clause_verdicts(clause_ids(item), phases, final))
    allure_extras.scrub_current(item.config, state.secrets)
    return report
