"""The target x clause matrix of several results.json files: a terminal table and a self-contained HTML page.

Rows are clauses grouped by family (catalogue order), columns are runs (labelled by target name). A cell is
the outcome of the cases of one run naming one clause: the most telling of them (FAIL, then INFRA_ERROR,
INTERRUPTED, NON_STRICT, NOT_IMPLEMENTED, SKIPPED, PASS), with how many of those cases had it. A cell whose
non-PASS cases were all expected (the target's known deviations) is marked apart: ``*`` in the terminal, a
hatched cell labelled "expected" in the page; a cell of a clause outside the run's dialect reads ``n/a``. The
totals per run (expected deviations, unexpected outcomes) are those the run printed: the same judgement. The
page needs no script and no network: the cases and their messages are in each cell's tooltip and in a
``<details>`` that opens on click.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance.catalogue import Clause
from conformance.report.clause_view import expected_on_clause, per_clause
from conformance.report.judgement import run_totals

#: Which outcome a cell shows when its cases disagree (first wins).
PRECEDENCE = (
    "FAIL", "INFRA_ERROR", "INTERRUPTED", "NON_STRICT", "NOT_IMPLEMENTED", "SKIPPED", "PASS", "NOT_REACHED",
)
COLOURS = {
    "PASS": "#c8e6c9",
    "FAIL": "#ef9a9a",
    "NON_STRICT": "#ffe082",
    "NOT_IMPLEMENTED": "#b3e5fc",
    "SKIPPED": "#e0e0e0",
    "INFRA_ERROR": "#ce93d8",
    "INTERRUPTED": "#ffcc80",
    "NOT_REACHED": "#f5f5f5",
}
NOT_APPLICABLE = "n/a"
MISSING = "-"
NO_FAMILY = "(not in the catalogue)"


def _expected(case: Mapping[str, Any]) -> bool:
    """The case (as one clause saw it) ended as expected with something other than PASS."""
    return expected_on_clause(case, case["outcome"])


def _outside_dialect(case: Mapping[str, Any]) -> bool:
    return _expected(case) and (case.get("expected") or {}).get("source") == "dialect"


@dataclass
class Cell:
    """The cases of one run naming one clause; those outside the run's dialect only count when no other
    case applies (the cell then reads n/a)."""

    cases: list[dict[str, Any]] = field(default_factory=list)

    @property
    def applicable(self) -> list[dict[str, Any]]:
        """The cases of the cell that apply to the run's dialect."""
        return [case for case in self.cases if not _outside_dialect(case)]

    @property
    def outcome(self) -> str:
        """The cell's outcome (MISSING when no case of the run names the clause)."""
        found = {case["outcome"] for case in self.applicable or self.cases}
        return next((name for name in PRECEDENCE if name in found), MISSING)

    @property
    def not_applicable(self) -> bool:
        """Every case is outside the run's dialect."""
        return bool(self.cases) and not self.applicable

    @property
    def expected(self) -> bool:
        """Something other than PASS, and every non-PASS case was expected (a known deviation)."""
        failing = [case for case in self.applicable if case["outcome"] != "PASS"]
        return bool(failing) and all(_expected(case) for case in failing)

    @property
    def text(self) -> str:
        """``OUTCOME n/m`` (``OUTCOME* n/m`` when expected, ``n/a`` outside the dialect)."""
        if not self.cases:
            return MISSING
        if self.not_applicable:
            return NOT_APPLICABLE
        cases = self.applicable
        shown = sum(1 for case in cases if case["outcome"] == self.outcome)
        return f"{self.outcome}{'*' if self.expected else ''} {shown}/{len(cases)}"


