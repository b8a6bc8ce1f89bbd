"""Outcome classification: from a pytest phase report (and its exception) to a conformance outcome.

Outcomes (conformance.outcomes): PASS, FAIL, NON_STRICT, NOT_IMPLEMENTED, NOT_APPLICABLE, SKIPPED,
INFRA_ERROR, INTERRUPTED. How they appear in pytest's own terms:

- NON_STRICT: reported as *passed* (as *failed* with --jss-strict), terminal status ``NON_STRICT`` / ``N``;
- NOT_IMPLEMENTED: reported as *skipped* with the reason ``NOT_IMPLEMENTED: ...``, status ``NOT_IMPLEMENTED``
  / ``I``;
- NOT_APPLICABLE: the case is outside the target's wire or rulebook (nothing was asked of the store): reported
  as *skipped* with the reason ``NOT_APPLICABLE: ...``, status ``NOT_APPLICABLE`` / ``a``;
- INFRA_ERROR: reported as *failed*, status ``INFRA_ERROR`` / ``!`` (the run exits 3, not 1);
- INTERRUPTED: a stop signal came during the case's setup or call (conformance.harness.case_interruption):
  reported as *skipped* with the reason ``INTERRUPTED: ...`` (so JUnit says ``<skipped>``, never passed),
  status ``INTERRUPTED`` / ``^``; a case in flight that no phase report says so of (a worker killed after the
  grace period) is marked by the results book (:meth:`ResultsBook.mark_interrupted`), never as PASS.

A case outcome combines its setup, call and teardown phases (:func:`combine`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance import outcomes as oc
from conformance.operations.checks import CheckFailures
from conformance.operations.results import ApiError
from conformance.operations.verdicts import Mismatch, describe
from conformance.sdk.explanation import SdkScenarioFailure

MESSAGE_LIMIT = 2000

#: pytest terminal status per non-plain outcome: (category, short letter, verbose word).
TEST_STATUS = {
    oc.NON_STRICT: (oc.NON_STRICT, "N", oc.NON_STRICT),
    oc.NOT_IMPLEMENTED: (oc.NOT_IMPLEMENTED, "I", oc.NOT_IMPLEMENTED),
    oc.NOT_APPLICABLE: (oc.NOT_APPLICABLE, "a", oc.NOT_APPLICABLE),
    oc.INFRA_ERROR: (oc.INFRA_ERROR, "!", oc.INFRA_ERROR),
    oc.INTERRUPTED: (oc.INTERRUPTED, "^", oc.INTERRUPTED),
}
#: Outcomes reported to pytest as *skipped*, the reason ``OUTCOME: message`` (JUnit ``<skipped>``).
SKIP_OUTCOMES = (oc.NOT_IMPLEMENTED, oc.NOT_APPLICABLE, oc.INTERRUPTED)
#: Terminal colour of the outcomes above (yellow otherwise).
RED_STATUS = (oc.INFRA_ERROR, oc.INTERRUPTED)

#: Which outcome wins when phases disagree (higher wins).
_SEVERITY = {
    oc.PASS: 0,
    oc.NOT_APPLICABLE: 1,
    oc.SKIPPED: 2,
    oc.NOT_IMPLEMENTED: 3,
    oc.NON_STRICT: 4,
    oc.FAIL: 5,
    oc.INFRA_ERROR: 6,
    oc.INTERRUPTED: 7,
}


@dataclass
class PhaseOutcome:
    """The outcome of one phase (setup, call or teardown), its one-paragraph message and, for a failing
    phase, the lines that explain it (clauses, expected, observed, exchanges: conformance.harness.explain)."""

    outcome: str
    message: str = ""
    details: list[str] = field(default_factory=list)
    #: The clause verdicts the phase's checks recorded: (clause, outcome, message).
    checks: list[tuple[str, str, str]] = field(default_factory=list)
    #: The clauses its exception was attributed to (None: unnamed; ("*",): its checks recorded each clause).
    named: tuple[str, ...] | None = None


def _members(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        found: list[BaseException] = []
        for inner in exc.exceptions:
            found.extend(_members(inner))
        return found
    return [exc]


def outcome_of_exception(exc: BaseException) -> str:
    """The outcome an exception escaping a case stands for (FAIL unless it is one of ours)."""
    members = _members(exc)
    if any(isinstance(member, oc.Interrupted) for member in members):
        return oc.INTERRUPTED
    if any(isinstance(member, oc.InfraError) for member in members):
        return oc.INFRA_ERROR
    if members and all(isinstance(member, oc.NotApplicable) for member in members):
        return oc.NOT_APPLICABLE
    if len(members) == 1 and isinstance(members[0], CheckFailures):
        return members[0].outcome
    if members and all(isinstance(member, oc.NotImplementedByTarget) for member in members):
        return oc.NOT_IMPLEMENTED
    if members and all(isinstance(member, oc.NonStrict) for member in members):
        return oc.NON_STRICT
    return oc.FAIL


#: Exceptions whose own text is the outcome's message.
_OWN_MESSAGES = (
    oc.InfraError, oc.NotImplementedByTarget, oc.NotApplicable, oc.NonStrict, oc.Interrupted, Mismatch,
    CheckFailures, SdkScenarioFailure,
)


def exception_message(exc: BaseException, exconly: str) -> str:
    """A short message for an exception: its own text for ours, pytest's one-liner otherwise."""
    if isinstance(exc, ApiError) and exc.response is not None:
        text = f"expected a successful answer; observed {describe(exc.response)}"
    elif isinstance(exc, _OWN_MESSAGES):
        text = str(exc) or type(exc).__name__
    else:
        text = exconly
    return truncate(text)


def truncate(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """`text` stripped and cut to `limit` characters."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 15] + " ... (truncated)"


def skip_reason(longrepr: object) -> str:
    """The reason of a skipped report (pytest stores (path, line, 'Skipped: reason'))."""
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
        return reason.removeprefix("Skipped: ")
    return str(longrepr or "")


#: A case interrupted after one of these verdicts keeps it (the verdict is known; only its end was cut).
KEPT_WHEN_INTERRUPTED = (oc.FAIL, oc.NON_STRICT, oc.INFRA_ERROR)


def combine(phases: list[PhaseOutcome]) -> PhaseOutcome:
    """The case outcome from its phases: the most severe; a failing teardown names itself. An INTERRUPTED
    phase makes the case INTERRUPTED unless the other phases already have a verdict to keep
    (KEPT_WHEN_INTERRUPTED): never PASS."""
    interrupted = next((phase for phase in phases if phase.outcome == oc.INTERRUPTED), None)
    verdicts = [phase for phase in phases if phase.outcome != oc.INTERRUPTED]
    worst = verdicts[0] if verdicts else PhaseOutcome(oc.PASS)
    for phase in verdicts[1:]:
        if _SEVERITY[phase.outcome] > _SEVERITY[worst.outcome]:
            worst = phase
    if interrupted is not None and worst.outcome not in KEPT_WHEN_INTERRUPTED:
        return interrupted
    return worst


def exit_status(outcomes: list[str], *, strict: bool) -> int:
    """DESIGN §3: 3 if infrastructure failed, 1 on a conformance failure (NON_STRICT too with --jss-strict),
    else 0."""
    if oc.INFRA_ERROR in outcomes:
        return 3
    if oc.FAIL in outcomes or (strict and oc.NON_STRICT in outcomes):
        return 1
    return 0
