"""The mutants of a faithful run: every (operation, field, mutation) the suite's answers offered, with the
tests that saw that field (oracle mutation testing; README "Oracle mutation testing").

Inputs are the two files of the faithful run: the endpoint's observations (one line per answer, written by
``conformance.reference.response_mutation`` under ``JSS_ORACLE_OBSERVE``) and the test timeline (one line per
test, written by ``oracle_timeline.py``); an answer belongs to the test whose run it fell into (the faithful
run is serial).
"""

from __future__ import annotations

import bisect
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

#: Mutations that copy a value from another answer: a mutant only when the field's values differed.
REMEMBERING = frozenset({"constant", "stale"})


@dataclass(frozen=True, order=True)
class Mutant:
    """One mutation of one field of the answers of one operation (``op``: the operation, ``:error`` for its
    error answers)."""

    op: str
    field: str
    mutation: str

    @property
    def name(self) -> str:
        """``op field mutation``: the mutant's id in reports and data files."""
        return f"{self.op} {self.field} {self.mutation}"

    def spec(self) -> str:
        """The JSON the endpoint reads from ``JSS_ORACLE_MUTANT``."""
        return json.dumps({"op": self.op, "field": self.field, "mutation": self.mutation})


def read_lines(path: Path) -> list[dict]:
    """The JSON lines of `path`."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_of(timeline: list[dict]):
    """A function: a time -> the id of the test running then (None outside every test)."""
    ordered = sorted(timeline, key=lambda entry: entry["start"])
    starts = [entry["start"] for entry in ordered]

    def find(moment: float) -> str | None:
        index = bisect.bisect_right(starts, moment) - 1
        if index >= 0 and moment <= ordered[index]["end"]:
            return ordered[index]["test"]
        return None

    return find


def enumerate_mutants(observations: list[dict], timeline: list[dict]) -> dict[Mutant, set[str]]:
    """Every mutant the answers offered -> the tests that saw an answer with its field where it applied."""
    find = test_of(timeline)
    tests: dict[Mutant, set[str]] = defaultdict(set)
    values: dict[tuple[str, str], set[str]] = defaultdict(set)
    for answer in observations:
        test = find(answer["time"])
        for field, digest in answer["values"].items():
            values[answer["op"], field].add(digest)
        for field, mutations in answer["fields"].items():
            for mutation in mutations:
                mutant = Mutant(answer["op"], field, mutation)
                tests[mutant]  # noqa: B018 - an answer outside every test still offers the mutant
                if test is not None:
                    tests[mutant].add(test)
    return {
        mutant: seen for mutant, seen in tests.items()
        if mutant.mutation not in REMEMBERING or len(values[mutant.op, mutant.field]) > 1
    }
