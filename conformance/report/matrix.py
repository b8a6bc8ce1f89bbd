"""The target x clause matrix of several results.json files: the model (the terminal table is
:mod:`conformance.report.matrix_text`, the HTML page :mod:`conformance.report.matrix_html`).

Rows are clauses grouped by family (catalogue order), columns are runs. A cell is one run x one clause: the
clause verdicts (results.json ``clause_verdicts``) of every case of the run that names the clause, counted by
category. A verdict's category is its outcome, except:

- NOT_APPLICABLE: the verdict says so, or (files of older suite versions) the case was NOT_IMPLEMENTED as
  expected because it was outside the run's dialect (``expected.source`` "dialect");
- EXPECTED: the case's outcome was an expected deviation of the run (judged as the run judged it,
  :mod:`conformance.report.judgement`) and this verdict has that outcome.

A case without ``clause_verdicts`` (older files) gives each of its clauses the case's outcome. The run's
own case totals (expected deviations, unexpected outcomes) come from the same judgement as the run's
terminal line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance import outcomes as oc
from conformance.catalogue import Clause
from conformance.report.clause_view import per_clause
from conformance.report.judgement import run_totals, run_verdicts

EXPECTED = "EXPECTED"
#: Categories, worst first (a cell's border, a terminal cell's order).
SEVERITY = (
    oc.FAIL, oc.INFRA_ERROR, oc.INTERRUPTED, oc.NON_STRICT, oc.NOT_IMPLEMENTED, EXPECTED, oc.NOT_REACHED,
    oc.SKIPPED, oc.PASS, oc.NOT_APPLICABLE,
)
#: The counts every summary shows, even at zero (the others only when present).
HEADLINE = (oc.PASS, oc.FAIL, EXPECTED, oc.NON_STRICT, oc.NOT_IMPLEMENTED, oc.NOT_APPLICABLE)
#: How a category is named to the reader.
NAMES = {EXPECTED: "expected", oc.NOT_APPLICABLE: "n/a"}
NO_CLAUSE = "(no clause)"
NO_FAMILY = "(not in the catalogue)"
UNKNOWN_VERSION = "unknown"


def category_name(category: str) -> str:
    """The reader's name of a category ("expected", "n/a", else the outcome)."""
    return NAMES.get(category, category)


@dataclass(frozen=True)
class Entry:
    """One clause verdict of one case, as the matrix counts it."""

    case_id: str
    outcome: str
    category: str
    message: str
    reason: str = ""


