"""ListObjects with a delimiter in the SDK scenarios (list-objects-delimited): the judge of the keys, the
common prefixes and the delimiter sent; the scenario field's validation; the example driver passes and the
broken ``ignores-common-prefixes`` fails it, on both wires."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conformance.sdk.bench import names_key
from conformance.sdk.judge import EndState, Source, judge
from conformance.sdk.judge_objects import delimited_listing
from conformance.sdk.object_steps import listed_keys, object_step
from conformance.sdk.scenarios import ScenarioError, _check_step, load_scenarios

SCENARIO = {s.id: s for s in load_scenarios()}["list-objects-delimited"]
KEYS = listed_keys("k", 5, "/")
OBJECTS, PREFIXES = ["k/002"], ["k/a/", "k/b/"]
CASE = "test_sdk_scenarios.py::test_sdk_scenario[list-objects-delimited]"


def listing(query: str = "prefix=k%2F&delimiter=%2F&max-keys=2") -> dict:
    return {"operation": "list-objects", "method": "GET", "status": 200, "part_number": None, "verdicts": [],
            "target": f"/b?{query}", "sent": {"authorization": True, "query_signed": False}}


def findings(listed: dict, records: list[dict] | None = None) -> list[tuple[str, str]]:
    end = EndState(object_exists=False, listed_keys=KEYS, listed_prefix="k/")
    result = {"status": "ok", "listed": listed}
    judgement = judge(SCENARIO, result, "", 0, [listing()] * 2 if records is None else records, end,
                      Source("0" * 32, 0, None))
    return [(finding.id, finding.message) for finding in judgement.findings]


def test_delimited_layout_and_expected_listing():
    assert KEYS == ["k/a/000", "k/b/001", "k/002", "k/a/003", "k/b/004"]
    assert delimited_listing(KEYS, "k/", "/") == (OBJECTS, PREFIXES)
    given = object_step(SCENARIO.steps[0], 0, None, None, None, "k")
    assert given == {"op": "list-objects", "prefix": "k/", "max_keys": 2, "delimiter": "/"}


def test_judge_delimited_listing_right_passes():
    assert findings({"objects": OBJECTS, "object_prefixes": list(reversed(PREFIXES))}) == []


@pytest.mark.parametrize("listed", [
    {"objects": OBJECTS},  # the common prefixes dropped
    {"objects": OBJECTS, "object_prefixes": PREFIXES[:1]},
    {"objects": KEYS, "object_prefixes": []},  # a recursive listing
    {"objects": [], "object_prefixes": PREFIXES},
])
def test_judge_delimited_listing_wrong_names_list_complete(listed):
    assert {finding for finding, _ in findings(listed)} == {"sdk.list.complete"}


def test_judge_delimited_listing_needs_the_delimiter_sent_and_pages():
    right = {"objects": OBJECTS, "object_prefixes": PREFIXES}
    unsent = findings(right, [listing("prefix=k%2F&max-keys=2")] * 2)
    assert [finding for finding, _ in unsent] == ["sdk.list.complete"] and "delimiter" in unsent[0][1]
    assert [finding for finding, _ in findings(right, [listing()])] == ["sdk.list.complete"]  # one page


def test_delimiter_only_on_list_objects_as_a_string():
    for step in ({"op": "list-uploads", "max_uploads": 1, "delimiter": "/"},
                 {"op": "list-objects", "max_keys": 2, "delimiter": ""},
                 {"op": "list-objects", "max_keys": 2, "delimiter": 1}):
        with pytest.raises(ScenarioError):
            _check_step("s", step)


def test_delimited_listing_belongs_to_its_scenario():
    record = {"key": None, "target": "/b?prefix=run%2Ff%2Fk%2F&delimiter=%2F"}
    assert names_key(record, "run/f/k")
    assert not names_key(record, "run/f/k2")


def run_sdk(wire: str, driver: str, results) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "conformance.cli", "sdk", "--wire", wire, "--driver", driver,
               "--scenario=list-objects-delimited", "--timeout", "120", f"--jss-results={results}",
               f"--alluredir={results.parent / 'allure'}", "-p", "no:cacheprovider"]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("wire", ["jss", "s3"])
def test_example_passes_and_broken_fails_list_objects_delimited(wire, tmp_path):
    good = run_sdk(wire, f"{sys.executable} -m conformance.sdk.drivers.example", tmp_path / "good.json")
    assert good.returncode == 0, good.stdout[-3000:]
    case = json.loads((tmp_path / "good.json").read_text(encoding="utf-8"))["cases"][0]
    assert (case["id"], case["outcome"]) == (CASE, "PASS")
    broken = f"{sys.executable} -m conformance.sdk.drivers.broken ignores-common-prefixes"
    bad = run_sdk(wire, broken, tmp_path / "bad.json")
    assert bad.returncode == 1, bad.stdout[-3000:]
    case = json.loads((tmp_path / "bad.json").read_text(encoding="utf-8"))["cases"][0]
    assert case["outcome"] == "FAIL" and "sdk.list.complete" in case["message"].splitlines()[0]
