"""`jss-conformance sdk` with drivers that fail as infrastructure fails: a driver that exits 3 at once, or
prints no JSON, makes the run INFRA_ERROR and exit 3 with the driver's stderr tail (secrets masked); a valid
``failed`` result stays the SDK's FAIL (exit 1); a driver that answers ``unsupported`` everywhere fails the
run (exit 1: unlisted unsupported steps are findings) and is counted in the scenario section; every scenario's
time is shown."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conformance.sdk.scenarios import load_scenarios

DRIVER = Path(__file__).with_name("infra_driver.py")


def run_sdk(mode: str, tmp_path: Path, *extra: str) -> tuple[subprocess.CompletedProcess, dict]:
    results = tmp_path / "results.json"
    driver = f"{sys.executable} {DRIVER} {mode} {tmp_path / 'secret.txt'}"
    command = [sys.executable, "-m", "conformance.cli", "sdk", "--driver", driver, "--timeout", "120",
               f"--jss-results={results}", f"--alluredir={tmp_path / 'allure'}", "-p", "no:cacheprovider",
               *extra]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    cases = {case["id"]: case for case in json.loads(results.read_text(encoding="utf-8"))["cases"]}
    return completed, cases


def test_a_driver_that_exits_3_at_once_makes_sdk_exit_3_with_its_stderr_masked(tmp_path):
    completed, cases = run_sdk("exit3", tmp_path)
    assert completed.returncode == 3, completed.stdout[-3000:]
    assert cases and {case["outcome"] for case in cases.values()} == {"INFRA_ERROR"}
    for case in cases.values():
        assert "the driver gave no result" in case["message"] and "exit status 3" in case["message"]
        assert "the SDK module is missing" in case["message"].splitlines()[0]
    assert "driver: Traceback (most recent call last): the SDK module is missing" in completed.stdout
    assert "secret_key=****" in completed.stdout
    assert "the SDK driver gives no result" in completed.stdout
    secret = (tmp_path / "secret.txt").read_text(encoding="utf-8")
    assert len(secret) >= 8
    written = [completed.stdout, completed.stderr, (tmp_path / "results.json").read_text(encoding="utf-8")]
    written += [path.read_text(encoding="utf-8", errors="replace") for path in (tmp_path / "allure").iterdir()
                if path.is_file()]
    assert not [text for text in written if secret in text]


def test_a_driver_that_prints_no_json_is_infra_error(tmp_path):
    completed, cases = run_sdk("no-json", tmp_path, "--scenario", "multipart-standard")
    assert completed.returncode == 3, completed.stdout[-3000:]
    (case,) = cases.values()
    assert case["outcome"] == "INFRA_ERROR" and "not JSON" in case["message"]


def test_a_valid_failed_result_is_still_an_sdk_fail(tmp_path):
    completed, cases = run_sdk("failed", tmp_path, "--scenario", "multipart-standard")
    assert completed.returncode == 1, completed.stdout[-3000:]
    (case,) = cases.values()
    assert case["outcome"] == "FAIL"


def test_unsupported_everywhere_is_counted_and_every_scenario_timed(tmp_path):
    completed, cases = run_sdk("unsupported", tmp_path)
    ids = [scenario.id for scenario in load_scenarios()]
    assert completed.returncode == 1, completed.stdout[-3000:]  # unlisted unsupported steps are findings
    assert {case["outcome"] for case in cases.values()} == {"NOT_IMPLEMENTED"}
    section = completed.stdout.split("jss-conformance: sdk scenarios", 1)[1]
    for scenario_id in ids:
        assert f"\n{scenario_id}: NOT_IMPLEMENTED in " in section
    assert f"NOT_IMPLEMENTED {len(ids)} of {len(ids)} scenarios: the driver answered unsupported" in section
