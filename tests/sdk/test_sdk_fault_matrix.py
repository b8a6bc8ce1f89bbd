"""The SDK fault matrix (fixtures/sdk/fault-matrix.toml): its expansion into scenarios (stable ids, n/a cells,
a new operation is one row, OPEN cells), the judgement of an owed reaction, the selection by ``--scenarios``,
and its controls: the example driver passes a sample of cells on both wires, each broken driver of
broken_retry.py turns its sample of cells red naming the reaction owed
(fixtures/sdk/fault-matrix-controls.toml) and leaves a green cell green. JSS_SDK_FULL_MATRIX=1 runs the whole
matrix with every driver instead (minutes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib

import pytest

from conformance.reference.faults import OPERATIONS
from conformance.sdk.fault_matrix import load_cells, matrix_path, matrix_scenarios, scenario_set
from conformance.sdk.judge import EndState, Source, judge
from conformance.sdk.scenarios import ScenarioError, load_behaviours, load_scenarios, sdk_dir

FULL = os.environ.get("JSS_SDK_FULL_MATRIX") == "1"
CASE = "test_sdk_scenarios.py::test_sdk_scenario[{}]"
EXAMPLE = f"{sys.executable} -m conformance.sdk.drivers.example"
BROKEN = f"{sys.executable} -m conformance.sdk.drivers.broken_retry"
#: One cell per instruction class, over every operation: the example driver's sample.
EXAMPLE_SAMPLE = ["fault.upload-part.503", "fault.complete.500", "fault.initiate.reset-before-body",
                  "fault.upload-part.reset-during-body", "fault.get.cut-response",
                  "fault.complete.cut-response", "fault.list-uploads.400", "fault.abort.403",
                  "fault.list-parts.404", "fault.complete.reset-before-body"]
#: (fault.complete.reset-before-body: the complete body the server never read is not diagnosed as malformed)
S3_SAMPLE = ["fault.complete.cut-response", "fault.upload-part.400", "fault.list-uploads.503"]


def controls() -> list[dict]:
    with open(sdk_dir() / "fault-matrix-controls.toml", "rb") as handle:
        return tomllib.load(handle)["driver"]


def red_cells(control: dict, wire: str = "jss") -> set[str]:
    """The cells a broken driver must turn red, from its `red` table."""
    red = control["red"]
    return {cell.scenario_id for cell in load_cells(wire) if cell.applies and (
        cell.fault_class.id in red.get("classes", []) or cell.operation in red.get("operations", [])
        or cell.scenario_id in red.get("cells", []))}


def run_sdk(driver: str, tmp_path, scenarios: list[str], *extra: str) -> tuple[subprocess.CompletedProcess,
                                                                                dict]:
    """`jss-conformance sdk` with `driver` on `scenarios` (the whole matrix with JSS_SDK_FULL_MATRIX=1)."""
    results = tmp_path / "results.json"
    chosen = ["--scenarios", "fault-matrix"] if FULL else [f"--scenario={name}" for name in scenarios]
    command = [sys.executable, "-m", "conformance.cli", "sdk", "--driver", driver, "--timeout", "120",
               *chosen, *extra, f"--jss-results={results}", f"--alluredir={tmp_path / 'allure'}",
               "-p", "no:cacheprovider"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    cases = json.loads(results.read_text(encoding="utf-8"))["cases"] if results.exists() else []
    return completed, {case["id"]: case for case in cases}


# -- the data -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("wire", ["jss", "s3"])
def test_every_class_meets_every_operation_once_with_a_stable_id(wire):
    cells = load_cells(wire)
    operations = list(dict.fromkeys(cell.operation for cell in cells))
    classes = list(dict.fromkeys(cell.fault_class.id for cell in cells))
    assert set(operations) <= set(OPERATIONS)
    reached = {"initiate", "upload-part", "complete", "abort", "list-parts", "list-uploads", "get"}
    assert reached <= set(operations)
    assert set(classes) == {"503", "500", "reset-before-body", "reset-during-body", "cut-response",
                            "400", "403", "404"}
    assert len(cells) == len(operations) * len(classes)
    ids = [s.id for s in matrix_scenarios(wire)]
    assert ids == [cell.scenario_id for cell in cells if cell.applies]
    applying = [c for c in cells if c.applies]
    assert all(i == f"fault.{c.operation}.{c.fault_class.id}" for i, c in zip(ids, applying, strict=True))
    assert all(cell.why_not for cell in cells if not cell.applies)
    assert not any(s.id.startswith("fault.") for s in load_scenarios(wire=wire))  # not in the default set


def test_the_two_wires_expand_the_same_cells_with_their_own_clauses():
    jss, s3 = ({s.id: s for s in matrix_scenarios(wire)} for wire in ("jss", "s3"))
    assert list(jss) == list(s3)
    cell = "fault.upload-part.503"
    assert "signature.header.accepted" in jss[cell].clauses and "signature.s3.accepted" in s3[cell].clauses


def test_each_cell_owes_the_reaction_of_its_class():
    behaviours = load_behaviours()
    for cell in load_cells():
        if not cell.applies:
            continue
        scenario_expect = cell.table["expect"]
        assert cell.owed and set(cell.owed) <= set(behaviours), cell.scenario_id
        limit = scenario_expect["max_attempts"][cell.operation]
        if cell.fault_class.retryable:
            assert limit > 1 and "sdk.retry.transient-error" in cell.owed
        else:
            assert limit == 1 and scenario_expect["result"] == "failed"
            assert scenario_expect["renamed"]["sdk.retry.transient-error"] == "sdk.retry.client-error-final"
        if cell.open:  # an OPEN reaction is judged as an OPEN behaviour, which an SDK team may list as known
            assert any(behaviours[b].level == "OPEN" for b in scenario_expect["renamed"].values())
    initiates = {c.scenario_id: c.table["expect"]["initiates"] for c in load_cells()
                 if c.operation == "complete" and c.applies}
    assert set(initiates.values()) == {1}  # never a second upload to "retry" a complete


def test_a_new_operation_is_one_row(tmp_path):
    text = matrix_path().read_text(encoding="utf-8") + """
