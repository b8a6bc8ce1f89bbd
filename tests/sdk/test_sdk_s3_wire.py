"""The SDK testbench on the S3 wire (`jss-conformance sdk --wire s3`): the example driver, speaking S3 with
the suite's own SigV4 client, passes every S3 scenario (positive control), and each broken driver turns
exactly the scenarios of its expectations file red, each with exactly the findings its entry's fingerprint
names (fixtures/sdk/negative-controls-s3.toml)."""

from __future__ import annotations

import tomllib

import pytest
from test_sdk_negative_controls import BROKEN, CASE, EXAMPLE, outcomes, run_sdk, selection

from conformance.known_deviations import load_known_deviations
from conformance.sdk.scenarios import load_scenarios, sdk_dir


def controls() -> list[dict]:
    with open(sdk_dir() / "negative-controls-s3.toml", "rb") as handle:
        return tomllib.load(handle)["driver"]


def test_sdk_s3_example_driver_passes_every_s3_scenario(tmp_path):
    results = tmp_path / "results.json"
    completed = run_sdk(EXAMPLE, results, "--wire", "s3")
    assert completed.returncode == 0, completed.stdout[-3000:]
    seen = {case_id: case["outcome"] for case_id, case in outcomes(results).items()}
    assert seen == {CASE.format(s.id): "PASS" for s in load_scenarios(wire="s3")}
    assert "target embedded-s3" in completed.stdout


@pytest.mark.parametrize("control", controls(), ids=lambda control: control["mistake"])
def test_sdk_s3_broken_driver_turns_exactly_its_scenarios_red(control, tmp_path):
    expectations = sdk_dir() / control["expectations"]
    expected = load_known_deviations(expectations).entries
    results = tmp_path / "results.json"
    completed = run_sdk(f"{BROKEN} {control['mistake']}", results, *selection(control), "--wire", "s3")
    assert completed.returncode == 1, completed.stdout[-3000:]
    seen = outcomes(results)
    red = {case_id for case_id, case in seen.items() if case["outcome"] != "PASS"}
    assert red == set(expected), completed.stdout[-3000:]
    for case_id in red:
        assert seen[case_id]["outcome"] == expected[case_id].outcome
        assert any(name in seen[case_id]["message"].splitlines()[0] for name in control["names"])
        assert expected[case_id].mismatch(seen[case_id]["outcome"], seen[case_id]["message"]) == ""
