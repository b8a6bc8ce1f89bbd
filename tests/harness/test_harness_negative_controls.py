"""Negative controls: "a check that cannot fail is a defect". The whole conformance suite runs once against
each deviation of the reference endpoint (conformance/reference/deviations.py) on each wire it is a control
for (the JSS wire: the default embedded target; the S3 wire: fixtures/targets/embedded-s3.toml);
fixtures/deviations.toml says what each one must do there. From the results of those runs, wire by wire:

(a) the clauses a deviation breaks turn to its expected outcome (FAIL, NON_STRICT for the silent RR
    downgrade): at least one case's verdict on each clause (results.json ``clause_verdicts``), and no other
    clause gets a red verdict (unless the deviation is a ``cascade``: it breaks an operation that cases of
    other clauses need to arrange theirs, e.g. every UploadPart refused);
(b) every case outside the families it is visible in still passes, family by family;
(c) coverage: every case run on the wire is turned red by at least one deviation of that wire, and every
    deviation turns at least one case red on each of its wires (the deviation x case table of each wire is
    printed: negative_control_table.py).

The runs are made once per test session, one subprocess per deviation and wire, a few at a time; under xdist
the workers that need them share them out (a claim file per run in the session's shared temp dir). The
catalogue and the runs themselves: negative_controls.py.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from harness_helpers import CLI_TIMEOUT
from negative_control_table import coverage_table, publish
from negative_controls import (
    CATALOGUE,
    CONTROLS,
    LARGE,
    PER_WIRE_KEYS,
    RED,
    WIRE_TARGETS,
    SuiteRun,
    load_entries,
    run_suite,
)

from conformance.harness.levels import example_only
from conformance.reference.deviations import DEVIATIONS

WIRES = sorted({control.wire for control in CONTROLS.values()})


def _claim(marker: Path) -> bool:
    """True for the one caller that creates `marker` (the deviation is then its to run)."""
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _run_claimed(directory: Path, names: list[str]) -> None:
    """Run every control (``name:wire``) of `names` not yet claimed by another worker, writing
    ``<name:wire>.summary.json``."""
    for name in names:
        if _claim(directory / f"{name}.claim"):
            summary = directory / f"{name}.summary.json"
            text = json.dumps(run_suite(CONTROLS[name], directory))
            summary.with_suffix(".tmp").write_text(text, encoding="utf-8")
            summary.with_suffix(".tmp").replace(summary)


def _shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temp dir every xdist worker of this session sees (the session's base temp dir without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _needed(session: pytest.Session) -> list[str]:
    """The controls (``name:wire``) whose suite runs the selected tests use: those of the selected
    per-deviation tests, or every one of a wire when a test over all of them (coverage) is selected for it.
    So ``-k NAME`` runs NAME's suites only, ``-k s3`` those of the S3 wire."""
    needed: set[str] = set()
    for item in session.items:
        if "deviated_runs" not in getattr(item, "fixturenames", ()):
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "deviation" in params:
            needed.add(params["deviation"])
        elif "wire" in params:
            needed |= {key for key, control in CONTROLS.items() if control.wire == params["wire"]}
        else:
            return list(CONTROLS)
    return [name for name in CONTROLS if name in needed]


