"""Selection of cases by clause family, clause id prefix or operation (--jss-family, --jss-clause,
--jss-operation), and the clause ids a case names."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from conformance.catalogue import FAMILIES, Clause, catalogue_path
from conformance.harness.usage import usage_error


def clause_ids(item: pytest.Item) -> list[str]:
    """The clause ids a case checks, without repeats: first the clause of its parameter table row (a
    ``clause(id, row=True)`` mark, see conformance.cases.support.params), then those of its other
    ``clause`` marks in pytest's order. This order is the one every report shows (terminal, results.json,
    Allure stories)."""
    markers = list(item.iter_markers(name="clause"))
    rows = [marker for marker in markers if marker.kwargs.get("row")]
    others = [marker for marker in markers if not marker.kwargs.get("row")]
    return list(dict.fromkeys(str(arg) for marker in rows + others for arg in marker.args))


def check_families(families: list[str]) -> None:
    """UsageError for a family name that does not exist."""
    for family in families:
        if family not in FAMILIES:
            raise usage_error(f"--jss-family {family!r}: unknown family (known: {', '.join(FAMILIES)})")


def check_selection(catalogue: Mapping[str, Clause], *, prefixes: list[str], operations: list[str]) -> None:
    """UsageError for a --jss-clause prefix that no clause id of the catalogue starts with, or a
    --jss-operation that no clause names (before anything starts, like an unknown family)."""
    for prefix in prefixes:
        if not any(clause_id.startswith(prefix) for clause_id in catalogue):
            firsts = sorted({clause_id.split(".", 1)[0] + "." for clause_id in catalogue})
            raise usage_error(
                f"--jss-clause {prefix!r}: no clause id starts with it (they start with {', '.join(firsts)}; "
                f"every clause: {catalogue_path()})"
            )
    known = sorted({clause.operation for clause in catalogue.values()})
    for operation in operations:
        if operation.lower() not in {name.lower() for name in known}:
            raise usage_error(f"--jss-operation {operation!r}: unknown operation (known: {', '.join(known)})")


def selected(
    ids: list[str],
    catalogue: Mapping[str, Clause],
    *,
    families: list[str],
    prefixes: list[str],
    operations: list[str],
) -> bool:
    """True when a case naming `ids` passes every given filter (each filter: any of its values matches)."""
    clauses = [catalogue[i] for i in ids if i in catalogue]
    if families and not any(c.family in families for c in clauses):
        return False
    if prefixes and not any(i.startswith(p) for i in ids for p in prefixes):
        return False
    wanted = {o.lower() for o in operations}
    return not (wanted and not any(c.operation.lower() in wanted for c in clauses))
