"""The clause catalogue (fixtures/clauses.toml): one entry per normative sentence the cases check.

Each ``[[clause]]`` table has ``id``, ``operation``, ``family``, ``level`` (MUST | EXAMPLE | OPEN |
NOT_APPLICABLE) and ``source`` (URL of the documentation page): what the **jss rulebook** (JD Cloud's
documentation) expects; ``sentence``; optionally ``dialects``: the wires the clause can be framed over
(default ``["jss"]``; ``["jss", "s3"]`` for a semantic rule checked over both, ``["s3"]`` for an S3
counterpart of a one-wire-format check); and ``rules.s3 = {level, source}``: what the **s3 rulebook**
(Amazon's S3 documentation, ``source`` a docs.aws.amazon.com page) expects, absent when the s3 rulebook says
nothing of it.

A case runs on a target only when every clause it names can be framed over the target's wire and applies under
its rulebook (level other than NOT_APPLICABLE); otherwise it is NOT_APPLICABLE with that reason
(:func:`outside_target`). The plugin uses the catalogue for Allure labels, selection and the level a failed
check is judged at (conformance.harness.levels), ``compare`` for the sentences of the matrix, the project's
lint for coverage.
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
NOT_APPLICABLE = "NOT_APPLICABLE"
LEVELS = ("MUST", "EXAMPLE", "OPEN", NOT_APPLICABLE)
DIALECTS = ("jss", "s3")
RULEBOOKS = ("jss", "s3")
#: Where every s3-rulebook expectation comes from.
AWS_DOCS = "https://docs.aws.amazon.com/"
#: The dialects of a clause that names none: the JSS documentation's own wire format only.
DEFAULT_DIALECTS = ("jss",)
_FIELDS = ("id", "operation", "family", "level", "source", "sentence")


class CatalogueError(ValueError):
    """The catalogue file is missing or malformed; the message is one line."""


@dataclass(frozen=True)
class Rule:
    """What one rulebook expects of a clause: its level, and the page that says so."""

    level: str
    source: str = ""

    @property
    def applies(self) -> bool:
        """Whether the rulebook asks anything of the store here."""
        return self.level != NOT_APPLICABLE


NOT_A_RULE = Rule(NOT_APPLICABLE)


@dataclass(frozen=True)
class Clause:
    """One normative sentence of the spec, as the suite restates it; `level` and `source` are the jss
    rulebook's, `s3_rule` the s3 rulebook's (:meth:`rule`)."""

    id: str
    operation: str
    family: str
    level: str
    source: str
    sentence: str
    dialects: tuple[str, ...] = DEFAULT_DIALECTS
    s3_rule: Rule = NOT_A_RULE

    def rule(self, rulebook: str) -> Rule:
        """What `rulebook` ("jss" | "s3") expects of this clause."""
        return self.s3_rule if rulebook == "s3" else Rule(self.level, self.source)


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
        clause = Clause(
            **{name: table[name].strip() for name in _FIELDS},
            dialects=tuple(dialects),
            s3_rule=_s3_rule(table.get("rules"), path, index, dialects),
        )
        if clause.family not in FAMILIES:
            raise CatalogueError(f"{path}: clause {clause.id} has unknown family {clause.family!r}")
        if clause.level not in LEVELS:
            raise CatalogueError(f"{path}: clause {clause.id} has unknown level {clause.level!r}")
        if clause.id in clauses:
            raise CatalogueError(f"{path}: clause id {clause.id} appears twice")
        clauses[clause.id] = clause
    return clauses


def _s3_rule(raw: object, path: Path, index: int, dialects: list[str]) -> Rule:
    """The ``rules.s3`` table of clause #`index` (absent: the s3 rulebook does not apply)."""
    if raw is None:
        return NOT_A_RULE
    where = f"{path}: clause #{index}"
    if not isinstance(raw, dict) or set(raw) - {"s3"}:
        raise CatalogueError(f"{where} rules must be a table with the key s3 only")
    table = raw.get("s3")
    if not isinstance(table, dict) or set(table) - {"level", "source"} or "level" not in table:
        raise CatalogueError(f"{where} rules.s3 must be a table of level and source")
    rule = Rule(str(table["level"]), str(table.get("source", "")).strip())
    if rule.level not in LEVELS:
        raise CatalogueError(f"{where} rules.s3 has unknown level {rule.level!r}")
    if rule.applies and "s3" not in dialects:
        raise CatalogueError(f"{where} applies under the s3 rules but not over the s3 wire (dialects)")
    if rule.applies and not rule.source.startswith(AWS_DOCS):
        raise CatalogueError(f"{where} rules.s3 must cite an AWS documentation page ({AWS_DOCS}...)")
    return rule


def outside_target(
    clause_ids: list[str], catalogue: dict[str, Clause], wire: str, rulebook: str
) -> tuple[str, str] | None:
    """Why a case naming `clause_ids` is not applicable to a target of `wire` judged by `rulebook`:
    ("dialect", reason) when a clause cannot be framed over the wire, ("rules", reason) when the rulebook
    does not apply it; None when every clause applies."""
    for clause_id in clause_ids:
        clause = catalogue.get(clause_id)
        if clause is not None and wire not in clause.dialects:
            applies = " and ".join(clause.dialects)
            return "dialect", f"clause {clause_id} applies to the {applies} wire only, not {wire}"
    for clause_id in clause_ids:
        clause = catalogue.get(clause_id)
        if clause is not None and not clause.rule(rulebook).applies:
            return "rules", f"clause {clause_id} does not apply under the {rulebook} rules"
    return None

