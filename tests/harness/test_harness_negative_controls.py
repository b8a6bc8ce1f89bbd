"""Negative controls: "a check that cannot fail is a defect". The whole conformance suite runs once against
each deviation of the reference endpoint (conformance/reference/deviations.py); fixtures/deviations.toml says
what each one must do. From the results of those runs:

(a) the clauses a deviation breaks turn to its expected outcome (FAIL, NON_STRICT for the silent RR
    downgrade): at least one case's verdict on each clause (results.json ``clause_verdicts``), and no other
    clause gets a red verdict (unless the deviation is a ``cascade``: it breaks an operation that cases of
    other clauses need to arrange theirs, e.g. every UploadPart refused);
(b) every case outside the families it is visible in still passes, family by family;
(c) coverage: every case of the suite is turned red by at least one deviation, and every deviation turns at
    least one case red.

The runs are made once per test session, one subprocess per deviation, a few at a time; under xdist the
workers that need them share them out (a claim file per deviation in the session's shared temp dir).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness_helpers import CLI_TIMEOUT, clean_env

from conformance.catalogue import load_catalogue
from conformance.harness.levels import example_only
from conformance.paths import CASES_DIR, fixtures_dir
from conformance.reference.deviations import DEVIATIONS

RED = ("FAIL", "NON_STRICT")
OUTPUT_TAIL = 3000
#: The large family is off by default: the suite of a deviation listed in it runs it too, at this size.
LARGE = "large"
LARGE_ARGS = ("--jss-large", "--jss-large-size", "20MiB")


@dataclass(frozen=True)
class Control:
    """One entry of fixtures/deviations.toml."""

    name: str
    families: frozenset[str]
    clauses: tuple[str, ...]
    outcome: str
    fault: bool
    cascade: bool
    #: Clauses whose expected outcome differs from `outcome` (an EXAMPLE clause's NON_STRICT).
    clause_outcomes: tuple[tuple[str, str], ...] = ()

    def outcome_of(self, clause: str) -> str:
        """The outcome the deviation turns `clause` to."""
        return dict(self.clause_outcomes).get(clause, self.outcome)

    @property
    def outcomes(self) -> set[str]:
        """Every outcome the deviation turns a case to."""
        return {self.outcome, *(outcome for _, outcome in self.clause_outcomes)}


def load_controls() -> dict[str, Control]:
    """The deviations catalogue of fixtures/deviations.toml, by name."""
    with open(fixtures_dir() / "deviations.toml", "rb") as handle:
        entries = tomllib.load(handle)["deviation"]
    return {
        entry["name"]: Control(
            entry["name"],
            frozenset(entry["families"]),
            tuple(entry["clauses"]),
            entry["outcome"],
            entry.get("fault", False),
            entry.get("cascade", False),
            tuple(sorted(entry.get("clause_outcomes", {}).items())),
        )
        for entry in entries
    }


CONTROLS = load_controls()
CATALOGUE = load_catalogue()


@dataclass(frozen=True)
class SuiteRun:
    """The suite run against one deviation: exit status, case id -> (outcome, clauses), case id -> its
    verdict per clause, output tail."""

    deviation: str
    status: int | None  # None: it did not finish in time
    cases: dict[str, tuple[str, tuple[str, ...]]]
    target: str | None
    output: str
    verdicts: dict[str, dict[str, str]]

    def red_clauses(self) -> dict[str, set[str]]:
        """clause -> the red outcomes (FAIL, NON_STRICT) its verdicts got in some case."""
        red: dict[str, set[str]] = defaultdict(set)
        for verdicts in self.verdicts.values():
            for clause, outcome in verdicts.items():
                if outcome in RED:
                    red[clause].add(outcome)
        return dict(red)

    def families_of(self, case: str) -> set[str]:
        """The families of the clauses a case checks."""
        return {CATALOGUE[clause].family for clause in self.cases[case][1]}

    def red(self) -> dict[str, str]:
        """case id -> outcome, for the cases that did not pass (FAIL or NON_STRICT)."""
        return {case: outcome for case, (outcome, _) in self.cases.items() if outcome in RED}

    def describe(self, case: str) -> str:
        """One line naming the deviation, the case, its outcome and clauses."""
        outcome, clauses = self.cases[case]
        return f"deviation {self.deviation}: {case} is {outcome} (clauses {', '.join(clauses)})"


def _run_suite(deviation: str, directory: Path) -> dict:
    """Run the whole suite against `deviation`; a JSON-ready summary (cases empty when no results came)."""
    results = directory / f"{deviation}.json"
    command = [
        sys.executable, "-m", "pytest", str(CASES_DIR), "--jss-deviate", deviation,
        "--jss-results", str(results), "-p", "no:cacheprovider", "-q",
        *(LARGE_ARGS if LARGE in CONTROLS[deviation].families else ()),
    ]
    summary = {
        "deviation": deviation, "status": None, "cases": {}, "verdicts": {}, "target": None, "output": ""
    }
    try:
        completed = subprocess.run(
            command, cwd=directory, env=clean_env(), capture_output=True, text=True, timeout=CLI_TIMEOUT
        )
    except subprocess.TimeoutExpired as exc:
        summary["output"] = f"no answer in {CLI_TIMEOUT} s: {exc}"
        return summary
    summary["status"] = completed.returncode
    summary["output"] = (completed.stdout + completed.stderr)[-OUTPUT_TAIL:]
    if results.exists():
        document = json.loads(results.read_text(encoding="utf-8"))
        cases = [  # the cases outside the jss dialect (S3 counterparts) never run here
            case for case in document["cases"] if case.get("expected", {}).get("source") != "dialect"
        ]
        summary["cases"] = {case["id"]: (case["outcome"], case["clauses"]) for case in cases}
        summary["verdicts"] = {
            case["id"]: {v["clause"]: v["outcome"] for v in case["clause_verdicts"]} for case in cases
        }
        summary["target"] = document["run"]["target"]
    return summary


def _claim(marker: Path) -> bool:
    """True for the one caller that creates `marker` (the deviation is then its to run)."""
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _run_claimed(directory: Path, names: list[str]) -> None:
    """Run every deviation of `names` not yet claimed by another worker, writing ``<name>.summary.json``."""
    for name in names:
        if _claim(directory / f"{name}.claim"):
            summary = directory / f"{name}.summary.json"
            summary.with_suffix(".tmp").write_text(json.dumps(_run_suite(name, directory)), encoding="utf-8")
            summary.with_suffix(".tmp").replace(summary)


def _shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temp dir every xdist worker of this session sees (the session's base temp dir without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def _needed(session: pytest.Session) -> list[str]:
    """The deviations whose suite runs the selected tests use: those of the selected per-deviation tests, or
    every one when a test over all of them (coverage) is selected. So ``-k NAME`` runs NAME's suite only."""
    needed: set[str] = set()
    for item in session.items:
        if "deviated_runs" not in getattr(item, "fixturenames", ()):
            continue
        callspec = getattr(item, "callspec", None)
        name = callspec.params.get("deviation") if callspec is not None else None
        if name is None:
            return list(CONTROLS)
        needed.add(name)
    return [name for name in CONTROLS if name in needed]


