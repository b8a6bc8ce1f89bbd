"""The access family over S3 against the real third-party stores (`python -m conformance.stores run`):
JuiceFS's gateway has a second account (an IAM user without a policy) and refuses it and anonymous callers,
so every row runs and PASSes; moto checks no signature, so its anonymous refusal rows FAIL, as its committed
known deviations say (the run is green), and its alt rows are SKIPPED (moto has one account only)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest
from harness_helpers import clean_env
from test_harness_third_party_stores import _store_available

from conformance.cases.support import table
from conformance.known_deviations import load_known_deviations
from conformance.paths import fixtures_dir

OPERATIONS = [row["name"] for row in table("access")["operation"]]


def _run_access(name: str, cwd) -> tuple[subprocess.CompletedProcess, dict]:
    if not _store_available(name):
        pytest.skip(f"{name} is not installed (pip install -e '.[stores]')")
    results = cwd / "access.json"
    command = [
        sys.executable, "-m", "conformance.stores", "run", name, "--jss-family", "access",
        "--jss-results", str(results), "-p", "no:cacheprovider",
    ]
    run = subprocess.run(command, cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=300)
    return run, json.loads(results.read_text(encoding="utf-8"))


def test_harness_access_juicefs_second_account_and_anonymous_refused(tmp_path):
    run, results = _run_access("juicefs", tmp_path)

    outcomes = {case["id"]: case["outcome"] for case in results["cases"]}
    assert run.returncode == 0, run.stdout[-3000:]
    assert set(outcomes.values()) == {"PASS"}, outcomes
    assert {f"test_access.py::test_access_refused[{name}-alt]" for name in OPERATIONS} <= set(outcomes)
    assert "second account may fail" not in run.stdout


def test_harness_access_moto_anonymous_rows_fail_as_known(tmp_path):
    run, results = _run_access("moto", tmp_path)

    known = load_known_deviations(fixtures_dir() / "expectations" / "moto.toml").entries
    failed = {case["id"] for case in results["cases"] if case["outcome"] == "FAIL"}
    by_caller = Counter(
        (case["id"].rsplit("-", 1)[1].rstrip("]"), case["outcome"]) for case in results["cases"]
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert failed == {case for case in known if case.startswith("test_access.py::")}
    assert {f"test_access.py::test_access_refused[{name}-anonymous]" for name in OPERATIONS} <= failed
    assert {outcome for caller, outcome in by_caller if caller == "alt"} == {"SKIPPED"}
