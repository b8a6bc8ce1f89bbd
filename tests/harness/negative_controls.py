"""The negative-control catalogue (fixtures/deviations.toml) read per wire, and one suite run per deviation
and wire: what tests/harness/test_harness_negative_controls.py judges and negative_control_table.py tabulates.

A deviation is a control for the wires its entry lists (``wires``, default ``["jss"]``); its expectations are
the entry's keys, where a ``[deviation.wire.<wire>]`` table may replace any of them for that one wire.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from harness_helpers import CLI_TIMEOUT, clean_env

from conformance.catalogue import load_catalogue
from conformance.known_deviations import OUTSIDE_SOURCES
from conformance.paths import CASES_DIR, fixtures_dir

RED = ("FAIL", "NON_STRICT")
OUTPUT_TAIL = 3000
#: The large family is off by default: the suite of a deviation listed in it runs it too, at this size.
LARGE = "large"
LARGE_ARGS = ("--jss-large", "--jss-large-size", "20MiB")
#: wire -> (the target profile the suite runs against, None: the default embedded one; its target name).
WIRE_TARGETS: dict[str, tuple[Path | None, str]] = {
    "jss": (None, "embedded"),
    "s3": (fixtures_dir() / "targets" / "embedded-s3.toml", "embedded-s3"),
}
#: The keys of an entry that a ``[deviation.wire.<wire>]`` table may replace.
PER_WIRE_KEYS = frozenset({"families", "clauses", "outcome", "cascade", "clause_outcomes"})
CATALOGUE = load_catalogue()


@dataclass(frozen=True)
class Control:
    """One deviation of fixtures/deviations.toml on one wire."""

    name: str
    wire: str
    families: frozenset[str]
    clauses: tuple[str, ...]
    outcome: str
    fault: bool
    cascade: bool
    #: Clauses whose expected outcome differs from `outcome` (an EXAMPLE clause's NON_STRICT).
    clause_outcomes: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        """``name:wire``: the id of the control in test ids and run files."""
        return f"{self.name}:{self.wire}"

    def outcome_of(self, clause: str) -> str:
        """The outcome the deviation turns `clause` to."""
        return dict(self.clause_outcomes).get(clause, self.outcome)

    @property
    def outcomes(self) -> set[str]:
        """Every outcome the deviation turns a case to."""
        return {self.outcome, *(outcome for _, outcome in self.clause_outcomes)}


def load_entries() -> list[dict]:
    """The raw [[deviation]] entries of fixtures/deviations.toml."""
    with open(fixtures_dir() / "deviations.toml", "rb") as handle:
        return tomllib.load(handle)["deviation"]


def _control(entry: dict, wire: str) -> Control:
    """The control of `entry` on `wire`: the entry's keys, replaced by its wire table's; a wire table that
    names its own clauses names their outcomes too (the entry's clause_outcomes are not carried over)."""
    table = entry.get("wire", {}).get(wire, {})
    fields = {**entry, **table}
    if "clauses" in table:
        fields["clause_outcomes"] = table.get("clause_outcomes", {})
    return Control(
        entry["name"],
        wire,
        frozenset(fields["families"]),
        tuple(fields["clauses"]),
        fields["outcome"],
        entry.get("fault", False),
        fields.get("cascade", False),
        tuple(sorted(fields.get("clause_outcomes", {}).items())),
    )


def load_controls() -> dict[str, Control]:
    """Every (deviation, wire) control of fixtures/deviations.toml, by ``name:wire``."""
    controls = [_control(entry, wire) for entry in load_entries() for wire in entry.get("wires", ["jss"])]
    return {control.key: control for control in controls}


CONTROLS = load_controls()


@dataclass(frozen=True)
class SuiteRun:
    """The suite run against one deviation on one wire: exit status, case id -> (outcome, clauses), case id ->
    its verdict per clause, output tail."""

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

    @classmethod
    def from_summary(cls, summary: dict) -> SuiteRun:
        """The SuiteRun of a summary written by :func:`run_suite`."""
        cases = {case: (outcome, tuple(clauses)) for case, (outcome, clauses) in summary["cases"].items()}
        return cls(
            summary["deviation"], summary["status"], cases, summary["target"], summary["output"],
            summary["verdicts"],
        )


def suite_command(control: Control, results: Path) -> list[str]:
    """The pytest command line of the suite against `control`'s deviation on its wire."""
    profile, _ = WIRE_TARGETS[control.wire]
    return [
        sys.executable, "-m", "pytest", str(CASES_DIR), "--jss-deviate", control.name,
        "--jss-results", str(results), "-p", "no:cacheprovider", "-q",
        *(("--jss-target", str(profile)) if profile is not None else ()),
        *(LARGE_ARGS if LARGE in control.families else ()),
    ]


def run_suite(control: Control, directory: Path) -> dict:
    """Run the whole suite against `control`; a JSON-ready summary (cases empty when no results came)."""
    results = directory / f"{control.key}.json"
    summary = {
        "deviation": control.key, "status": None, "cases": {}, "verdicts": {}, "target": None, "output": ""
    }
    try:
        completed = subprocess.run(
            suite_command(control, results), cwd=directory, env=clean_env(), capture_output=True, text=True,
            timeout=CLI_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        summary["output"] = f"no answer in {CLI_TIMEOUT} s: {exc}"
        return summary
    summary["status"] = completed.returncode
    summary["output"] = (completed.stdout + completed.stderr)[-OUTPUT_TAIL:]
    if results.exists():
        document = json.loads(results.read_text(encoding="utf-8"))
        cases = [  # the cases outside the target's wire or rulebook (NOT_APPLICABLE there) never run
            case for case in document["cases"]
            if case.get("expected", {}).get("source") not in OUTSIDE_SOURCES
        ]
        summary["cases"] = {case["id"]: (case["outcome"], case["clauses"]) for case in cases}
        summary["verdicts"] = {
            case["id"]: {v["clause"]: v["outcome"] for v in case["clause_verdicts"]} for case in cases
        }
        summary["target"] = document["run"]["target"]
    return summary
