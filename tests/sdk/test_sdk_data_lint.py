"""The SDK data: the scenarios of each wire load (known clauses and behaviours, valid steps and faults),
every behaviour is judged by some scenario of each wire (a default one or a cell of the fault matrix), a
scenario that arms faults names sdk.faults.fired, the driver result parser takes the last line only when it
is a result, and every SDK expectations file names
scenarios of its wire (s3-*.toml: the S3 wire) with reasons written by hand and a fingerprint on every
expected FAIL or NOT_IMPLEMENTED."""

from __future__ import annotations

import pytest

from conformance.known_deviations import check_fingerprints, load_known_deviations
from conformance.sdk.protocol import parse_result
from conformance.sdk.scenarios import (
    SCENARIO_FILES,
    ScenarioError,
    _scenario,
    load_behaviours,
    load_scenarios,
    sdk_dir,
)

BY_WIRE = {wire: load_scenarios(wire=wire) for wire in SCENARIO_FILES}
SCENARIOS = [scenario for scenarios in BY_WIRE.values() for scenario in scenarios]
BASE = {"id": "x", "steps": [{"op": "download"}], "expect": {"result": "ok"}}


@pytest.mark.parametrize("wire", sorted(BY_WIRE))
def test_sdk_every_behaviour_is_judged(wire):
    from conformance.sdk.fault_matrix import all_scenarios  # the fault matrix's cells judge some of them

    used = {b for s in all_scenarios(wire) for b in s.behaviours}
    assert used == set(load_behaviours())


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if s.faults], ids=lambda s: s.id)  # both wires
def test_sdk_armed_scenario_names_faults_fired(scenario):
    assert "sdk.faults.fired" in scenario.behaviours and scenario.required_fired >= 1


@pytest.mark.parametrize(
    "table",
    [
        {**BASE, "steps": [{"op": "fly"}]},
        {**BASE, "expect": {"result": "maybe"}},
        {**BASE, "faults": {"get": ["explode"]}},
        {**BASE, "clauses": ["no.such"]},
        {**BASE, "steps": [{"op": "multipart-upload", "size": 0, "part_size": 1}]},
        {**BASE, "colour": "red"},
        {**BASE, "region": 1},
        {**BASE, "steps": [{"op": "list-parts", "max_parts": 0}]},
        {**BASE, "steps": [{"op": "list-uploads", "max_uploads": "1"}]},
        {**BASE, "steps": [{"op": "get-range", "start": 10, "end": 9}]},
        {**BASE, "steps": [{"op": "get-range", "start": 0}]},
        {**BASE, "steps": [{"op": "list-objects"}]},
        {**BASE, "steps": [{"op": "presign-get", "expires": 0}]},
        {**BASE, "steps": [{"op": "put-object", "size": 1, "metadata": {"n": 1}}]},
        {**BASE, "setup": {"objects": 3}},
    ],
    ids=["unknown-op", "unknown-result", "bad-fault", "unknown-clause", "zero-size", "unknown-field",
         "region-not-a-name", "zero-max-parts", "max-uploads-not-a-number", "range-end-before-start",
         "range-without-end", "list-objects-without-max-keys", "zero-expiry", "metadata-not-text",
         "unknown-setup-field"],
)
def test_sdk_malformed_scenario_is_refused(table):
    with pytest.raises(ScenarioError):
        _scenario(table, {"signature.header.accepted"}, load_behaviours())


@pytest.mark.parametrize(
    "stdout,status",
    [
        ('log line\n{"status": "ok"}\n', "ok"),
        ('{"status": "failed", "message": "x"}', "failed"),
        ("", None),
        ("not json", None),
        ('{"status": "great"}', None),
    ],
)
def test_sdk_driver_result_parsing(stdout, status):
    result, problem = parse_result(stdout)
    assert (result or {}).get("status") == status and (problem == "") == (status is not None)


EXPECTATIONS = sorted((sdk_dir() / "expectations").glob("*.toml"))


@pytest.mark.parametrize("path", EXPECTATIONS, ids=lambda p: p.stem)
def test_sdk_expectations_name_scenarios_of_their_wire(path):
    wire = "s3" if path.stem.startswith("s3-") else "jss"
    known = load_known_deviations(path)
    ids = {f"test_sdk_scenarios.py::test_sdk_scenario[{s.id}]" for s in BY_WIRE[wire]}
    assert not known.drafts and set(known.entries) <= ids, sorted(set(known.entries) - ids)
    check_fingerprints(known)  # every expected FAIL / NOT_IMPLEMENTED says what must have failed
