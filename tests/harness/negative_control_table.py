"""The deviation × case table of one wire: how many cases each deviation turns red, and how many cases run on
the wire are turned red by none. The coverage test of test_harness_negative_controls.py prints it (shown with
``pytest -rP``) and, when ``NEGATIVE_CONTROLS_TABLE_DIR`` names a directory, writes it there as
``<wire>.md``."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from negative_controls import Control, SuiteRun

TABLE_DIR_VARIABLE = "NEGATIVE_CONTROLS_TABLE_DIR"


def killers(runs: dict[str, SuiteRun]) -> dict[str, list[str]]:
    """case id -> the controls (``name:wire``) of `runs` that turn it red, for every case the runs saw."""
    cases: dict[str, list[str]] = {case: [] for run in runs.values() for case in run.cases}
    for key, run in sorted(runs.items()):
        for case in run.red():
            cases[case].append(key)
    return cases


def coverage_table(wire: str, controls: list[Control], runs: dict[str, SuiteRun]) -> str:
    """A Markdown table of `wire`: one row per control (cases it turns red, the clauses red), then the
    totals (cases run on the wire, cases turned red by at least one, by none)."""
    lines = [
        f"### Negative controls on the {wire} wire",
        "",
        "| deviation | cases turned red | red clauses |",
        "|---|---:|---|",
    ]
    for control in sorted(controls, key=lambda c: c.name):
        run = runs[control.key]
        red = sorted(run.red_clauses())
        lines.append(f"| {control.name}{' (fault)' if control.fault else ''} | {len(run.red())} | "
                     f"{', '.join(red)} |")
    counted = {key: run for key, run in runs.items() if not _fault(controls, key)}
    by_case = killers(counted)
    histogram = Counter(min(len(found), 3) for found in by_case.values())
    lines += [
        "",
        f"deviations: {len(controls)} ({sum(c.fault for c in controls)} faults, not counted); "
        f"cases run on the wire: {len(by_case)}; turned red by at least one deviation: "
        f"{sum(1 for found in by_case.values() if found)}; by exactly one: {histogram[1]}, two: "
        f"{histogram[2]}, three or more: {histogram[3]}; by none: {histogram[0]}",
    ]
    return "\n".join(lines) + "\n"


def _fault(controls: list[Control], key: str) -> bool:
    return any(control.key == key and control.fault for control in controls)


def publish(wire: str, table: str) -> None:
    """Print `table` and write it to ``$NEGATIVE_CONTROLS_TABLE_DIR/<wire>.md`` when that is set."""
    print(table)
    directory = os.environ.get(TABLE_DIR_VARIABLE)
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        (Path(directory) / f"{wire}.md").write_text(table, encoding="utf-8")
