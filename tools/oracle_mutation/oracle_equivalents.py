"""The equivalent response mutations (equivalents.toml): mutants no conformance check may kill, each with its
reason (a field the documentation leaves OPEN, a header the spec does not name, a message's text)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

EQUIVALENTS = Path(__file__).resolve().parent / "equivalents.toml"


@dataclass(frozen=True)
class Equivalent:
    """One entry: glob patterns of the operation, field and mutation it covers, and why."""

    op: str
    field: str
    mutation: str
    reason: str

    def covers(self, op: str, field: str, mutation: str) -> bool:
        """True when the mutant (`op`, `field`, `mutation`) is one of this entry's."""
        return (
            fnmatchcase(op, self.op) and fnmatchcase(field, self.field)
            and fnmatchcase(mutation, self.mutation)
        )


def load(path: Path = EQUIVALENTS) -> list[Equivalent]:
    """The entries of equivalents.toml; a ValueError names an entry without a reason."""
    with open(path, "rb") as handle:
        entries = tomllib.load(handle).get("equivalent", [])
    found = []
    for entry in entries:
        if not entry.get("reason", "").strip():
            raise ValueError(f"equivalent {entry} has no reason")
        found.append(Equivalent(entry["op"], entry["field"], entry.get("mutation", "*"), entry["reason"]))
    return found


def reason_for(entries: list[Equivalent], op: str, field: str, mutation: str) -> str | None:
    """The reason of the first entry covering the mutant; None when it is not equivalent."""
    return next((entry.reason for entry in entries if entry.covers(op, field, mutation)), None)


def stale(entries: list[Equivalent], mutant_names: list[str]) -> list[Equivalent]:
    """The entries that cover none of `mutant_names` (``op field mutation`` each)."""
    triples = [name.split(" ", 2) for name in mutant_names]
    return [entry for entry in entries if not any(entry.covers(*triple) for triple in triples)]
