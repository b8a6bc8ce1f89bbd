"""The clause catalogue (fixtures/clauses.toml): one entry per normative sentence the cases check.

Each ``[[clause]]`` table has ``id``, ``operation``, ``family``, ``level`` (MUST | EXAMPLE | OPEN), ``source``
(URL of the documentation page), ``sentence``, and optionally ``dialects``: the wire dialects the clause
applies to (default ``["jss"]``; ``["jss", "s3"]`` for a semantic rule checked over both, ``["s3"]`` for an
S3 counterpart of a one-wire-format check). A case runs in a target's dialect only when every clause it
names applies to it; otherwise it is NOT_IMPLEMENTED with that reason. The plugin uses it for Allure labels
and selection, ``compare`` for the sentences of the matrix, the project's lint for coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from conformance.paths import fixtures_dir
from conformance.tomlfile import read_toml

FAMILIES = (
    "signature",
    "storage-class",
    "region-limit",
    "existing-objects",
    "response-fields",
    "encryption",
    "lifecycle",
    "access",
    "large",
)
LEVELS = ("MUST", "EXAMPLE", "OPEN")
DIALECTS = ("jss", "s3")
#: The dialects of a clause that names none: the JSS documentation's own wire format only.
DEFAULT_DIALECTS = ("jss",)
_FIELDS = ("id", "operation", "family", "level", "source", "sentence")


class CatalogueError(ValueError):
    """The catalogue file is missing or malformed; the message is one line."""


@dataclass(frozen=True)
class Clause:
    """One normative sentence of the spec, as the suite restates it."""

    id: str
    operation: str
    family: str
    level: str
    source: str
    sentence: str
    dialects: tuple[str, ...] = DEFAULT_DIALECTS


def catalogue_path() -> Path:
    """fixtures/clauses.toml."""
    return fixtures_dir() / "clauses.toml"


def load_catalogue(path: str | Path | None = None) -> dict[str, Clause]:
    """Read and validate the catalogue; return its clauses by id, in file order."""
    path = Path(path) if path is not None else catalogue_path()
    document = read_toml(path, CatalogueError)
    tables = document.get("clause")
    if not isinstance(tables, list) or not tables:
        raise CatalogueError(f"{path}: no [[clause]] tables")
    clauses: dict[str, Clause] = {}
    for index, table in enumerate(tables, start=1):
        missing = [
            name for name in _FIELDS if not isinstance(table.get(name), str) or not table[name].strip()
        ]
        if missing:
            raise CatalogueError(f"{path}: clause #{index} lacks the field {missing[0]!r}")
        dialects = table.get("dialects", list(DEFAULT_DIALECTS))
        if (
            not isinstance(dialects, list) or not dialects or len(set(dialects)) != len(dialects)
            or any(d not in DIALECTS for d in dialects)
        ):
            raise CatalogueError(
                f"{path}: clause #{index} dialects must be a non-empty list of {', '.join(DIALECTS)}"
            )
        clause = Clause(**{name: table[name].strip() for name in _FIELDS}, dialects=tuple(dialects))
        if clause.family not in FAMILIES:
            raise CatalogueError(f"{path}: clause {clause.id} has unknown family {clause.family!r}")
        if clause.level not in LEVELS:
            raise CatalogueError(f"{path}: clause {clause.id} has unknown level {clause.level!r}")
        if clause.id in clauses:
            raise CatalogueError(f"{path}: clause id {clause.id} appears twice")
        clauses[clause.id] = clause
    return clauses


def outside_dialect(clause_ids: list[str], catalogue: dict[str, Clause], dialect: str) -> str | None:
    """Why a case naming `clause_ids` does not apply to `dialect` (None when every clause applies)."""
    for clause_id in clause_ids:
        clause = catalogue.get(clause_id)
        if clause is not None and dialect not in clause.dialects:
            applies = " and ".join(clause.dialects)
            return f"clause {clause_id} applies to the {applies} dialect only, not {dialect}"
    return None