@dataclass
class Cell:
    """The clause verdicts of one run for one clause."""

    entries: list[Entry] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Entries per category, worst first."""
        found = Counter(entry.category for entry in self.entries)
        return {category: found[category] for category in SEVERITY if found[category]}

    @property
    def worst(self) -> str | None:
        """The worst category of the cell (None when empty)."""
        return next(iter(self.counts), None)

    @property
    def not_applicable(self) -> bool:
        """Every verdict of the cell is not applicable."""
        return bool(self.entries) and all(e.category == oc.NOT_APPLICABLE for e in self.entries)


@dataclass(frozen=True)
class Column:
    """A run as the matrix heads its column."""

    label: str
    wire: str
    rules: str
    server_version: str
    run: Mapping[str, Any]


@dataclass
class Matrix:
    """Rows are clause ids (grouped by family), columns are runs."""

    columns: list[Column]
    rows: list[str]
    cells: dict[tuple[str, int], Cell]
    families: dict[str, str] = field(default_factory=dict)
    documents: list[Mapping[str, Any]] = field(default_factory=list, repr=False)

    def cell(self, clause_id: str, column: int) -> Cell:
        """The cell of a clause and a column (empty when the run has no case for it)."""
        return self.cells.get((clause_id, column), Cell())

    def not_applicable_row(self, clause_id: str) -> bool:
        """No column has an applicable verdict for the clause (each n/a or without a case, one n/a)."""
        cells = [self.cell(clause_id, column) for column in range(len(self.columns))]
        return any(c.not_applicable for c in cells) and all(c.not_applicable or not c.entries for c in cells)

    def groups(self) -> list[tuple[str, list[str]]]:
        """(family, its rows) in row order."""
        grouped: dict[str, list[str]] = {}
        for row in self.rows:
            grouped.setdefault(self.families.get(row, NO_FAMILY), []).append(row)
        return list(grouped.items())

    def clause_counts(self, column: int, family: str | None = None) -> dict[str, int]:
        """Clause verdicts of a run per category (of one family's rows when given), worst first."""
        found: Counter[str] = Counter()
        for row in self.rows:
            if family is None or self.families.get(row, NO_FAMILY) == family:
                found.update(self.cell(row, column).counts)
        return {category: found[category] for category in SEVERITY if found[category]}

    def totals(self, column: int) -> dict[str, int]:
        """Case counts of a run: per outcome, plus ``expected`` (expected deviations) and ``unexpected``
        (unexpected outcomes), judged as the run judged them: equal to the run's own terminal line."""
        return run_totals(self.documents[column]) if self.documents else {}


def _outside_dialect(case: Mapping[str, Any]) -> bool:
    """Older files: a case outside the run's dialect was NOT_IMPLEMENTED, expected so by the catalogue."""
    wanted = case.get("expected") or {}
    outside = wanted.get("source") == "dialect"
    return outside and case["outcome"] == wanted.get("outcome") == oc.NOT_IMPLEMENTED


def _verdicts(case: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(clause, outcome, message) of a case as each clause saw it (conformance.report.clause_view); a case
    naming no clause counts under NO_CLAUSE with its own outcome."""
    viewed = per_clause(case)
    if not viewed:
        return [(NO_CLAUSE, case["outcome"], case.get("message", ""))]
    return [(clause, seen["outcome"], seen["message"]) for clause, seen in viewed]


def _entries(document: Mapping[str, Any]) -> list[tuple[str, Entry]]:
    """(clause, entry) of every clause verdict of a run."""
    found = []
    for case, verdict in zip(document["cases"], run_verdicts(document), strict=True):
        reason = (case.get("expected") or {}).get("reason", "")
        for clause_id, outcome, message in _verdicts(case):
            if outcome == oc.NOT_APPLICABLE or _outside_dialect(case):
                category = oc.NOT_APPLICABLE
            elif verdict.expected_deviation and outcome == case["outcome"]:
                category = EXPECTED
            else:
                category = outcome
            shown_reason = reason if category in (EXPECTED, oc.NOT_APPLICABLE) else ""
            found.append((clause_id, Entry(case["id"], outcome, category, message or "", shown_reason)))
    return found


def _columns(documents: Sequence[Mapping[str, Any]], names: Sequence[str]) -> list[Column]:
    labels = [str(document["run"]["target"]) for document in documents]
    counts = Counter(labels)
    columns = []
    for label, name, document in zip(labels, names, documents, strict=True):
        run = document["run"]
        wire = str(run.get("dialect") or "jss")
        columns.append(Column(
            f"{label} ({name})" if counts[label] > 1 else label, wire, str(run.get("rules") or wire),
            str(run.get("server_version") or UNKNOWN_VERSION), dict(run),
        ))
    return columns


def build_matrix(
    documents: Sequence[Mapping[str, Any]],
    names: Sequence[str] | None = None,
    catalogue: Mapping[str, Clause] | None = None,
) -> Matrix:
    """The matrix of `documents` (parsed results.json); `names` tell apart runs of the same target."""
    catalogue = catalogue or {}
    names = list(names) if names is not None else [str(i + 1) for i in range(len(documents))]
    cells: dict[tuple[str, int], Cell] = {}
    seen: dict[str, None] = {}
    for column, document in enumerate(documents):
        for clause_id, entry in _entries(document):
            seen.setdefault(clause_id, None)
            cells.setdefault((clause_id, column), Cell()).entries.append(entry)
    families_in_order = dict.fromkeys(clause.family for clause in catalogue.values())
    order = {family: index for index, family in enumerate(families_in_order)}
    known = [c for c in catalogue if c in seen]
    known.sort(key=lambda c: order[catalogue[c].family])  # stable: catalogue order within a family
    rows = known + sorted(c for c in seen if c not in catalogue)
    families = {c: catalogue[c].family for c in known}
    return Matrix(_columns(documents, names), rows, cells, families, list(documents))
