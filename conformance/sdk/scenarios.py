"""The SDK scenarios of each wire (fixtures/sdk/scenarios.toml for JSS, scenarios-s3.toml for S3) and the
behaviours (fixtures/sdk/behaviours.toml), validated.

See the comment at the top of scenarios.toml for the fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.catalogue import Clause
from conformance.paths import fixtures_dir
from conformance.reference.faults import OPERATIONS, ScriptError, parse_instruction
from conformance.tomlfile import read_toml

#: The multipart steps: they upload the source in parts (size and part_size).
MULTIPART_OPS = ("multipart-upload", "resume-upload")
#: The single-request uploads of the source (size): PutObject, and a PUT to a presigned URL.
SIZED_OPS = ("put-object", "presign-put")
#: The steps on one object or upload that carry no source (see conformance.sdk.protocol).
OBJECT_OPS = ("head", "get-range", "list-objects", "presign-get", "delete", "abort-upload")
STEP_OPS = (*MULTIPART_OPS, "download", "list-parts", "list-uploads", *SIZED_OPS, *OBJECT_OPS)
#: The integer fields a step may carry: the smallest value each takes.
_STEP_NUMBERS = {"max_parts": 1, "max_uploads": 1, "max_keys": 1, "expires": 1, "start": 0, "end": 0}
#: The scenario file of each wire, under fixtures/sdk/.
SCENARIO_FILES = {"jss": "scenarios.toml", "s3": "scenarios-s3.toml"}
RESULTS = ("ok", "failed")
_SCENARIO_FIELDS = {
    "id", "description", "clauses", "behaviours", "steps", "faults", "fired_at_least", "setup", "expect",
    "large_size", "region",
}
_SETUP_FIELDS = {"object", "upload_parts", "part_size", "listed_objects"}
_EXPECT_FIELDS = {
    "result", "object", "storage_class", "encrypted", "max_attempts", "initiates", "resumed_parts",
    "download", "listed_parts", "listed_uploads",
    "uploads_left", "renamed",  # the fault matrix (conformance/sdk/fault_matrix.py)
}


class ScenarioError(ValueError):
    """The scenario or behaviour file is malformed; the message is one line."""


@dataclass(frozen=True)
class Scenario:
    """One SDK scenario."""

    id: str
    description: str
    clauses: tuple[str, ...]
    behaviours: tuple[str, ...]
    steps: tuple[dict[str, Any], ...]
    expect: dict[str, Any]
    faults: dict[str, list[str]] = field(default_factory=dict)
    fired_at_least: int | None = None
    setup: dict[str, int] = field(default_factory=dict)
    large_size: int | None = None
    region: str | None = None  # the region of the target's bucket it runs in (None: the primary bucket)

    @property
    def upload_step(self) -> dict[str, Any] | None:
        """The step that uploads in parts (multipart-upload or resume-upload), if any."""
        return next((s for s in self.steps if s["op"] in MULTIPART_OPS), None)

    @property
    def setup_part_size(self) -> int | None:
        """The part size of the upload the suite sets up (setup.part_size, else the upload step's)."""
        step = self.upload_step
        return self.setup.get("part_size") or (step["part_size"] if step else None)

    def list_delimiter(self) -> str | None:
        """The delimiter of the scenario's list-objects step (None: it has none, or no such step)."""
        return next((s.get("delimiter") for s in self.steps if s["op"] == "list-objects"), None)

    def source_size(self, large: bool = False) -> int:
        """The size of the scenario's source bytes (the upload's, a PutObject's, or the setup object's)."""
        if large and self.large_size:
            return self.large_size
        step = self.upload_step or next((s for s in self.steps if s["op"] in SIZED_OPS), None)
        return int(step["size"]) if step else int(self.setup.get("object", 0))

    @property
    def required_fired(self) -> int:
        """How many armed instructions must fire for the scenario to count."""
        total = sum(len(items) for items in self.faults.values())
        return total if self.fired_at_least is None else self.fired_at_least


def sdk_dir() -> Path:
    """fixtures/sdk/."""
    return fixtures_dir() / "sdk"


def load_behaviours(path: Path | None = None) -> dict[str, Clause]:
    """The SDK behaviours by id, as catalogue clauses (family "sdk")."""
    path = path or sdk_dir() / "behaviours.toml"
    tables = read_toml(path, ScenarioError).get("behaviour")
    if not isinstance(tables, list) or not tables:
        raise ScenarioError(f"{path}: no [[behaviour]] tables")
    names = ("id", "operation", "family", "level", "source", "sentence")
    behaviours: dict[str, Clause] = {}
    for table in tables:
        if not all(isinstance(table.get(name), str) and table[name] for name in names):
            raise ScenarioError(f"{path}: a behaviour lacks one of {', '.join(names)}")
        behaviours[table["id"]] = Clause(**{name: table[name] for name in names})
    return behaviours


def _required_fields(op: str) -> tuple[str, ...]:
    """The fields a step of `op` must carry (the others are optional)."""
    if op in MULTIPART_OPS:
        return ("size", "part_size")
    return {"put-object": ("size",), "presign-put": ("size", "expires"), "presign-get": ("expires",),
            "get-range": ("start", "end"), "list-objects": ("max_keys",)}.get(op, ())


def _check_step(scenario_id: str, step: object) -> dict[str, Any]:
    if not isinstance(step, dict) or step.get("op") not in STEP_OPS:
        raise ScenarioError(f"scenario {scenario_id}: each step needs op = one of {', '.join(STEP_OPS)}")
    where = f"scenario {scenario_id}: step {step['op']}"
    for name in _required_fields(step["op"]):
        if name not in step:
            raise ScenarioError(f"{where} needs {name}")
    for name in ("size", "part_size"):
        if name in step and (not isinstance(step[name], int) or step[name] <= 0):
            raise ScenarioError(f"{where}: {name} must be a positive integer")
    for name, least in _STEP_NUMBERS.items():
        if name in step and (not isinstance(step[name], int) or step[name] < least):
            raise ScenarioError(f"{where}: {name} must be an integer of at least {least}")
    if step["op"] == "get-range" and step["end"] < step["start"]:
        raise ScenarioError(f"{where}: end must not be before start (the range is inclusive)")
    if "delimiter" in step and (step["op"] != "list-objects" or not isinstance(step["delimiter"], str)
                                or not step["delimiter"]):
        raise ScenarioError(f"{where}: delimiter is a non-empty string, on a list-objects step only")
    metadata = step.get("metadata", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise ScenarioError(f"{where}: metadata is a table of name -> string value")
    return dict(step)


def _check_faults(scenario_id: str, faults: object) -> dict[str, list[str]]:
    if not isinstance(faults, dict):
        raise ScenarioError(f"scenario {scenario_id}: faults is a table of operation -> instructions")
    for operation, items in faults.items():
        if operation not in OPERATIONS or not isinstance(items, list) or not items:
            raise ScenarioError(f"scenario {scenario_id}: faults.{operation} is not an operation's list")
        try:
            for item in items:
                parse_instruction(item)
        except ScriptError as exc:
            raise ScenarioError(f"scenario {scenario_id}: {exc}") from None
    return {op: list(items) for op, items in faults.items()}


def _scenario(table: dict, known_clauses: set[str], behaviours: dict[str, Clause]) -> Scenario:
    scenario_id = table.get("id")
    if not isinstance(scenario_id, str) or not scenario_id:
        raise ScenarioError("a scenario lacks its id")
    unknown = (set(table) - _SCENARIO_FIELDS or set(table.get("expect", {})) - _EXPECT_FIELDS
               or set(table.get("setup", {})) - _SETUP_FIELDS)
    if unknown:
        raise ScenarioError(f"scenario {scenario_id}: unknown field {sorted(unknown)[0]!r}")
    for name, known in (("clauses", known_clauses), ("behaviours", set(behaviours))):
        ids = table.get(name, [])
        missing = [i for i in ids if i not in known]
        if not isinstance(ids, list) or missing:
            raise ScenarioError(f"scenario {scenario_id}: unknown {name[:-1]} {missing[:1]}")
    steps = table.get("steps")
    if not isinstance(steps, list) or not steps:
        raise ScenarioError(f"scenario {scenario_id}: no steps")
    if not isinstance(table.get("region", ""), str):
        raise ScenarioError(f"scenario {scenario_id}: region must be a region name")
    expect = table.get("expect")
    if not isinstance(expect, dict) or expect.get("result") not in RESULTS:
        raise ScenarioError(f"scenario {scenario_id}: expect.result must be one of {', '.join(RESULTS)}")
    return Scenario(
        id=scenario_id,
        description=str(table.get("description", "")),
        clauses=tuple(table.get("clauses", [])),
        behaviours=tuple(table.get("behaviours", [])),
        steps=tuple(_check_step(scenario_id, step) for step in steps),
        expect=dict(expect),
        faults=_check_faults(scenario_id, table.get("faults", {})),
        fired_at_least=table.get("fired_at_least"),
        setup=dict(table.get("setup", {})),
        large_size=table.get("large_size"),
        region=table.get("region"),
    )


def scenarios_path(wire: str = "jss") -> Path:
    """The scenario file of `wire` (jss or s3)."""
    return sdk_dir() / SCENARIO_FILES[wire]


def load_scenarios(
    path: Path | None = None, known_clauses: set[str] | None = None, wire: str = "jss"
) -> list[Scenario]:
    """Every scenario of `path` (default: the file of `wire`), in file order; ScenarioError for a malformed
    one (unknown clause ids included)."""
    from conformance.catalogue import load_catalogue

    path = path or scenarios_path(wire)
    known = known_clauses if known_clauses is not None else set(load_catalogue())
    behaviours = load_behaviours()
    tables = read_toml(path, ScenarioError).get("scenario")
    if not isinstance(tables, list) or not tables:
        raise ScenarioError(f"{path}: no [[scenario]] tables")
    scenarios = [_scenario(table, known, behaviours) for table in tables]
    ids = [s.id for s in scenarios]
    if len(set(ids)) != len(ids):
        raise ScenarioError(f"{path}: a scenario id appears twice")
    return scenarios