[[operation]]
operation = "head"
reached_by = "HeadObject"
request_body = false
response_body = false
setup = { object = 1024 }
steps = [{ op = "download" }]
succeeds = { result = "ok", object = "source" }
gives_up = { result = "failed", object = "source" }
"""
    path = tmp_path / "matrix.toml"
    path.write_text(text, encoding="utf-8")
    added = [cell for cell in load_cells(path=path) if cell.operation == "head"]
    assert [cell.applies for cell in added].count(True) == 6  # no body either way: 2 n/a
    assert {cell.scenario_id for cell in added if cell.applies} >= {"fault.head.503", "fault.head.404"}


def test_an_unknown_set_or_cell_is_refused(tmp_path):
    with pytest.raises(ScenarioError):
        scenario_set("everything")
    path = tmp_path / "matrix.toml"
    path.write_text(matrix_path().read_text(encoding="utf-8")
                    + '[[cell]]\noperation = "fly"\nclass = "503"\n', encoding="utf-8")
    with pytest.raises(ScenarioError):
        load_cells(path=path)
    command = [sys.executable, "-m", "conformance.cli", "sdk", "--driver", "x", "--scenarios", "nope"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 2 and completed.stderr.strip().count("\n") == 0, completed.stderr


def test_a_script_binds_listings_by_the_bucket_or_by_their_prefix():
    from conformance.reference.fault_store import ScriptStore
    from conformance.reference.faults import ScriptError

    store = ScriptStore()
    with pytest.raises(ScriptError):
        store.create({"bucket": "b", "listings": "key", "instructions": {"list-uploads": ["pass"]}}, "alice")
    script = store.create(
        {"bucket": "b", "key_prefix": "k/", "instructions": {"list-uploads": ["return-503"]}}, "alice"
    )
    owner_of = {"b": "alice"}.get
    assert store.take("list-uploads", "b", None, None, "r1", owner_of, prefix="other/").text == "return-503"
    assert script.view()["listings"] == "bucket"


# -- the judgement of an owed reaction -------------------------------------------------------------------


def _record(operation: str, status: int, part: str | None = None) -> dict:
    return {"operation": operation, "method": "PUT", "status": status, "part_number": part, "verdicts": []}


def test_a_retried_4xx_is_judged_as_the_client_error_reaction():
    scenario = next(s for s in matrix_scenarios() if s.id == "fault.upload-part.400")
    records = [_record("initiate", 200), _record("upload-part", 400, "1"), _record("upload-part", 200, "1"),
               _record("upload-part", 200, "2"), _record("complete", 200)]
    source = Source("m", 1, None)
    state = EndState(True, object_md5="m", object_size=1)
    judgement = judge(scenario, {"status": "ok"}, "", 1, records, state, source)
    ids = {finding.id for finding in judgement.findings}
    assert "sdk.retry.client-error-final" in ids and "sdk.retry.transient-error" not in ids
    gave_up = judge(scenario, {"status": "failed"}, "", 1, records[:2] + [_record("abort", 204)],
                    EndState(False), source)
    assert gave_up.findings == []


def test_the_uploads_a_cell_may_leave_are_counted():
    scenario = next(s for s in matrix_scenarios() if s.id == "fault.list-parts.403")
    records = [_record("list-parts", 403)]
    source = Source("m", 1, None)
    one = judge(scenario, {"status": "failed"}, "", 1, records, EndState(False, uploads_left=1), source)
    assert one.findings == []
    two = judge(scenario, {"status": "failed"}, "", 1, records, EndState(False, uploads_left=2), source)
    assert [finding.id for finding in two.findings] == ["sdk.cleanup.no-upload-left"]


# -- the controls, live ----------------------------------------------------------------------------------


@pytest.mark.parametrize("wire,sample", [("jss", EXAMPLE_SAMPLE), ("s3", S3_SAMPLE)])
def test_the_example_driver_passes_the_matrix(wire, sample, tmp_path):
    completed, cases = run_sdk(EXAMPLE, tmp_path, sample, "--wire", wire)
    assert completed.returncode == 0, completed.stdout[-3000:]
    expected = [s.id for s in matrix_scenarios(wire)] if FULL else sample
    assert {case_id: case["outcome"] for case_id, case in cases.items()} == {
        CASE.format(name): "PASS" for name in expected}


@pytest.mark.parametrize("control", controls(), ids=lambda control: control["mistake"])
def test_each_broken_driver_fails_its_cells_naming_the_reaction_owed(control, tmp_path):
    red = red_cells(control)
    green = next(s.id for s in matrix_scenarios() if s.id not in red)
    sample = sorted(red)[:1] + [green]
    completed, cases = run_sdk(f"{BROKEN} {control['mistake']}", tmp_path, sample)
    assert completed.returncode == 1, completed.stdout[-3000:]
    owed = {cell.scenario_id: cell.owed for cell in load_cells()}
    seen_red = {case_id for case_id, case in cases.items() if case["outcome"] != "PASS"}
    assert seen_red == {CASE.format(name) for name in (red if FULL else sample[:1])}, completed.stdout[-3000:]
    for case_id in seen_red:
        first_line = cases[case_id]["message"].splitlines()[0]
        assert cases[case_id]["outcome"] == "FAIL", first_line
        assert any(name in first_line for name in control["names"]), first_line
        cell = case_id.split("[", 1)[1].rstrip("]")
        assert any(reaction in first_line for reaction in owed[cell]), first_line
