"""The SDK fault matrix (fixtures/sdk/fault-matrix.toml): instruction classes x operations, each cell with the
reaction the client owes, expanded into scenarios ``fault.<operation>.<class>`` of either wire.

See the comment at the top of fault-matrix.toml for the fields. The scenarios are validated like those of
scenarios.toml (conformance.sdk.scenarios); they are not in the default set: ``jss-conformance sdk
--scenarios fault-matrix`` (or ``all``) runs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.sdk.scenarios import (
    Scenario,
    ScenarioError,
    _scenario,
    load_behaviours,
    load_scenarios,
    sdk_dir,
)
from conformance.tomlfile import read_toml

ID_PREFIX = "fault"
#: The scenario sets `jss-conformance sdk --scenarios` chooses from.
SETS = ("default", "fault-matrix", "all")
NEEDS = ("", "request-body", "response-body")


@dataclass(frozen=True)
class FaultClass:
    """One instruction class: its instructions, whether it is retryable, the reaction owed."""

    id: str
    instructions: tuple[str, ...]
    retryable: bool
    owed: tuple[str, ...]
    needs: str = ""
    error: str = ""
    renamed: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Cell:
    """One cell of the matrix: an operation met by a class, or n/a (``applies`` False, with why)."""

    operation: str
    fault_class: FaultClass
    applies: bool
    why_not: str = ""
    open: str = ""  # why the owed reaction is OPEN in the spec ("" when it is not)
    owed: tuple[str, ...] = ()
    table: dict[str, Any] = field(default_factory=dict)  # the scenario table (empty when n/a)

    @property
    def scenario_id(self) -> str:
        """The stable scenario id, ``fault.<operation>.<class>``."""
        return f"{ID_PREFIX}.{self.operation}.{self.fault_class.id}"


def matrix_path() -> Path:
    """fixtures/sdk/fault-matrix.toml."""
    return sdk_dir() / "fault-matrix.toml"


def _classes(document: dict, path: Path) -> list[FaultClass]:
    classes = []
    for table in document.get("class", []):
        if not isinstance(table.get("id"), str) or not isinstance(table.get("retryable"), bool):
            raise ScenarioError(f"{path}: a [[class]] needs an id and retryable = true | false")
        if table.get("needs", "") not in NEEDS or not table.get("instructions") or not table.get("owed"):
            raise ScenarioError(f"{path}: class {table['id']}: instructions, owed and needs ({NEEDS})")
        classes.append(FaultClass(
            id=table["id"], instructions=tuple(table["instructions"]), retryable=table["retryable"],
            owed=tuple(table["owed"]), needs=table.get("needs", ""), error=table.get("error", ""),
            renamed=dict(table.get("renamed", {})),
        ))
    if not classes:
        raise ScenarioError(f"{path}: no [[class]] tables")
    return classes


def _expect(row: dict, fault_class: FaultClass, bound: int) -> dict[str, Any]:
    """The [expect] of a cell: the row's succeeds / gives_up with the faulted operation's attempts."""
    expect = dict(row["succeeds" if fault_class.retryable else "gives_up"])
    attempts = {row["operation"]: bound if fault_class.retryable else 1}
    expect["max_attempts"] = {**attempts, **expect.get("max_attempts", {})}
    return expect


def _cell(row: dict, fault_class: FaultClass, override: dict, matrix: dict, wire: str) -> Cell:
    operation = row["operation"]
    if fault_class.needs and not row.get(fault_class.needs.replace("-", "_")):
        needed = fault_class.needs.replace("-", " ")
        return Cell(operation, fault_class, False, f"{operation} has no {needed}")
    owed = tuple(dict.fromkeys((*fault_class.owed, *row.get("owed", []), *override.get("owed", []))))
    expect = _expect(row, fault_class, int(matrix["retry_bound"]))
    expect.update(override.get("expect", {}))
    renamed = {**fault_class.renamed, **override.get("renamed", {})}
    if renamed:
        expect["renamed"] = renamed
    faults = {op: list(items) for op, items in row.get("trigger", {}).items()}
    faults.setdefault(operation, []).extend(fault_class.instructions)
    table = {
        "id": f"{ID_PREFIX}.{operation}.{fault_class.id}",
        "description": f"{' / '.join(fault_class.instructions)} on {row['reached_by']}"
                       + (f" (OPEN: {override['open']})" if override.get("open") else ""),
        "clauses": list(matrix["clauses"][wire]),
        "behaviours": ["sdk.faults.fired", *owed],
        "steps": [dict(step) for step in row["steps"]],
        "faults": faults,
        "expect": expect,
    }
    if row.get("setup"):
        table["setup"] = dict(row["setup"])
    return Cell(operation, fault_class, True, open=override.get("open", ""), owed=owed, table=table)


def load_cells(wire: str = "jss", path: Path | None = None) -> list[Cell]:
    """Every cell of the matrix, operation by operation, class by class (n/a cells included)."""
    path = path or matrix_path()
    document = read_toml(path, ScenarioError)
    matrix = document.get("matrix")
    if not isinstance(matrix, dict) or wire not in matrix.get("clauses", {}):
        raise ScenarioError(f"{path}: [matrix] needs retry_bound and clauses for wire {wire}")
    classes = _classes(document, path)
    overrides = {(c.get("operation"), c.get("class")): c for c in document.get("cell", [])}
    known = {(row.get("operation"), c.id) for row in document.get("operation", []) for c in classes}
    stray = sorted(set(overrides) - known, key=str)
    if stray:
        raise ScenarioError(f"{path}: a [[cell]] names no cell of the matrix: {stray[0]}")
    cells = []
    for row in document.get("operation", []):
        if not {"operation", "reached_by", "steps", "succeeds", "gives_up"} <= set(row):
            raise ScenarioError(f"{path}: an [[operation]] needs operation, reached_by, steps, succeeds and "
                                "gives_up")
        for fault_class in classes:
            cells.append(_cell(row, fault_class, overrides.get((row["operation"], fault_class.id), {}),
                               matrix, wire))
    return cells


def matrix_scenarios(wire: str = "jss", known_clauses: set[str] | None = None) -> list[Scenario]:
    """The scenarios of the matrix's cells that apply, validated like those of scenarios.toml."""
    from conformance.catalogue import load_catalogue

    known = known_clauses if known_clauses is not None else set(load_catalogue())
    behaviours = load_behaviours()
    return [_scenario(cell.table, known, behaviours) for cell in load_cells(wire) if cell.applies]


def all_scenarios(wire: str = "jss") -> list[Scenario]:
    """The default scenarios of `wire` and then the fault matrix's: every scenario a selection may name."""
    return [*load_scenarios(wire=wire), *matrix_scenarios(wire)]


def scenario_set(name: str, wire: str = "jss") -> list[str]:
    """The scenario ids of a set (``default``, ``fault-matrix``, ``all``); ScenarioError for another name."""
    if name == "default":
        return [s.id for s in load_scenarios(wire=wire)]
    if name == "fault-matrix":
        return [s.id for s in matrix_scenarios(wire)]
    if name == "all":
        return [s.id for s in all_scenarios(wire)]
    raise ScenarioError(f"unknown scenario set {name!r} (known: {', '.join(SETS)})")