@pytest.fixture(scope="session")
def deviated_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, SuiteRun]:
    """deviation -> its SuiteRun, for the deviations the selected tests use (:func:`_needed`). Each
    deviation's suite runs once per session: the xdist workers that need the runs share them out (a claim
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
    runs = {}
    for name in names:
        run = json.loads((directory / f"{name}.summary.json").read_text(encoding="utf-8"))
        cases = {case: (outcome, tuple(clauses)) for case, (outcome, clauses) in run["cases"].items()}
        runs[name] = SuiteRun(name, run["status"], cases, run["target"], run["output"], run["verdicts"])
    return runs


def _completed(runs: dict[str, SuiteRun], deviation: str) -> SuiteRun:
    run = runs[deviation]
    assert run.cases, f"deviation {deviation}: the suite wrote no results (exit {run.status}):\n{run.output}"
    return run


# -- the catalogue itself ------------------------------------------------------------------------------------


def test_harness_every_deviation_of_the_reference_has_expectations():
    assert sorted(CONTROLS) == sorted(DEVIATIONS)


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
    assert run.target == "embedded"


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


# -- (c) coverage --------------------------------------------------------------------------------------------


def test_harness_every_case_is_turned_red_by_some_deviation(deviated_runs):
    runs = [_completed(deviated_runs, name) for name, control in CONTROLS.items() if not control.fault]
    every_case = set().union(*(run.cases for run in runs))
    turned = set().union(*(run.red() for run in runs))
    never = sorted(every_case - turned)
    assert not never, (
        f"{len(never)} of {len(every_case)} cases are never turned red by a deviation (a check that cannot "
        "fail is a defect):\n  " + "\n  ".join(never)
    )


def test_harness_every_deviation_turns_some_case_red(deviated_runs):
    idle = [name for name in CONTROLS if not _completed(deviated_runs, name).red()]
    assert not idle, f"deviations that turn no case red (a defect of the deviation): {idle}"


def _without_large(run: SuiteRun) -> frozenset[str]:
    """The cases of `run` outside the large family (which runs only where a deviation opts in)."""
    return frozenset(case for case in run.cases if LARGE not in run.families_of(case))


def test_harness_every_run_saw_the_same_cases(deviated_runs):
    runs = {name: _completed(deviated_runs, name) for name in CONTROLS}
    sizes = {name: _without_large(run) for name, run in runs.items()}
    reference = max(sizes.values(), key=len)
    short = {name: sorted(reference - cases) for name, cases in sizes.items() if cases != reference}
    assert not short, f"runs that lack cases: {short}"
    large_runs = [name for name in CONTROLS if LARGE in CONTROLS[name].families]
    every_large = set().union(*(set(runs[name].cases) - sizes[name] for name in large_runs))
    lacking = {name: sorted(every_large - set(runs[name].cases)) for name in large_runs}
    assert every_large and not any(lacking.values()), f"large-family runs that lack cases: {lacking}"
