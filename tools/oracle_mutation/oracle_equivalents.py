"""The equivalent response mutations (equivalents.toml): mutants no conformance check may kill, each with its
reason (a field the documentation leaves OPEN, a header the spec does not name, a message's text)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

EQUIVALENTS = Path(__file__).resolve().parent / "equivalents.toml"


def matches(pattern: str | tuple[str, ...], text: str) -> bool:
    """True when `text` matches `pattern` (or one of them), where only ``*`` is special (field names hold
    ``[]`` and ``.``)."""
    patterns = (pattern,) if isinstance(pattern, str) else pattern
    return any(re.fullmatch(re.escape(one).replace(r"\*", ".*"), text) for one in patterns)


@dataclass(frozen=True)
class Equivalent:
    """One entry: patterns of the operation (one or a list), field (one or a list) and mutation it covers,
    and why."""

    op: str | tuple[str, ...]
    field: str | tuple[str, ...]
    mutation: str
    reason: str

    def covers(self, op: str, field: str, mutation: str) -> bool:
        """True when the mutant (`op`, `field`, `mutation`) is one of this entry's."""
        return matches(self.op, op) and matches(self.field, field) and matches(self.mutation, mutation)


def load(path: Path = EQUIVALENTS) -> list[Equivalent]:
    """The entries of equivalents.toml; a ValueError names an entry without a reason."""
    with open(path, "rb") as handle:
        entries = tomllib.load(handle).get("equivalent", [])
    found = []
    for entry in entries:
        if not entry.get("reason", "").strip():
            raise ValueError(f"equivalent {entry} has no reason")
        field = entry["field"] if isinstance(entry["field"], str) else tuple(entry["field"])
        op = entry["op"] if isinstance(entry["op"], str) else tuple(entry["op"])
        found.append(Equivalent(op, field, entry.get("mutation", "*"), entry["reason"]))
    return found


def reason_for(entries: list[Equivalent], op: str, field: str, mutation: str) -> str | None:
    """The reason of the first entry covering the mutant; None when it is not equivalent."""
    return next((entry.reason for entry in entries if entry.covers(op, field, mutation)), None)


def stale(entries: list[Equivalent], mutant_names: list[str]) -> list[Equivalent]:
    """The entries that cover none of `mutant_names` (``op field mutation`` each)."""
    triples = [name.split(" ", 2) for name in mutant_names]
    return [entry for entry in entries if not any(entry.covers(*triple) for triple in triples)]
