"""The SDK side's controls: the example driver passes every scenario (positive control), and each broken
driver turns exactly the scenarios of its known-deviations file red, each failure naming its mistake
(fixtures/sdk/negative-controls.toml). One `jss-conformance sdk` run per driver, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import pytest

from conformance.known_deviations import load_known_deviations
from conformance.sdk.scenarios import load_scenarios, sdk_dir

CASE = "test_sdk_scenarios.py::test_sdk_scenario[{}]"
EXAMPLE = f"{sys.executable} -m conformance.sdk.drivers.example"
BROKEN = f"{sys.executable} -m conformance.sdk.drivers.broken"


def controls() -> list[dict]:
    with open(sdk_dir() / "negative-controls.toml", "rb") as handle:
        return tomllib.load(handle)["driver"]


def selection(control: dict) -> list[str]:
    """The --scenario options of a control that names its scenarios (none: the whole default set)."""
    return [f"--scenario={scenario}" for scenario in control.get("scenarios", [])]


def run_sdk(driver: str, results, *extra: str) -> subprocess.CompletedProcess:
    allure = results.parent / "allure"
    command = [sys.executable, "-m", "conformance.cli", "sdk", "--driver", driver, "--timeout", "300",
               f"--jss-results={results}", f"--alluredir={allure}", "-p", "no:cacheprovider", *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=900)


def allure_messages(results) -> list[str]:
    """The status messages of the failed Allure results written beside `results`."""
    found = []
    for path in (results.parent / "allure").glob("*-result.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("status") == "failed":
            found.append(document.get("statusDetails", {}).get("message", ""))
    return found


def outcomes(results) -> dict[str, dict]:
    return {case["id"]: case for case in json.loads(results.read_text(encoding="utf-8"))["cases"]}


def test_sdk_example_driver_passes_every_scenario(tmp_path):
    results = tmp_path / "results.json"
    completed = run_sdk(EXAMPLE, results)
    assert completed.returncode == 0, completed.stdout[-3000:]
    seen = {case_id: case["outcome"] for case_id, case in outcomes(results).items()}
    assert seen == {CASE.format(s.id): "PASS" for s in load_scenarios()}


@pytest.mark.parametrize("control", controls(), ids=lambda control: control["mistake"])
def test_sdk_broken_driver_turns_exactly_its_scenarios_red(control, tmp_path):
    expected = load_known_deviations(sdk_dir() / control["expectations"]).entries
    results = tmp_path / "results.json"
    completed = run_sdk(f"{BROKEN} {control['mistake']}", results, *selection(control))
    assert completed.returncode == 1, completed.stdout[-3000:]
    seen = outcomes(results)
    red = {case_id for case_id, case in seen.items() if case["outcome"] != "PASS"}
    assert red == set(expected), completed.stdout[-3000:]
    armed = {CASE.format(s.id) for s in load_scenarios() if s.faults}
    for case_id in red:
        message = seen[case_id]["message"]
        assert seen[case_id]["outcome"] == expected[case_id].outcome
        assert expected[case_id].mismatch(seen[case_id]["outcome"], message) == "", message
        assert any(name in message.splitlines()[0] for name in control["names"]), message
        if case_id in armed and "names_where_armed" in control:
            assert control["names_where_armed"] in message.splitlines()[0], message
    # the terminal's jss-conformance section and Allure show it too
    assert any(name in completed.stdout for name in control["names"])
    shown = allure_messages(results)
    assert len(shown) == len(red) and all(any(n in m for n in control["names"]) for m in shown), shown


def test_sdk_broken_driver_with_its_expectations_exits_0(tmp_path):
    control = controls()[0]
    results = tmp_path / "results.json"
    expectations = sdk_dir() / control["expectations"]
    completed = run_sdk(f"{BROKEN} {control['mistake']}", results, *selection(control),
                        f"--jss-known-deviations={expectations}")
    assert completed.returncode == 0, completed.stdout[-3000:]
