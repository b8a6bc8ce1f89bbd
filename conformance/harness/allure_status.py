"""What Allure shows for a case: its status, the start of its message (which picks its category) and its tags.

The status follows pytest's own report of the case, so that pytest's summary, JUnit XML and Allure agree:

========================  ============================================================================
outcome                   Allure status
========================  ============================================================================
PASS                      passed
FAIL                      failed; skipped when it is an expected deviation (pytest: xfailed)
NON_STRICT                passed (pytest passes it); failed with --jss-strict
NOT_IMPLEMENTED, SKIPPED  skipped
INFRA_ERROR               broken (no verdict: the endpoint or the network failed)
INTERRUPTED               unknown (no verdict: the run stopped while the case ran)
========================  ============================================================================

The message starts with a marker that says what the outcome is (``KNOWN DEVIATION (expected FAIL)``,
``NOT_APPLICABLE (outside the target's wire or rulebook)``, ``UNEXPECTED PASS (expected FAIL)``,
``NON_STRICT``, ``INTERRUPTED``, ...); the categories (:mod:`conformance.harness.allure_config`) match it, in
Allure 2 and Allure 3 alike. A plain conformance failure keeps the exception's own message.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance import outcomes as oc
from conformance.known_deviations import OUTSIDE_SOURCES, PASS_EXPECTED, Expectation, is_unexpected

#: Message markers (the categories match them at the start of a message).
KNOWN_DEVIATION = "KNOWN DEVIATION"
OUTSIDE_DIALECT = "NOT_APPLICABLE (outside the target's wire or rulebook)"
UNEXPECTED = "UNEXPECTED"
SETUP_ERROR = "SETUP_ERROR"
#: Tags a case gets beside its outcome's name.
TAG_EXPECTED = "expected"
TAG_KNOWN_DEVIATION = "known deviation"
TAG_NOT_APPLICABLE = "not applicable"
TAG_UNEXPECTED = "unexpected"
#: Every tag :func:`view` gives: a later phase of a case replaces them all.
MANAGED_TAGS = frozenset(
    {*oc.ALL_OUTCOMES, TAG_EXPECTED, TAG_KNOWN_DEVIATION, TAG_NOT_APPLICABLE, TAG_UNEXPECTED}
)

_STATUS = {
    oc.PASS: "passed",
    oc.FAIL: "failed",
    oc.NON_STRICT: "passed",
    oc.NOT_IMPLEMENTED: "skipped",
    oc.NOT_APPLICABLE: "skipped",
    oc.SKIPPED: "skipped",
    oc.INFRA_ERROR: "broken",
    oc.INTERRUPTED: "unknown",
}
#: Outcomes whose message is prefixed with their name (the others keep pytest's or allure's message).
_NAMED = (oc.NON_STRICT, oc.NOT_IMPLEMENTED, oc.INFRA_ERROR, oc.INTERRUPTED)


@dataclass(frozen=True)
class AllureView:
    """How one case shows in Allure: `status`, `message` (None: keep the one allure-pytest wrote) and
    `tags` (besides the clause levels)."""

    status: str
    message: str | None
    tags: tuple[str, ...]


def base_status(outcome: str) -> str:
    """The Allure status of an outcome, before expectations and --jss-strict."""
    return _STATUS[outcome]


def view(
    outcome: str,
    message: str,
    expected: Expectation = PASS_EXPECTED,
    *,
    judged: bool = False,
    strict: bool = False,
) -> AllureView:
    """The Allure status, message and tags of a case that ended with `outcome` (`message`: ours) against its
    expectation (`judged`: the run has a known-deviations file; `strict`: --jss-strict)."""
    status = _STATUS[outcome]
    if strict and outcome == oc.NON_STRICT:
        status = "failed"
    names = () if outcome == oc.PASS else (outcome,)
    as_expected = outcome != oc.PASS and expected.confirmed_by(outcome, message)
    if as_expected and expected.source in OUTSIDE_SOURCES:
        tags = (*names, TAG_NOT_APPLICABLE)
        return AllureView(status, _joined(OUTSIDE_DIALECT, message), tags)
    if as_expected:
        if outcome == oc.FAIL and not strict:
            status = "skipped"  # pytest shows it as xfailed, JUnit XML as skipped
        marker = f"{KNOWN_DEVIATION} (expected {outcome}): {expected.reason}"
        text = f"{marker}\nobserved: {message}" if message else marker
        return AllureView(status, text, (*names, TAG_EXPECTED, TAG_KNOWN_DEVIATION))
    unexpected = is_unexpected(outcome, expected, judged=judged, strict=strict, message=message)
    if outcome == oc.FAIL:
        return AllureView(status, None, names + ((TAG_UNEXPECTED,) if judged else ()))
    if unexpected and (judged or expected.is_deviation):
        why = f": {expected.reason}" if expected.reason else ""
        marker = f"{UNEXPECTED} {outcome} (expected {expected.outcome}{why})"
        return AllureView(status, _joined(marker, message), (*names, TAG_UNEXPECTED))
    if outcome in _NAMED:
        return AllureView(status, _joined(outcome, message), names)
    return AllureView(status, None, names)


def _joined(marker: str, message: str) -> str:
    return f"{marker}: {message}" if message else marker
