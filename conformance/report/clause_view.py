"""A results.json case seen clause by clause: the verdict each of its clauses got (``clause_verdicts``), or,
in a file written before clause verdicts existed, the case's own outcome for every clause it names. The
reports that read a run per clause (``compare`` and its matrix, ``compare --changes``) read it here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from conformance.harness.verdicts import as_expected


def per_clause(case: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(clause id, the case as that clause saw it: its ``outcome`` and ``message`` are the clause's) for each
    clause of `case`, the clauses it names first."""
    own = {entry["clause"]: entry for entry in case.get("clause_verdicts") or ()}
    viewed = []
    for clause in dict.fromkeys([*(case.get("clauses") or ()), *own]):
        entry = own.get(clause, case)
        viewed.append((clause, {**case, "outcome": entry["outcome"], "message": entry.get("message", "")}))
    return viewed


def expected_on_clause(case: Mapping[str, Any], outcome: str) -> bool:
    """A clause verdict `outcome` of `case` is the deviation its known-deviations entry expects (the same
    rule as a case's: :func:`conformance.harness.verdicts.as_expected`)."""
    wanted = case.get("expected") or {}
    return as_expected(outcome, wanted.get("outcome"))
