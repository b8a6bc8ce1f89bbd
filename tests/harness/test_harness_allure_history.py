"""Allure 3 as a user renders it: two runs in one folder, each followed by the render command the run prints.

- the history file (beside the results folder, which the run cleans) keeps both runs, so the second report's
  trend has two points;
- the second run (deviations on the reference endpoint, a known-deviations file that accepts two of the
  failures) renders each outcome under its own category, the expected deviations apart from the failures and
  not counted as failed; the report's counts are results.json's; its environment lists the deviations.

Needs node's npx (the npm registry serves the allure package). Without npx the test is skipped, unless
JSS_CONFORMANCE_REQUIRE_NPX is set (CI sets it: there the test must run).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from harness_helpers import allure_generate, npx_or_skip, run_cli

from conformance.harness.allure_config import HISTORY_FILE

SELECTION = ["--jss-family", "region-limit", "--jss-family", "signature", "-p", "no:cacheprovider"]
DEVIATIONS = ["--jss-deviate", "rr-downgrade", "--jss-deviate", "initiate-answers-201"]
ACCEPTED = ["test_signature.py::test_initiate_signed_per_rules_accepted",
            "test_signature.py::test_initiate_mixed_case_header_name_accepted"]


def _widget(report: Path, name: str):
    return json.loads((report / "widgets" / name).read_text(encoding="utf-8"))


def _trend(report: Path) -> list[dict]:
    charts = _widget(report, "charts.json")["general"].values()
    [dynamics] = [chart for chart in charts if chart["type"] == "statusDynamics"]
    return dynamics["data"]


def _categories(report: Path) -> dict[str, dict]:
    tree = _widget(report, "categories.json")
    return {tree["nodes"][root]["name"]: tree["nodes"][root]["statistic"] for root in tree["roots"]}


def _results_by_name(report: Path) -> dict[str, dict]:
    found = {}
    for path in (report / "data" / "test-results").glob("*.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        found[result["name"]] = result
    return found


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Two runs and their reports in one folder: faithful, then deviating with two failures accepted."""
    npx = npx_or_skip()
    folder = tmp_path_factory.mktemp("allure-history")
    first = run_cli(["run", *SELECTION], folder)
    assert first.status == 0, first.stdout[-2000:]
    generated = allure_generate(npx, folder, folder / "report-1")
    assert generated.returncode == 0, generated.stdout[-2000:] + generated.stderr[-2000:]
    history = folder / "reports" / HISTORY_FILE
    lines_after_first = len(history.read_text(encoding="utf-8").splitlines())
    entry = '"{}" = {{ outcome = "FAIL", reason = "answers 201 Created" }}'
    accepted = "\n".join(entry.format(case) for case in ACCEPTED)
    (folder / "known.toml").write_text(f"[expected]\n{accepted}\n", encoding="utf-8")
    second = run_cli(["run", *SELECTION, *DEVIATIONS, "--jss-known-deviations", "known.toml"], folder)
    assert second.status == 1, second.stdout[-2000:]  # the failures not in the file
    generated = allure_generate(npx, folder, folder / "report-2")
    assert generated.returncode == 0, generated.stdout[-2000:] + generated.stderr[-2000:]
    return {"folder": folder, "lines_after_first": lines_after_first, "second": second, "history": history}


def test_allure_history_fills_the_trend_across_runs(two_runs):
    folder = two_runs["folder"]
    assert two_runs["lines_after_first"] == 1
    assert len(two_runs["history"].read_text(encoding="utf-8").splitlines()) == 2
    assert len(_trend(folder / "report-1")) == 1
    trend = _trend(folder / "report-2")
    assert len(trend) == 2
    assert {"failed"} <= set(trend[-1]["statistic"]) and "failed" not in trend[0]["statistic"]


def test_allure_counts_and_categories_agree_with_results_json(two_runs):
    report = two_runs["folder"] / "report-2"
    cases = two_runs["second"].results["cases"]
    outcomes = Counter(case["outcome"] for case in cases)
    expected_fails = sum(1 for c in cases if c["outcome"] == "FAIL" and c.get("expected"))
    dialect = sum(1 for c in cases if (c.get("expected") or {}).get("source") == "dialect")
    assert expected_fails == len(ACCEPTED) and outcomes["NON_STRICT"] == 1 and dialect >= 1
    statistic = _widget(report, "statistic.json")
    assert statistic["total"] == len(cases)
    assert statistic.get("failed", 0) == outcomes["FAIL"] - expected_fails
    assert statistic.get("passed", 0) == outcomes["PASS"] + outcomes["NON_STRICT"]
    skipped = outcomes["NOT_IMPLEMENTED"] + outcomes["NOT_APPLICABLE"] + outcomes["SKIPPED"] + expected_fails
    assert statistic.get("skipped", 0) == skipped
    assert "broken" not in statistic and "unknown" not in statistic
    categories = _categories(report)
    by_start = {name.split(" (")[0]: statistic for name, statistic in categories.items()}
    assert by_start["Known deviations"] == {"total": len(ACCEPTED), "skipped": len(ACCEPTED)}
    assert by_start["Unexpected outcomes"] == {"total": 1, "passed": 1}  # NON_STRICT, not in the file
    assert by_start["Conformance failures"] == {"total": statistic["failed"], "failed": statistic["failed"]}
    assert by_start["Not applicable"] == {"total": dialect, "skipped": dialect}
    results = _results_by_name(report)
    for case in ACCEPTED:
        result = results[case.split("::", 1)[1]]
        tags = {label["value"] for label in result["labels"] if label["name"] == "tag"}
        assert result["status"] == "skipped" and {"expected", "known deviation"} <= tags
        assert result["error"]["message"].startswith("KNOWN DEVIATION (expected FAIL): answers 201 Created")


def test_allure_environment_lists_the_deviations_and_the_ending(two_runs):
    folder = two_runs["folder"]
    environment = {
        entry["name"]: entry["values"] for entry in _widget(folder / "report-2", "allure_environment.json")
    }
    assert environment["deviations"] == ["rr-downgrade, initiate-answers-201"]
    assert environment["run"] == ["completed"]
    assert environment["known_deviations"] == [str(folder / "known.toml")]
    first = {e["name"]: e["values"] for e in _widget(folder / "report-1", "allure_environment.json")}
    assert first["deviations"] == ["none"]