@dataclass
class Matrix:
    """Rows are clause ids (grouped by family), columns are runs (labelled by target name)."""

    columns: list[str]
    runs: list[dict[str, Any]]
    rows: list[str]
    cells: dict[tuple[str, int], Cell]
    families: dict[str, str] = field(default_factory=dict)
    documents: list[Mapping[str, Any]] = field(default_factory=list, repr=False)

    def cell(self, clause_id: str, column: int) -> Cell:
        """The cell of a clause and a column (empty when the run has no case for it)."""
        return self.cells.get((clause_id, column), Cell())

    def groups(self) -> list[tuple[str, list[str]]]:
        """(family, its rows) in row order."""
        grouped: dict[str, list[str]] = {}
        for row in self.rows:
            grouped.setdefault(self.families.get(row, NO_FAMILY), []).append(row)
        return list(grouped.items())

    def totals(self, column: int) -> dict[str, int]:
        """Case counts of a run: per outcome, plus ``expected`` (expected deviations) and ``unexpected``
        (unexpected outcomes), judged as the run judged them (:mod:`conformance.report.judgement`): equal to
        the run's own terminal line."""
        return run_totals(self.documents[column]) if self.documents else {}


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
    catalogue = catalogue or {}
    names = list(names) if names is not None else [str(i + 1) for i in range(len(documents))]
    cells: dict[tuple[str, int], Cell] = {}
    seen: dict[str, None] = {}
    for column, document in enumerate(documents):
        for case in document["cases"]:  # each clause judged by its own verdict in the case
            for clause_id, viewed in per_clause(case) or [("(no clause)", dict(case))]:
                seen.setdefault(clause_id, None)
                cells.setdefault((clause_id, column), Cell()).cases.append(viewed)
    families_in_order = dict.fromkeys(clause.family for clause in catalogue.values())
    order = {family: index for index, family in enumerate(families_in_order)}
    known = [c for c in catalogue if c in seen]
    known.sort(key=lambda c: order[catalogue[c].family])  # stable: catalogue order within a family
    rows = known + sorted(c for c in seen if c not in catalogue)
    families = {c: catalogue[c].family for c in known}
    return Matrix(
        _labels(documents, names), [dict(d["run"]) for d in documents], rows, cells, families, list(documents)
    )


def _summary(totals: Mapping[str, int]) -> str:
    shown = [f"{name} {totals[name]}" for name in PRECEDENCE if totals.get(name)]
    expected, unexpected = totals.get("expected", 0), totals.get("unexpected", 0)
    return ", ".join(shown) + f"; expected {expected}, unexpected {unexpected}"


def render_text(matrix: Matrix) -> str:
    """A plain-text table: a ``[family]`` line, then one row per clause; then the case totals per run."""
    first = max([len("clause")] + [len(row) for row in matrix.rows])
    widths = [
        max([len(label), len(MISSING)] + [len(matrix.cell(row, i).text) for row in matrix.rows])
        for i, label in enumerate(matrix.columns)
    ]
    lines = [
        "  ".join(["clause".ljust(first)] + [c.ljust(w) for c, w in zip(matrix.columns, widths, strict=True)])
    ]
    lines.append("  ".join(["-" * first] + ["-" * w for w in widths]))
    for family, rows in matrix.groups():
        lines.append(f"[{family}]")
        for row in rows:
            texts = [matrix.cell(row, i).text.ljust(w) for i, w in enumerate(widths)]
            lines.append("  ".join([row.ljust(first), *texts]).rstrip())
    lines.append("")
    lines.append("* every non-PASS case of the cell is a known deviation; n/a: outside the run's dialect")
    for column, label in enumerate(matrix.columns):
        lines.append(f"{label}: cases {_summary(matrix.totals(column))}")
    return "\n".join(lines) + "\n"


_CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #bbb; padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: #f5f5f5; }
tr.family th { background: #37474f; color: #fff; text-transform: uppercase; letter-spacing: .05em; }
td.cell { white-space: nowrap; font-family: ui-monospace, monospace; min-width: 9em; }
td.cell.expected { background-image: repeating-linear-gradient(45deg, transparent 0 6px,
  rgba(255,255,255,.55) 6px 12px); }
td.cell .mark { font-family: system-ui, sans-serif; font-size: 11px; margin-left: .4em; padding: 0 4px;
  border: 1px solid #555; border-radius: 3px; }
td.cell.na { color: #777; background: #fafafa; }
td.cell details summary { cursor: pointer; }
td.cell details ul { margin: .3em 0 0 1em; padding: 0; white-space: normal; max-width: 40em;
  font-size: 12px; }
td.clause a { color: inherit; }
tfoot td { font-size: 12px; background: #f5f5f5; }
.sentence { color: #555; font-size: 12px; max-width: 46em; }
.legend span { display: inline-block; padding: 2px 8px; margin-right: 6px; border: 1px solid #bbb; }
"""


def _case_line(case: Mapping[str, Any]) -> str:
    message = case["message"].splitlines()[0][:200] if case["message"] else ""
    wanted = case.get("expected") or {}
    why = f" [expected: {wanted['reason'][:200]}]" if _expected(case) else ""
    return f"{case['outcome']} {case['id']}" + (f": {message}" if message else "") + why


def _run_title(run: Mapping[str, Any]) -> str:
    return (f"{run['endpoint']}\ndialect {run.get('dialect', '')}\nregions {', '.join(run['regions'])}\n"
            f"started {run['started']}")


def _html_cell(cell: Cell) -> str:
    esc = html.escape
    if not cell.cases:
        return f'<td class="cell missing">{MISSING}</td>'
    lines = [_case_line(case) for case in cell.cases]
    title = esc("\n".join(lines))
    items = "".join(f"<li>{esc(line)}</li>" for line in lines)
    if cell.not_applicable:
        summary = NOT_APPLICABLE
        return (f'<td class="cell na" data-outcome="n/a" title="{title}"><details>'
                f"<summary>{summary}</summary><ul>{items}</ul></details></td>")
    classes = "cell expected" if cell.expected else "cell"
    mark = '<span class="mark">expected</span>' if cell.expected else ""
    text = cell.text.replace("*", "")
    return (
        f'<td class="{classes}" data-outcome="{cell.outcome}" '
        f'style="background-color:{COLOURS[cell.outcome]}" title="{title}">'
        f"<details><summary>{esc(text)}{mark}</summary><ul>{items}</ul></details></td>"
    )


def render_html(matrix: Matrix, catalogue: Mapping[str, Clause] | None = None) -> str:
    """A self-contained HTML page (inline CSS, no scripts, no external resources)."""
    catalogue = catalogue or {}
    esc = html.escape
    head = "".join(
        f'<th class="target" title="{esc(_run_title(run))}">{esc(label)}'
        f'<br><small>{esc(run.get("dialect", ""))}</small></th>'
        for label, run in zip(matrix.columns, matrix.runs, strict=True)
    )
    span = len(matrix.columns) + 1
    body = []
    for family, rows in matrix.groups():
        body.append(f'<tr class="family"><th colspan="{span}">{esc(family)}</th></tr>')
        for row in rows:
            clause = catalogue.get(row)
            if clause:
                name = f'<a href="{esc(clause.source)}">{esc(row)}</a>'
                sentence = f"{clause.level} · {clause.operation}: {clause.sentence}"
                detail = f'<div class="sentence">{esc(sentence)}</div>'
            else:
                name, detail = esc(row), ""
            cells = "".join(_html_cell(matrix.cell(row, column)) for column in range(len(matrix.columns)))
            body.append(
                f'<tr class="clause" data-clause="{esc(row)}">'
                f'<td class="clause">{name}{detail}</td>{cells}</tr>'
            )
    totals = "".join(
        f'<td class="total">{esc(_summary(matrix.totals(column)))}</td>'
        for column in range(len(matrix.columns))
    )
    legend = "".join(f'<span style="background:{COLOURS[n]}">{n}</span>' for n in PRECEDENCE)
    legend += '<span class="mark">expected</span> known deviation of the target; n/a: outside its dialect'
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>jss-conformance matrix</title>"
        f"<style>{_CSS}</style></head><body>"
        "<h1>jss-conformance: target &times; clause</h1>"
        f'<p class="legend">{legend}</p>'
        "<p>Each cell: the outcome of the cases checking the clause (the most telling one) and how many of "
        "them had it; hover for the cases and their messages, click to list them.</p>"
        f'<table id="matrix"><thead><tr><th>clause</th>{head}</tr></thead><tbody>{"".join(body)}</tbody>'
        f'<tfoot><tr><td>cases</td>{totals}</tr></tfoot></table>'
        "</body></html>\n"
    )
