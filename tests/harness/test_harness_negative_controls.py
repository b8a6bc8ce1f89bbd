"""Negative controls: for each deviation of the reference endpoint, the whole suite runs against it; the
cases of the family that rule belongs to turn FAIL (NON_STRICT for the silent RR downgrade), every other case
still passes. This is what shows the checks can see the deviations they are written for."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from harness_helpers import CLI_TIMEOUT, clean_env

from conformance.catalogue import load_catalogue
from conformance.paths import CASES_DIR

#: deviation -> (family of the design card whose rule it breaks, the outcome its cases must turn to)
DEVIATIONS = {
    "accept-any-signature": ("signature", "FAIL"),
    "default-storage-class-rr": ("storage-class", "FAIL"),
    "rr-everywhere": ("region-limit", "FAIL"),
    "rr-downgrade": ("region-limit", "NON_STRICT"),
    "initiate-truncates-object": ("existing-objects", "FAIL"),
    "initiate-response-renamed": ("response-fields", "FAIL"),
}


def _run_suite(deviation: str, directory: Path) -> tuple[int, dict, str]:
    results = directory / f"{deviation}.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(CASES_DIR),
            "--jss-deviate",
            deviation,
            "--jss-results",
            str(results),
            "-p",
            "no:cacheprovider",
            "-q",
        ],
        cwd=directory,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
    )
    return completed.returncode, json.loads(results.read_text(encoding="utf-8")), completed.stdout


@pytest.fixture(scope="module")
def deviated_runs(tmp_path_factory) -> dict[str, tuple[int, dict, str]]:
    """One full suite run per deviation (two at a time)."""
    directory = tmp_path_factory.mktemp("negative-controls")
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(_run_suite, name, directory) for name in DEVIATIONS}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("deviation", DEVIATIONS)
def test_harness_deviation_turns_its_family_red_and_only_it(deviated_runs, deviation):
    family, expected = DEVIATIONS[deviation]
    status, document, output = deviated_runs[deviation]
    catalogue = load_catalogue()
    inside, outside = {}, {}
    for case in document["cases"]:
        families = {catalogue[clause].family for clause in case["clauses"]}
        (inside if family in families else outside)[case["id"]] = case["outcome"]
    turned = sorted(case for case, outcome in inside.items() if outcome == expected)
    assert turned, f"no {family} case saw {deviation}"
    assert set(inside.values()) <= {"PASS", expected}, inside
    assert {case: o for case, o in outside.items() if o != "PASS"} == {}
    assert status == (1 if expected == "FAIL" else 0), output[-2000:]
    assert document["run"]["target"] == "embedded"
