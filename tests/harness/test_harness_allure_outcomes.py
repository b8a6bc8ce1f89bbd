"""Allure says what each outcome is: a status as pytest reports the case, and a category picked by the
start of its message, the same in Allure 2 (categories.json, whole-message Java regexes) and Allure 3
(allurerc.json); an interrupted case is never "passed", and the run's environment says what ran and how the
run ended.

The rendered report (Allure 3 itself reading these files) is checked in test_harness_allure_history.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from harness_helpers import clean_env

from conformance import outcomes as oc
from conformance.harness import allure_config
from conformance.harness.allure_status import view
from conformance.known_deviations import PASS_EXPECTED, Expectation

FILE_FAIL = Expectation(oc.FAIL, "answers 201 on initiate", "file")
FILE_NON_STRICT = Expectation(oc.NON_STRICT, "stores RR as STANDARD", "file")
DIALECT = Expectation(oc.NOT_APPLICABLE, "clause x applies to the s3 wire only, not jss", "dialect")
RULES = Expectation(oc.NOT_APPLICABLE, "clause x does not apply under the s3 rules", "rules")
#: The message allure-pytest writes for a failure (kept when our view has none).
EXCEPTION_TEXT = "conformance.operations.verdicts.Mismatch: expected 200 OK; observed 201 Created"

KNOWN = "Known deviations"
UNEXPECTED = "Unexpected outcomes"
#: (outcome, expectation, judged, strict) -> (Allure status, the start of its category's name or None)
TABLE = [
    ((oc.PASS, PASS_EXPECTED, False, False), ("passed", None)),
    ((oc.FAIL, PASS_EXPECTED, False, False), ("failed", "Conformance failures")),
    ((oc.FAIL, PASS_EXPECTED, True, False), ("failed", "Conformance failures")),
    ((oc.FAIL, FILE_FAIL, True, False), ("skipped", KNOWN)),
    ((oc.FAIL, FILE_FAIL, True, True), ("failed", KNOWN)),
    ((oc.PASS, FILE_FAIL, True, False), ("passed", UNEXPECTED)),
    ((oc.NON_STRICT, PASS_EXPECTED, False, False), ("passed", "Non-strict deviations (")),
    ((oc.NON_STRICT, PASS_EXPECTED, False, True), ("failed", "Non-strict deviations failing")),
    ((oc.NON_STRICT, PASS_EXPECTED, True, False), ("passed", UNEXPECTED)),
    ((oc.NON_STRICT, FILE_NON_STRICT, True, False), ("passed", KNOWN)),
    ((oc.NOT_IMPLEMENTED, PASS_EXPECTED, False, False), ("skipped", "Not implemented by the target")),
    ((oc.NOT_IMPLEMENTED, PASS_EXPECTED, True, False), ("skipped", UNEXPECTED)),
    ((oc.NOT_APPLICABLE, DIALECT, False, False), ("skipped", "Not applicable")),
    ((oc.NOT_APPLICABLE, DIALECT, True, False), ("skipped", "Not applicable")),
    ((oc.NOT_APPLICABLE, RULES, True, True), ("skipped", "Not applicable")),
    ((oc.SKIPPED, PASS_EXPECTED, False, False), ("skipped", None)),
    ((oc.INFRA_ERROR, PASS_EXPECTED, False, False), ("broken", "Infrastructure errors")),
    ((oc.INTERRUPTED, PASS_EXPECTED, False, False), ("unknown", "Interrupted")),
    ((oc.INTERRUPTED, FILE_FAIL, True, False), ("unknown", "Interrupted")),
]


def _category_allure3(status: str, message: str) -> str | None:
    for rule in allure_config.categories_allure3():
        if status in rule["matchedStatuses"] and re.search(rule.get("messageRegex", ""), message):
            return rule["name"]
    return None


def _category_allure2(status: str, message: str) -> str | None:
    for rule in allure_config.categories_allure2():
        regex = rule.get("messageRegex")
        if status in rule["matchedStatuses"] and (regex is None or re.fullmatch(regex, message)):
            return rule["name"]
    return None


IDS = [f"{case[0]}-{case[1].source}-judged{case[2]:d}-strict{case[3]:d}" for case, _ in TABLE]


@pytest.mark.parametrize(("case", "shown"), TABLE, ids=IDS)
def test_allure_status_and_category_say_what_the_outcome_is(case, shown):
    outcome, expected, judged, strict = case
    result = view(outcome, "observed text", expected, judged=judged, strict=strict)
    message = EXCEPTION_TEXT if result.message is None and result.status == "failed" else result.message or ""
    status, category = shown
    assert result.status == status
    found = _category_allure3(result.status, message)
    assert found == _category_allure2(result.status, message)
    assert (found is None) if category is None else (found or "").startswith(category), found
    if outcome != oc.PASS:
        assert outcome in result.tags
    assert ("expected" in result.tags) == (category == KNOWN)  # NOT_APPLICABLE is no expected deviation
    assert ("not applicable" in result.tags) == (category == "Not applicable")
    assert ("unexpected" in result.tags) == (judged and found is not None and found.startswith(
        (UNEXPECTED, "Conformance failures")))


def test_allure_known_deviation_message_keeps_the_reason_and_the_observation():
    result = view(oc.FAIL, "expected 200 OK; observed 201 Created", FILE_FAIL, judged=True)
    assert result.message.splitlines() == [
        "KNOWN DEVIATION (expected FAIL): answers 201 on initiate",
        "observed: expected 200 OK; observed 201 Created",
    ]


def test_allure_categories_are_the_same_list_for_allure_2_and_3():
    two, three = allure_config.categories_allure2(), allure_config.categories_allure3()
    assert [rule["name"] for rule in two] == [rule["name"] for rule in three]
    assert len({rule["name"] for rule in two}) == len(two)


def test_allure_history_path_is_beside_the_results_folder(tmp_path):
    assert allure_config.history_path(Path("reports/allure-results")) == "reports/allure-history.jsonl"
    inside = tmp_path / "reports" / "allure-results"
    assert allure_config.history_path(inside, tmp_path) == "reports/allure-history.jsonl"
    outside = tmp_path / "elsewhere" / "results"
    assert allure_config.history_path(outside, tmp_path / "run") == str(tmp_path / "elsewhere" / HISTORY)


HISTORY = allure_config.HISTORY_FILE

INTERRUPTED_CASES = '''
import os
import signal
import time

import pytest

from conformance import operations as ops


@pytest.mark.clause("initiate.status.ok")
def test_a_passes(jss_client, jss_bucket, jss_key):
    ops.put_object(jss_client, jss_bucket.name, jss_key, b"a")


@pytest.mark.clause("initiate.status.ok")
def test_b_is_interrupted(jss_client, jss_bucket, jss_key):
    ops.put_object(jss_client, jss_bucket.name, jss_key, b"b")
    os.kill(os.getpid(), signal.SIGINT)  # as `kill -INT` would, while the case runs
    time.sleep(30)


@pytest.mark.clause("initiate.status.ok")
def test_c_never_starts():
    pass
'''


def test_allure_interrupted_case_is_interrupted_and_the_run_says_it_stopped(tmp_path):
    (tmp_path / "test_interrupted_cases.py").write_text(INTERRUPTED_CASES, encoding="utf-8")
    command = [sys.executable, "-m", "conformance.cli", "run", "test_interrupted_cases.py", "--jss-embedded",
               "--jss-deviate", "rr-downgrade", "-p", "no:cacheprovider"]
    run = subprocess.run(command, cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=120)
    folder = tmp_path / "reports" / "allure-results"
    results = {}
    for path in folder.glob("*-result.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        results[document["name"]] = document
    outcomes = {
        case["id"]: case["outcome"]
        for case in json.loads((tmp_path / "reports" / "results.json").read_text())["cases"]
    }
    assert outcomes == {
        "test_interrupted_cases.py::test_a_passes": "PASS",
        "test_interrupted_cases.py::test_b_is_interrupted": "INTERRUPTED",
    }, run.stdout[-3000:]
    assert sorted(results) == ["test_a_passes", "test_b_is_interrupted"]
    assert results["test_a_passes"]["status"] == "passed"
    interrupted = results["test_b_is_interrupted"]
    assert interrupted["status"] == "unknown"
    assert interrupted["statusDetails"]["message"].startswith("INTERRUPTED: ")
    labels = {(label["name"], label["value"]) for label in interrupted["labels"]}
    assert {("tag", "INTERRUPTED"), ("story", "initiate.status.ok")} <= labels
    assert interrupted["historyId"]
    category = _category_allure3(interrupted["status"], interrupted["statusDetails"]["message"])
    assert category.startswith("Interrupted")
    properties = (folder / "environment.properties").read_text(encoding="utf-8").splitlines()
    assert "deviations = rr-downgrade" in properties
    assert "run = interrupted during the cases: interrupted by SIGINT (2 of 3 selected cases recorded)" in (
        properties
    )
    config = json.loads((folder / "allurerc.json").read_text(encoding="utf-8"))
    assert config["name"] == "jss-conformance: RUN INTERRUPTED (interrupted by SIGINT)"
    assert config["historyPath"] == f"reports/{HISTORY}"
