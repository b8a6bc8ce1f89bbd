"""What changed, clause by clause, between two runs of one target (``jss-conformance compare OLD NEW
--changes``): the regression check a release gate runs against the last release's results.

A case's verdict on a clause is the clause's entry in the case's ``clause_verdicts`` when results.json has
them, else the case's own outcome (for every clause it names). A verdict is one of these states, by rank:

- ``FAIL`` > ``NON_STRICT`` > ``NOT_IMPLEMENTED``: a failing verdict, unless the target's known-deviations
  file expected exactly that outcome: then it is ``EXPECTED`` (a case outside the run's dialect is left out);
- ``EXPECTED`` > ``PASS``;
- ``NOT_REACHED``: no verdict (INTERRUPTED, INFRA_ERROR, SKIPPED), or the case is not in the run.

Per (clause, case), from OLD to NEW: *newly failing* when NEW is failing and OLD was not failing as badly
(PASS, EXPECTED, a milder failure, not reached, absent); *newly passing* when NEW is PASS and OLD was not (a
known deviation that now passes included; a case new in NEW is not a change); *newly not reached* when OLD had
a verdict and NEW has none; *otherwise changed* for any other move between verdicts (a failure now expected or
milder, a PASS now an expected deviation). An expected deviation in both runs, and any unchanged state, is no
change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance import outcomes as oc
from conformance.known_deviations import OUTSIDE_SOURCES
from conformance.report.clause_view import expected_on_clause, per_clause

EXPECTED = "EXPECTED"
NOT_REACHED = "NOT_REACHED"
ABSENT = "absent"
#: Verdict states that have a rank (higher is worse).
RANK = {oc.PASS: 0, EXPECTED: 1, oc.NOT_IMPLEMENTED: 2, oc.NON_STRICT: 3, oc.FAIL: 4}
FAILING = (oc.NOT_IMPLEMENTED, oc.NON_STRICT, oc.FAIL)
_VERDICT_OUTCOMES = (oc.PASS, *FAILING)

NEWLY_FAILING = "newly failing"
NEWLY_PASSING = "newly passing"
NEWLY_NOT_REACHED = "newly not reached"
OTHER = "otherwise changed"
KINDS = (NEWLY_FAILING, NEWLY_PASSING, NEWLY_NOT_REACHED, OTHER)
_MESSAGE = 120


@dataclass(frozen=True)
class Verdict:
    """One case's verdict on one clause in one run."""

    case_id: str
    outcome: str
    message: str = ""
    expected: bool = False
    outside_dialect: bool = False

    @property
    def state(self) -> str:
        """PASS, EXPECTED, NOT_IMPLEMENTED, NON_STRICT, FAIL or NOT_REACHED."""
        if self.outcome not in _VERDICT_OUTCOMES:
            return NOT_REACHED
        if self.outcome != oc.PASS and self.expected:
            return EXPECTED
        return self.outcome

    @property
    def label(self) -> str:
        """The outcome as the terminal shows it: ``FAIL``, ``FAIL (expected)``, ``INTERRUPTED``."""
        return f"{self.outcome} (expected)" if self.state == EXPECTED else self.outcome


@dataclass(frozen=True)
class Change:
    """One case of a clause that changed from OLD to NEW (None: the case is not in that run)."""

    case_id: str
    old: Verdict | None
    new: Verdict | None

    def line(self) -> str:
        """``case OLD -> NEW: message`` (NEW's message, else OLD's)."""
        before = self.old.label if self.old else ABSENT
        after = self.new.label if self.new else ABSENT
        message = (self.new.message if self.new and self.new.message else "") or (
            self.old.message if self.old and self.new is None else ""
        )
        first = message.splitlines()[0][:_MESSAGE] if message else ""
        return f"{self.case_id} {before} -> {after}" + (f" ({first})" if first else "")


@dataclass
class Changes:
    """The changes between two runs: kind -> clause -> the changed cases of that clause."""

    by_kind: dict[str, dict[str, list[Change]]] = field(default_factory=lambda: {kind: {} for kind in KINDS})
    compared: int = 0

    @property
    def new_failure(self) -> bool:
        """True when some clause is newly failing."""
        return bool(self.by_kind[NEWLY_FAILING])


def clause_verdicts(document: Mapping[str, Any]) -> dict[tuple[str, str], Verdict]:
    """(clause id, case id) -> the case's verdict on the clause, for every case of a results.json document."""
    found: dict[tuple[str, str], Verdict] = {}
    for case in document["cases"]:
        source = (case.get("expected") or {}).get("source")
        for clause, seen in per_clause(case):
            expected = expected_on_clause(case, seen["outcome"])
            found[(clause, case["id"])] = Verdict(
                case["id"], seen["outcome"], seen["message"], expected,
                seen["outcome"] == oc.NOT_APPLICABLE or (expected and source in OUTSIDE_SOURCES),
            )
    return found


def kind_of(old: Verdict | None, new: Verdict | None) -> str | None:
    """How a (clause, case) changed from `old` to `new` (None: not in that run), or None for no change."""
    before = old.state if old else ABSENT
    after = new.state if new else ABSENT
    if (old and old.outside_dialect) or (new and new.outside_dialect) or before == after:
        return None
    if after in FAILING and RANK.get(before, -1) < RANK[after]:
        return NEWLY_FAILING
    if after == oc.PASS:
        return NEWLY_PASSING if before != ABSENT else None
    if after in (NOT_REACHED, ABSENT):
        return NEWLY_NOT_REACHED if before in RANK else None
    return OTHER if before in RANK else None


def compare_runs(old: Mapping[str, Any], new: Mapping[str, Any]) -> Changes:
    """The changes per clause from run `old` to run `new` (results.json documents of one target)."""
    before, after = clause_verdicts(old), clause_verdicts(new)
    changes = Changes(compared=len({clause for clause, _ in [*before, *after]}))
    for key in sorted(set(before) | set(after)):
        kind = kind_of(before.get(key), after.get(key))
        if kind is not None:
            clause, case_id = key
            change = Change(case_id, before.get(key), after.get(key))
            changes.by_kind[kind].setdefault(clause, []).append(change)
    return changes


def _run_word(run: Mapping[str, Any]) -> str:
    status = run.get("status", oc.COMPLETED)
    reason = run.get("reason", "")
    return status + (f" ({reason})" if status != oc.COMPLETED and reason else "")


def render(changes: Changes, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """One line per changed clause and kind (its cases with their outcomes and NEW's message), then the
    summary line."""
    width = max(len(kind) for kind in KINDS)
    lines = []
    for kind in KINDS:
        for clause, cases in sorted(changes.by_kind[kind].items()):
            listed = "; ".join(change.line() for change in cases)
            lines.append(f"{kind.upper():<{width}}  {clause}: {listed}")
    counts = ", ".join(f"{len(changes.by_kind[kind])} {kind}" for kind in KINDS)
    before, after = old["run"], new["run"]
    lines.append(
        f"{after['target']}, {before['started']} ({_run_word(before)}) -> {after['started']} "
        f"({_run_word(after)}), {changes.compared} clauses: {counts}"
    )
    return lines


def incomplete(run: Mapping[str, Any], cases: Iterable[Mapping[str, Any]]) -> str:
    """Why a run cannot vouch for what it did not reach: it did not complete, or infrastructure failed
    (empty when neither)."""
    if run.get("status", oc.COMPLETED) != oc.COMPLETED:
        return f"the NEW run did not complete: {_run_word(run)}"
    errors = sum(1 for case in cases if case["outcome"] == oc.INFRA_ERROR)
    return f"the NEW run has {errors} INFRA_ERROR case(s)" if errors else ""
