"""The matrix as one self-contained HTML page (inline CSS, no script, no network).

At the top, one summary per run: name, wire and rulebook, server version, its clause verdicts per category,
its case totals as the run judged them, and a stacked bar per family. Then a CSS-only toggle ("show
not-applicable clauses": a checkbox and a ``:checked ~`` rule) and the table: one row per clause, its
sentence in the wording of the columns' wires, one cell per run showing every count of its clause verdicts;
the cases and their messages are in each cell's tooltip and in a ``<details>`` that opens on click.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from conformance import outcomes as oc
from conformance.catalogue import Clause
from conformance.report.matrix import HEADLINE, SEVERITY, Cell, Column, Entry, Matrix, category_name
from conformance.report.matrix_style import BAR_ORDER, stylesheet
from conformance.report.matrix_text import MISSING, case_counts, clause_summary
from conformance.report.wording import load_wording, sentences

esc = html.escape
NA_TEXT = category_name(oc.NOT_APPLICABLE)


def chip(category: str, text: str) -> str:
    """A coloured label of a category."""
    return f'<span class="chip c-{category}" data-category="{category}">{esc(text)}</span>'


def _bars(matrix: Matrix, column: int) -> str:
    rows = []
    for family, _ in matrix.groups():
        counts = matrix.clause_counts(column, family)
        asked = {c: n for c, n in counts.items() if c != oc.NOT_APPLICABLE}
        if not counts:
            continue
        total = sum(asked.values())
        if not total:
            bar = f'<span class="bar-na">{NA_TEXT}</span>'
        else:
            title = esc(f"{family}: {clause_summary(counts)}")
            segments = "".join(
                f'<span class="seg c-{c}" style="width:{100 * asked[c] / total:.2f}%"></span>'
                for c in BAR_ORDER if asked.get(c)
            )
            bar = f'<span class="bar" title="{title}">{segments}</span>'
        rows.append(f'<span class="family">{esc(family)}</span>{bar}')
    return f'<div class="bars">{"".join(rows)}</div>'


def _summary(matrix: Matrix, column: int) -> str:
    head = matrix.columns[column]
    counts = matrix.clause_counts(column)
    shown = list(HEADLINE) + [c for c in counts if c not in HEADLINE]
    chips = " ".join(chip(c, f"{category_name(c)} {counts.get(c, 0)}") for c in shown)
    totals = matrix.totals(column)
    return (
        f'<div class="target-summary" data-target="{esc(head.label)}"><h2>{esc(head.label)}</h2>'
        f'<div class="meta">wire {esc(head.wire)} · rules {esc(head.rules)} · server '
        f"{esc(head.server_version)}</div>"
        f'<div class="counts" title="clause verdicts">{chips}</div>'
        f'<div class="run-line" title="the cases as the run judged them: {esc(case_counts(totals))}">'
        f'run: expected deviations {totals.get("expected", 0)} · '
        f'<b>unexpected outcomes {totals.get("unexpected", 0)}</b></div>'
        f'<div class="meta">clause verdicts per family (n/a left out):</div>{_bars(matrix, column)}</div>'

    )


def _entry_line(entry: Entry) -> str:
    message = entry.message.splitlines()[0][:200] if entry.message else ""
    kind = f"{entry.outcome} (expected)" if entry.category == "EXPECTED" else entry.outcome
    why = f" [{entry.reason[:200]}]" if entry.reason else ""
    return f"{kind} {entry.case_id}" + (f": {message}" if message else "") + why


def _cell(cell: Cell) -> str:
    if not cell.entries:
        return f'<td class="cell missing">{MISSING}</td>'
    lines = [_entry_line(entry) for entry in cell.entries]
    title = esc("\n".join(lines))
    items = "".join(f"<li>{esc(line)}</li>" for line in lines)
    if cell.not_applicable:
        return (f'<td class="cell na" data-outcome="{oc.NOT_APPLICABLE}" title="{title}"><details>'
                f"<summary>{NA_TEXT}</summary><ul>{items}</ul></details></td>")
    chips = " ".join(
        chip(c, f"{n} {category_name(c)}") for c, n in cell.counts.items() if c != oc.NOT_APPLICABLE
    )
    return (f'<td class="cell w-{cell.worst}" data-outcome="{cell.worst}" title="{title}">'
            f"<details><summary>{chips}</summary><ul>{items}</ul></details></td>")


def _head(column: Column) -> str:
    title = esc(f"{column.run.get('endpoint', '')}\nregions {', '.join(column.run.get('regions', []))}\n"
                f"started {column.run.get('started', '')}")
    return (f'<th class="target" title="{title}">{esc(column.label)}'
            f"<small>wire {esc(column.wire)} · rules {esc(column.rules)}</small>"
            f"<small>server {esc(column.server_version)}</small></th>")


def _clause_head(matrix: Matrix, row: str, clause: Clause | None, s3_wording: Mapping[str, str]) -> str:
    if clause is None:
        return f'<td class="clause">{esc(row)}</td>'
    cells = [(matrix.cell(row, i), c.wire) for i, c in enumerate(matrix.columns)]
    wires = [wire for cell, wire in cells if cell.entries and not cell.not_applicable]
    lines = sentences(clause, wires or [c.wire for c in matrix.columns], s3_wording)
    text = "".join(
        f'<div class="sentence">{f"<b>{esc(label)}:</b> " if label else ""}{esc(sentence)}</div>'
        for label, sentence in lines
    )
    return (f'<td class="clause"><a href="{esc(clause.source)}">{esc(row)}</a>'
            f'<div class="sentence">{esc(clause.level)} · {esc(clause.operation)}</div>{text}</td>')


def _body(matrix: Matrix, catalogue: Mapping[str, Clause], s3_wording: Mapping[str, str]) -> str:
    span = len(matrix.columns) + 1
    body = []
    for family, rows in matrix.groups():
        all_na = all(matrix.not_applicable_row(row) for row in rows)
        classes = "family na-row" if all_na else "family"
        body.append(f'<tr class="{classes}"><th colspan="{span}">{esc(family)}</th></tr>')
        for row in rows:
            cells = "".join(_cell(matrix.cell(row, column)) for column in range(len(matrix.columns)))
            hidden = " na-row" if matrix.not_applicable_row(row) else ""
            body.append(f'<tr class="clause{hidden}" data-clause="{esc(row)}">'
                        f"{_clause_head(matrix, row, catalogue.get(row), s3_wording)}{cells}</tr>")
    return "".join(body)


def _legend() -> str:
    chips = " ".join(chip(c, category_name(c)) for c in SEVERITY)
    return (f'<p class="legend">{chips} — expected: a known deviation of the target (its expectations file); '
            "NOT_IMPLEMENTED: the store lacks it; n/a: outside the run's wire or rulebook, nothing was "
            "asked; NOT_REACHED: the case stopped before checking the clause.</p>")


def render_html(
    matrix: Matrix, catalogue: Mapping[str, Clause] | None = None, s3_wording: Mapping[str, str] | None = None
) -> str:
    """The page; `s3_wording` (default: fixtures/wording/s3.toml) words the sentences of s3-wire columns."""
    catalogue = catalogue or {}
    s3_wording = load_wording("s3") if s3_wording is None else s3_wording
    hidden = sum(1 for row in matrix.rows if matrix.not_applicable_row(row))
    summaries = "".join(_summary(matrix, column) for column in range(len(matrix.columns)))
    heads = "".join(_head(column) for column in matrix.columns)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>jss-conformance matrix</title><style>{stylesheet()}</style></head><body>"
        "<h1>jss-conformance: target &times; clause</h1>"
        f'{_legend()}<section id="summary" class="summary">{summaries}</section>'
        '<input type="checkbox" id="show-na">'
        f'<label for="show-na" class="toggle-label">show not-applicable clauses ({hidden} hidden)</label>'
        "<p>Each cell: the verdicts on the clause of every case checking it, counted; hover for the cases "
        "and their messages, click to list them.</p>"
        f'<table id="matrix"><thead><tr><th>clause</th>{heads}</tr></thead><tbody>'
        f"{_body(matrix, catalogue, s3_wording)}</tbody></table></body></html>\n"
    )
