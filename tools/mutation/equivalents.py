"""The equivalent mutants of the mutation run (equivalents.toml): which no test can tell apart, and why.

An entry names a module, the original line the mutant changes first (stripped), optionally the stripped line
before it (``after``, when several lines are alike), a regular expression the mutated line must match in full,
and the reason. Equivalent mutants are not run; the report lists them with their reason, apart from the score.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

FILE = Path(__file__).resolve().parent / "equivalents.toml"


@dataclass(frozen=True)
class Equivalent:
    """One entry of equivalents.toml."""

    module: str
    original: str
    mutant: str
    reason: str
    after: str | None = None

    def matches(self, module: str, original: str, mutated: str, previous: str) -> bool:
        """True when the mutant of `module` that turns line `original` into `mutated` is this one."""
        return (
            module == self.module
            and original.strip() == self.original
            and (self.after is None or previous.strip() == self.after)
            and re.fullmatch(self.mutant, mutated.strip()) is not None
        )


def load(path: Path = FILE) -> list[Equivalent]:
    """The entries of `path`."""
    return [Equivalent(**entry) for entry in tomllib.loads(path.read_text())["equivalent"]]


def reason_for(
    entries: list[Equivalent], module: str, original: str, mutated: str, previous: str
) -> str | None:
    """The reason why this mutant is equivalent, or None when no entry says it is."""
    return next((e.reason for e in entries if e.matches(module, original, mutated, previous)), None)