@pytest.fixture(scope="session")
def deviated_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, SuiteRun]:
    """``name:wire`` -> its SuiteRun, for the controls the selected tests use (:func:`_needed`). Each
    control's suite runs once per session: the xdist workers that need the runs share them out (a claim
    file each) and read each other's summaries."""
    directory = _shared_dir(tmp_path_factory) / "negative-controls"
    directory.mkdir(exist_ok=True)
    names = _needed(request.session)
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    threads = min(4, max(1, (os.cpu_count() or 2) // workers))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for future in [pool.submit(_run_claimed, directory, names) for _ in range(threads)]:
            future.result()
    deadline = time.monotonic() + 2 * CLI_TIMEOUT
    pending = list(names)
    while pending and time.monotonic() < deadline:
        pending = [name for name in pending if not (directory / f"{name}.summary.json").exists()]
        time.sleep(0.2 if pending else 0)
    assert not pending, f"the suite runs of {pending} (claimed by another worker) never finished"
    summaries = {name: (directory / f"{name}.summary.json").read_text(encoding="utf-8") for name in names}
    return {name: SuiteRun.from_summary(json.loads(text)) for name, text in summaries.items()}


def _completed(runs: dict[str, SuiteRun], deviation: str) -> SuiteRun:
    run = runs[deviation]
    assert run.cases, f"deviation {deviation}: the suite wrote no results (exit {run.status}):\n{run.output}"
    return run


# -- the catalogue itself ------------------------------------------------------------------------------------


def test_harness_every_deviation_of_the_reference_has_expectations():
    assert sorted(entry["name"] for entry in load_entries()) == sorted(DEVIATIONS)


@pytest.mark.parametrize("entry", load_entries(), ids=lambda entry: entry["name"])
def test_harness_deviation_wires_are_known_and_overridden_only_where_it_runs(entry):
    wires = entry.get("wires", ["jss"])
    overrides = entry.get("wire", {})
    assert wires and len(set(wires)) == len(wires) and set(wires) <= set(WIRE_TARGETS), wires
    assert set(overrides) <= set(wires), f"{entry['name']}: tables of {sorted(overrides)}, wires {wires}"
    for wire, table in overrides.items():
        assert table and set(table) <= PER_WIRE_KEYS, f"{entry['name']} on {wire}: keys {sorted(table)}"


@pytest.mark.parametrize("deviation", CONTROLS)
def test_harness_deviation_expectations_name_known_clauses_and_families(deviation):
    control = CONTROLS[deviation]
    families = {clause.family for clause in CATALOGUE.values()}
    assert control.outcomes <= set(RED)
    assert {clause for clause, _ in control.clause_outcomes} <= set(control.clauses)
    assert control.clauses and control.families <= families, control
    unknown = [clause for clause in control.clauses if clause not in CATALOGUE]
    assert not unknown, f"{deviation}: unknown clauses {unknown}"
    outside = [clause for clause in control.clauses if CATALOGUE[clause].family not in control.families]
    assert not outside, f"{deviation}: clauses {outside} are outside its families {sorted(control.families)}"


# -- (a) the deviated clauses turn red; (b) the rest of the suite still passes -------------------------------


@pytest.mark.parametrize("deviation", CONTROLS)
def test_harness_deviation_turns_its_clauses_red(deviated_runs, deviation):
    control = CONTROLS[deviation]
    run = _completed(deviated_runs, deviation)
    turned = {
        clause: sorted(case for case, found in run.verdicts.items()
                       if found.get(clause) == control.outcome_of(clause))
        for clause in control.clauses
    }
    unseen = [clause for clause, cases in turned.items() if not cases]
    assert not unseen, (
        f"deviation {deviation}: no case of the clauses {unseen} turned "
        f"{[control.outcome_of(clause) for clause in unseen]}; "
        f"red: {sorted(run.red())}\n{run.output}"
    )
    assert run.status == (1 if control.outcome == "FAIL" else 0), f"deviation {deviation}:\n{run.output}"
    assert run.target == WIRE_TARGETS[control.wire][1]


@pytest.mark.parametrize("deviation", CONTROLS)
def test_harness_deviation_reddens_only_its_clauses(deviated_runs, deviation):
    control = CONTROLS[deviation]
    run = _completed(deviated_runs, deviation)
    red = run.red_clauses()
    wrong = {
        clause: sorted(outcomes) for clause, outcomes in red.items()
        if clause in control.clauses and outcomes != {control.outcome_of(clause)}
    }
    assert not wrong, f"deviation {deviation}: clauses with a verdict other than expected: {wrong}"
    others = sorted(set(red) - set(control.clauses))
    assert control.cascade or not others, (
        f"deviation {deviation} turned clauses it does not list red: {others} (fixtures/deviations.toml "
        "lists every clause a deviation breaks; one that breaks what other cases arrange is a cascade)"
    )


@pytest.mark.parametrize("deviation", CONTROLS)
def test_harness_deviation_leaves_the_other_families_passing(deviated_runs, deviation):
    control = CONTROLS[deviation]
    run = _completed(deviated_runs, deviation)
    allowed = {"PASS", *control.outcomes}
    unexpected: dict[str, list[str]] = defaultdict(list)
    for case, (outcome, clauses) in run.cases.items():
        families = run.families_of(case)
        inside = bool(families & control.families)
        # a failed check of a case whose clauses are all EXAMPLE under the jss rules is NON_STRICT
        demoted = {"NON_STRICT"} if example_only(clauses, CATALOGUE, "jss") else set()
        if outcome not in allowed | demoted or (not inside and outcome != "PASS"):
            for family in sorted(families):
                unexpected[family].append(run.describe(case))
    assert not unexpected, (
        f"deviation {deviation} (in {sorted(control.families)}, expected {control.outcome}) changed:\n"
        + "\n".join(f"[{family}]\n  " + "\n  ".join(lines) for family, lines in sorted(unexpected.items()))
    )


# -- (c) coverage, wire by wire ------------------------------------------------------------------------------


def _of_wire(wire: str) -> list[str]:
    return [key for key, control in CONTROLS.items() if control.wire == wire]


@pytest.mark.parametrize("wire", WIRES)
def test_harness_every_case_is_turned_red_by_some_deviation(deviated_runs, wire):
    keys = _of_wire(wire)
    runs = {key: _completed(deviated_runs, key) for key in keys}
    publish(wire, coverage_table(wire, [CONTROLS[key] for key in keys], runs))
    counted = [run for key, run in runs.items() if not CONTROLS[key].fault]
    every_case = set().union(*(run.cases for run in counted))
    turned = set().union(*(run.red() for run in counted))
    never = sorted(every_case - turned)
    assert every_case and not never, (
        f"{len(never)} of {len(every_case)} cases of the {wire} wire are never turned red by a deviation "
        "(a check that cannot fail is a defect):\n  " + "\n  ".join(never)
    )


@pytest.mark.parametrize("wire", WIRES)
def test_harness_every_deviation_turns_some_case_red(deviated_runs, wire):
    idle = [key for key in _of_wire(wire) if not _completed(deviated_runs, key).red()]
    assert not idle, f"deviations that turn no case red on the {wire} wire (a defect of each): {idle}"


def _without_large(run: SuiteRun) -> frozenset[str]:
    """The cases of `run` outside the large family (which runs only where a deviation opts in)."""
    return frozenset(case for case in run.cases if LARGE not in run.families_of(case))


@pytest.mark.parametrize("wire", WIRES)
def test_harness_every_run_saw_the_same_cases(deviated_runs, wire):
    runs = {key: _completed(deviated_runs, key) for key in _of_wire(wire)}
    sizes = {key: _without_large(run) for key, run in runs.items()}
    reference = max(sizes.values(), key=len)
    short = {key: sorted(reference - cases) for key, cases in sizes.items() if cases != reference}
    assert not short, f"runs that lack cases: {short}"
    large_runs = [key for key in runs if LARGE in CONTROLS[key].families]
    every_large = set().union(*(set(runs[key].cases) - sizes[key] for key in large_runs))
    lacking = {key: sorted(every_large - set(runs[key].cases)) for key in large_runs}
    assert not large_runs or every_large, f"the large-family runs of {large_runs} ran no large case"
    assert not any(lacking.values()), f"large-family runs that lack cases: {lacking}"
