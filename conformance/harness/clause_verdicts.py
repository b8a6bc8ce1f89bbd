"""A verdict per clause of a case, from its phases: what each check recorded for its clause, and where the
case's own ending (a failed check, a skip, an interruption) belongs.

The rules (results.json ``clause_verdicts``):

1. every explicit check counts for its clause (:mod:`conformance.operations.checks`); of several verdicts
   of one clause the worst stays;
2. a phase that ended with an exception attributed to clauses (``ops.checking``) gives those clauses the
   phase's outcome and message;
3. a phase that ended otherwise (an unnamed check, a skip, NOT_IMPLEMENTED, INFRA_ERROR, an interruption)
   gives its outcome to every clause still without a verdict (to every clause when none is left): the case
   cannot say which it was checking;
4. a clause still without a verdict is PASS in a passing case with that one clause, else NOT_REACHED: a
   clause the case never got to is never PASS. In a passing case with several clauses that is
   :data:`UNCHECKED` (the lint test of the project finds those).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from conformance import outcomes as oc
from conformance.harness.classify import PhaseOutcome
from conformance.operations.checks import SETTLED

#: Which verdict of a clause wins (higher is worse); NOT_REACHED yields to any verdict.
SEVERITY = {
    oc.NOT_REACHED: -1, oc.PASS: 0, oc.NOT_APPLICABLE: 1, oc.SKIPPED: 1, oc.NOT_IMPLEMENTED: 2,
    oc.NON_STRICT: 3, oc.FAIL: 4, oc.INFRA_ERROR: 5, oc.INTERRUPTED: 6,
}
#: The message of a clause that no check of a passing multi-clause case named.
UNCHECKED = "no check of the case named this clause"
#: The message of a clause the case never got to.
NOT_CHECKED = "the case ended before it checked this clause"


def _merge(found: dict[str, tuple[str, str]], clause: str, outcome: str, message: str) -> None:
    old = found.get(clause)
    if old is None or SEVERITY.get(outcome, 0) > SEVERITY.get(old[0], 0):
        found[clause] = (outcome, message)


def clause_verdicts(
    clauses: Sequence[str], phases: Iterable[PhaseOutcome], final: PhaseOutcome
) -> list[dict[str, str]]:
    """``[{clause, outcome, message}]`` of a case naming `clauses`, from its `phases` and its combined
    outcome `final` (rules in the module docstring); clauses recorded by a check but not named by the case
    come after its own."""
    found: dict[str, tuple[str, str]] = {}
    unnamed: list[PhaseOutcome] = []
    for phase in phases:
        for clause, outcome, message in phase.checks:
            _merge(found, clause, outcome, message)
        if phase.outcome == oc.PASS or phase.named == SETTLED:
            continue
        if phase.named:
            for clause in phase.named:
                _merge(found, clause, phase.outcome, phase.message)
        else:
            unnamed.append(phase)
    if final.outcome == oc.INTERRUPTED and not any(p.outcome == oc.INTERRUPTED for p in unnamed):
        unnamed.append(final)  # interrupted in flight: no phase report says so
    for phase in unnamed:
        open_ = [clause for clause in clauses if clause not in found] or list(clauses)
        for clause in open_:
            _merge(found, clause, phase.outcome, phase.message)
    for clause in clauses:
        if clause in found:
            continue
        if final.outcome == oc.PASS:
            found[clause] = (oc.PASS, "") if len(clauses) == 1 else (oc.NOT_REACHED, UNCHECKED)
        else:
            found[clause] = (oc.NOT_REACHED, NOT_CHECKED)
    order = list(dict.fromkeys([*clauses, *found]))
    return [{"clause": c, "outcome": found[c][0], "message": found[c][1]} for c in order]


def failing_clauses(verdicts: Iterable[dict[str, str]]) -> list[str]:
    """The clauses whose verdict is FAIL, NON_STRICT or INFRA_ERROR (the terminal names them)."""
    return [v["clause"] for v in verdicts if v["outcome"] in (oc.FAIL, oc.NON_STRICT, oc.INFRA_ERROR)]
