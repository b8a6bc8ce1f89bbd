"""The matrix as a terminal table: the summary of each run first (its clause verdicts per category and its
case totals as the run judged them), then one row per clause with every count of each cell."""

from __future__ import annotations

from conformance import outcomes as oc
from conformance.report.matrix import EXPECTED, HEADLINE, Cell, Matrix, category_name

#: Short names of the categories in the table's cells.
SHORT = {
    oc.PASS: "PASS", oc.FAIL: "FAIL", EXPECTED: "EXP", oc.NON_STRICT: "NS", oc.NOT_IMPLEMENTED: "NI",
    oc.NOT_APPLICABLE: "n/a", oc.SKIPPED: "SKIP", oc.NOT_REACHED: "NR", oc.INFRA_ERROR: "INFRA",
    oc.INTERRUPTED: "INT",
}
MISSING = "-"
LEGEND = (
    "cells: count per category: EXP expected deviation of the target, NS NON_STRICT, "
    "NI NOT_IMPLEMENTED, NR NOT_REACHED, SKIP SKIPPED, INFRA INFRA_ERROR, INT INTERRUPTED; "
    "n/a: outside the run's wire or rulebook"
)
#: The run's own case counts, in the order the run names them.
CASE_ORDER = (
    oc.FAIL, oc.INFRA_ERROR, oc.INTERRUPTED, oc.NON_STRICT, oc.NOT_IMPLEMENTED, oc.NOT_APPLICABLE, oc.SKIPPED,
    oc.PASS,
)


def cell_text(cell: Cell) -> str:
    """Every count of a cell, worst first (``1 FAIL 3 PASS``); ``n/a`` when nothing applies, ``-`` when no
    case of the run names the clause."""
    if not cell.entries:
        return MISSING
    if cell.not_applicable:
        return SHORT[oc.NOT_APPLICABLE]
    return " ".join(f"{n} {SHORT[c]}" for c, n in cell.counts.items() if c != oc.NOT_APPLICABLE)


def clause_summary(counts: dict[str, int]) -> str:
    """``PASS 40 · FAIL 2 · expected 1 · ...``: the headline categories always, the others when present."""
    shown = list(HEADLINE) + [c for c in counts if c not in HEADLINE]
    return " · ".join(f"{category_name(c)} {counts.get(c, 0)}" for c in shown)


def case_counts(totals: dict[str, int]) -> str:
    """The run's case counts per outcome: ``FAIL 2, PASS 30``."""
    return ", ".join(f"{name} {totals[name]}" for name in CASE_ORDER if totals.get(name))


def case_summary(totals: dict[str, int]) -> str:
    """The run's case counts and its judgement: ``FAIL 2, PASS 30; expected 1, unexpected 1``."""
    expected, unexpected = totals.get("expected", 0), totals.get("unexpected", 0)
    return f"{case_counts(totals)}; expected {expected}, unexpected {unexpected}"


def summary_lines(matrix: Matrix) -> list[str]:
    """Per run: its head (wire, rulebook, server version), its clause verdicts, its case totals."""
    lines = []
    for index, column in enumerate(matrix.columns):
        head = f"wire {column.wire}, rules {column.rules}, server {column.server_version}"
        lines.append(f"{column.label}: {head}")
        lines.append(f"{column.label}: clauses {clause_summary(matrix.clause_counts(index))}")
        lines.append(f"{column.label}: cases {case_summary(matrix.totals(index))}")
    return lines


def render_text(matrix: Matrix, show_not_applicable: bool = False) -> str:
    """The summary lines, then a ``[family]`` line and one row per clause; rows not applicable to any run
    are left out (and counted) unless `show_not_applicable`."""
    hidden = [row for row in matrix.rows if matrix.not_applicable_row(row)]
    shown = set(matrix.rows) if show_not_applicable else set(matrix.rows) - set(hidden)
    first = max([len("clause")] + [len(row) for row in matrix.rows])
    widths = [
        max([len(column.label), len(MISSING)] + [len(cell_text(matrix.cell(row, i))) for row in shown])
        for i, column in enumerate(matrix.columns)
    ]
    lines = [*summary_lines(matrix), ""]
    labels = [column.label.ljust(width) for column, width in zip(matrix.columns, widths, strict=True)]
    lines.append("  ".join(["clause".ljust(first), *labels]))
    lines.append("  ".join(["-" * first] + ["-" * w for w in widths]))
    for family, rows in matrix.groups():
        rows = [row for row in rows if row in shown]
        if rows:
            lines.append(f"[{family}]")
        for row in rows:
            texts = [cell_text(matrix.cell(row, i)).ljust(w) for i, w in enumerate(widths)]
            lines.append("  ".join([row.ljust(first), *texts]).rstrip())
    lines.append("")
    lines.append(LEGEND)
    if hidden and not show_not_applicable:
        lines.append(
            f"{len(hidden)} clauses not applicable to any run are not shown "
            "(--show-not-applicable lists them)"
        )
    return "\n".join(lines) + "\n"
