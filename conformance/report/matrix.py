"""The target x clause matrix of several results.json files: a terminal table and a self-contained HTML page.

A cell is the outcome of the cases of one run naming one clause: the most telling of them (FAIL, then
INFRA_ERROR, INTERRUPTED, NON_STRICT, NOT_IMPLEMENTED, SKIPPED, PASS), with how many of those cases had it.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance.catalogue import Clause

#: Which outcome a cell shows when its cases disagree (first wins).
PRECEDENCE = ("FAIL", "INFRA_ERROR", "INTERRUPTED", "NON_STRICT", "NOT_IMPLEMENTED", "SKIPPED", "PASS")
COLOURS = {
    "PASS": "#c8e6c9",
    "FAIL": "#ef9a9a",
    "NON_STRICT": "#ffe082",
    "NOT_IMPLEMENTED": "#b3e5fc",
    "SKIPPED": "#e0e0e0",
    "INFRA_ERROR": "#ce93d8",
    "INTERRUPTED": "#ffcc80",
}
MISSING = "-"


@dataclass
class Cell:
    """The cases of one run naming one clause."""

    cases: list[dict[str, Any]] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        """The cell's outcome (MISSING when no case of the run names the clause)."""
        found = {case["outcome"] for case in self.cases}
        return next((name for name in PRECEDENCE if name in found), MISSING)

    @property
    def text(self) -> str:
        """``OUTCOME n/m``: n of the m cases have the shown outcome."""
        if not self.cases:
            return MISSING
        shown = sum(1 for case in self.cases if case["outcome"] == self.outcome)
        return f"{self.outcome} {shown}/{len(self.cases)}"


@dataclass
class Matrix:
    """Rows are clause ids, columns are runs (labelled by target name)."""

    columns: list[str]
    runs: list[dict[str, Any]]
    rows: list[str]
    cells: dict[tuple[str, int], Cell]

    def cell(self, clause_id: str, column: int) -> Cell:
        """The cell of a clause and a column (empty when the run has no case for it)."""
        return self.cells.get((clause_id, column), Cell())


def _labels(documents: Sequence[Mapping[str, Any]], names: Sequence[str]) -> list[str]:
    labels = [str(document["run"]["target"]) for document in documents]
    counts = Counter(labels)
    return [
        f"{label} ({name})" if counts[label] > 1 else label for label, name in zip(labels, names, strict=True)
    ]


def build_matrix(
    documents: Sequence[Mapping[str, Any]],
    names: Sequence[str] | None = None,
    catalogue: Mapping[str, Clause] | None = None,
) -> Matrix:
    """The matrix of `documents` (parsed results.json); `names` tell apart runs of the same target."""
    names = list(names) if names is not None else [str(i + 1) for i in range(len(documents))]
    cells: dict[tuple[str, int], Cell] = {}
    seen: dict[str, None] = {}
    for column, document in enumerate(documents):
        for case in document["cases"]:
            for clause_id in case["clauses"] or ["(no clause)"]:
                seen.setdefault(clause_id, None)
                cells.setdefault((clause_id, column), Cell()).cases.append(case)
    order = list(catalogue or {})
    rows = [c for c in order if c in seen] + sorted(c for c in seen if c not in (catalogue or {}))
    return Matrix(_labels(documents, names), [dict(d["run"]) for d in documents], rows, cells)


def render_text(matrix: Matrix) -> str:
    """A plain-text table, one row per clause, then the outcome counts per run."""
    first = max([len("clause")] + [len(row) for row in matrix.rows])
    widths = [
        max([len(label), len(MISSING)] + [len(matrix.cell(row, i).text) for row in matrix.rows])
        for i, label in enumerate(matrix.columns)
    ]
    lines = [
        "  ".join(["clause".ljust(first)] + [c.ljust(w) for c, w in zip(matrix.columns, widths, strict=True)])
    ]
    lines.append("  ".join(["-" * first] + ["-" * w for w in widths]))
    for row in matrix.rows:
        texts = [matrix.cell(row, i).text.ljust(w) for i, w in enumerate(widths)]
        lines.append("  ".join([row.ljust(first), *texts]).rstrip())
    lines.append("")
    for column, label in enumerate(matrix.columns):
        counts = Counter(matrix.cell(row, column).outcome for row in matrix.rows)
        summary = ", ".join(f"{name} {counts[name]}" for name in PRECEDENCE if counts[name])
        lines.append(f"{label}: {summary or 'no clauses'} (clauses by their cell)")
    return "\n".join(lines) + "\n"


_CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #bbb; padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: #f5f5f5; }
td.cell { white-space: nowrap; font-family: ui-monospace, monospace; }
td.clause a { color: inherit; }
.sentence { color: #555; font-size: 12px; max-width: 46em; }
.legend span { display: inline-block; padding: 2px 8px; margin-right: 6px; border: 1px solid #bbb; }
"""


def _cell_title(cell: Cell) -> str:
    lines = []
    for case in cell.cases:
        message = case["message"].splitlines()[0][:200] if case["message"] else ""
        lines.append(f"{case['outcome']} {case['id']}" + (f": {message}" if message else ""))
    return "\n".join(lines)


def _run_title(run: Mapping[str, Any]) -> str:
    return f"{run['endpoint']}\nregions {', '.join(run['regions'])}\nstarted {run['started']}"


def render_html(matrix: Matrix, catalogue: Mapping[str, Clause] | None = None) -> str:
    """A self-contained HTML page (inline CSS, no scripts, no external resources)."""
    catalogue = catalogue or {}
    esc = html.escape
    head = "".join(
        f'<th title="{esc(_run_title(run))}">{esc(label)}</th>'
        for label, run in zip(matrix.columns, matrix.runs, strict=True)
    )
    body = []
    for row in matrix.rows:
        clause = catalogue.get(row)
        if clause:
            name = f'<a href="{esc(clause.source)}">{esc(row)}</a>'
            sentence = f"{clause.level} · {clause.operation}: {clause.sentence}"
            detail = f'<div class="sentence">{esc(sentence)}</div>'
        else:
            name, detail = esc(row), ""
        cells = []
        for column in range(len(matrix.columns)):
            cell = matrix.cell(row, column)
            colour = COLOURS.get(cell.outcome, "#ffffff")
            title = esc(_cell_title(cell))
            style = f"background:{colour}"
            cells.append(f'<td class="cell" style="{style}" title="{title}">{esc(cell.text)}</td>')
        body.append(f'<tr><td class="clause">{name}{detail}</td>{"".join(cells)}</tr>')
    legend = "".join(f'<span style="background:{COLOURS[n]}">{n}</span>' for n in PRECEDENCE)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>jss-conformance matrix</title>"
        f"<style>{_CSS}</style></head><body>"
        "<h1>jss-conformance: target &times; clause</h1>"
        f'<p class="legend">{legend}</p>'
        "<p>Each cell: the outcome of the cases checking the clause (the most telling one) and how many of "
        "them had it; hover for the cases.</p>"
        f"<table><thead><tr><th>clause</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        "</body></html>\n"
    )
