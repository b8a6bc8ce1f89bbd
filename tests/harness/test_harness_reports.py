"""Reports of a run with failing cases: Allure labels, attachments and extras, results.json schema,
redaction (the secret key nowhere under reports/, signatures masked), cleanup after failures, compare."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from harness_helpers import ACCESS_KEY, NORTH_BUCKET, SECRET_KEY, run_cli, run_pytest

from conformance import operations as ops
from conformance.catalogue import load_catalogue
from conformance.report.results import validation_errors

CASES = '''
import time

import pytest

from conformance import operations as ops
from conformance.client import SigningOptions
from conformance.outcomes import NonStrict


@pytest.mark.clause("{clause}")
def test_initiate_then_fail(jss_target, jss_client, jss_bucket, jss_make_key):
    secret = jss_target.credentials.secret_key  # a local that -l would print
    key = jss_make_key()
    ops.initiate(jss_client, jss_bucket.name, key)
    ops.put_object(jss_client, jss_bucket.name, jss_make_key("-object"), b"payload")
    expires = int(time.time()) + 600
    jss_client.request("GET", jss_bucket.name, key, signing=SigningOptions(presign_expires=expires))
    assert secret == "something else", f"the endpoint answered wrongly ({{secret}})"


@pytest.mark.clause("{clause}")
def test_deviates(jss_client, jss_bucket, jss_key):
    ops.put_object(jss_client, jss_bucket.name, jss_key, b"x")
    raise NonStrict("silently stored as STANDARD")


@pytest.mark.clause("{clause}")
def test_passes(jss_client, jss_bucket, jss_key):
    ops.put_object(jss_client, jss_bucket.name, jss_key, b"y")
'''


@pytest.fixture(scope="module")
def failing_run(endpoint, tmp_path_factory):
    """One run of three synthetic cases (FAIL, NON_STRICT, PASS) against the module's endpoint."""
    directory = tmp_path_factory.mktemp("failing-run")
    clause = next(iter(load_catalogue()))
    (directory / "test_synthetic_cases.py").write_text(CASES.format(clause=clause), encoding="utf-8")
    profile = endpoint.profile(directory)
    run = run_pytest(
        [
            "test_synthetic_cases.py", "-l", "--jss-target", str(profile),
            "--alluredir", "reports/allure-results", "--jss-results", "reports/results.json",
        ],
        directory,
    )
    return run, clause


def _allure_results(directory: Path) -> dict[str, dict]:
    found = {}
    for path in (directory / "reports" / "allure-results").glob("*-result.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        found[document["name"]] = document
    return found


def test_harness_failing_run_outcomes_and_schema(failing_run):
    run, clause = failing_run
    assert run.status == 1, run.stdout[-3000:]
    assert validation_errors(run.results) == []
    assert run.outcomes() == {
        "test_synthetic_cases.py::test_initiate_then_fail": "FAIL",
        "test_synthetic_cases.py::test_deviates": "NON_STRICT",
        "test_synthetic_cases.py::test_passes": "PASS",
    }
    assert all(case["clauses"] == [clause] for case in run.results["cases"])
    assert run.results["run"]["target"] == "harness"
    assert run.results["run"]["regions"] == ["cn-north-1", "cn-east-2"]


def test_harness_secret_appears_nowhere_under_reports(failing_run):
    run, _ = failing_run
    files = [path for path in (run.cwd / "reports").rglob("*") if path.is_file()]
    assert len(files) > 5
    fragments = (SECRET_KEY, SECRET_KEY[:8], SECRET_KEY[-8:])  # pytest truncates long reprs to head...tail
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not any(fragment in text for fragment in fragments), path
    assert not any(fragment in run.stdout for fragment in fragments)  # nor pytest's output (-l shows locals)


def test_harness_failure_attaches_masked_exchanges(failing_run):
    run, _ = failing_run
    failed = _allure_results(run.cwd)["test_initiate_then_fail"]
    attachments = [a for a in failed["attachments"] if a["name"].startswith("exchange ")]
    assert len(attachments) == 3  # initiate, put, presigned GET
    texts = [(run.cwd / "reports" / "allure-results" / a["source"]).read_text() for a in attachments]
    initiate = texts[0]
    assert initiate.startswith("POST ") and "?uploads" in initiate.splitlines()[0]
    assert f"Authorization: jingdong {ACCESS_KEY}:****" in initiate
    assert "--- string to sign ---" in initiate and "--- response: 200" in initiate
    assert "Signature=****" in texts[2]
    for text in texts:
        assert not re.search(rf"jingdong {ACCESS_KEY}:(?!\*\*\*\*)", text)
        assert not re.search(r"Signature=(?!\*\*\*\*)", text)


def test_harness_allure_labels_statuses_and_extras(failing_run):
    run, clause_id = failing_run
    clause = load_catalogue()[clause_id]
    results = _allure_results(run.cwd)
    names = ("test_initiate_then_fail", "test_deviates", "test_passes")
    failed, deviating, passing = (results[name] for name in names)
    labels = {(label["name"], label["value"]) for label in failed["labels"]}
    assert {("epic", clause.operation), ("feature", clause.family), ("story", clause.id)} <= labels
    assert any(link["url"] == clause.source for link in failed["links"])
    assert clause.sentence in failed["description"]
    assert failed["status"] == "failed"
    assert deviating["status"] == "passed"  # as pytest reports it (failed with --jss-strict), never broken
    assert deviating["statusDetails"]["message"].startswith("NON_STRICT: silently stored as STANDARD")
    assert ("tag", "NON_STRICT") in {(label["name"], label["value"]) for label in deviating["labels"]}
    assert passing["status"] == "passed" and not passing.get("attachments")
    allure_dir = run.cwd / "reports" / "allure-results"
    categories = json.loads((allure_dir / "categories.json").read_text())
    names = [category["name"] for category in categories]
    assert any("INFRA_ERROR" in name for name in names) and any("NON_STRICT" in name for name in names)
    assert any("NOT_IMPLEMENTED" in name for name in names)
    allure3 = json.loads((allure_dir / "allurerc.json").read_text())
    assert [rule["name"] for rule in allure3["categories"]] == names
    properties = (allure_dir / "environment.properties").read_text()
    for key in (
        "target = harness", "endpoint = http://127.0.0.1:", "regions = cn-north-1, cn-east-2",
        "deviations = none", "known_deviations = none", "run = completed",
    ):
        assert key in properties
    assert "suite.version = " in properties


def test_harness_cleanup_after_failures(failing_run, endpoint):
    run, _ = failing_run
    client = endpoint.client()
    leftovers = ops.list_objects(client, NORTH_BUCKET, prefix="jssc-").entries
    uploads = ops.list_uploads(client, NORTH_BUCKET, prefix="jssc-").uploads
    assert leftovers == [] and uploads == []


def test_harness_compare_renders_matrix(failing_run, tmp_path):
    run, clause = failing_run
    second = json.loads(json.dumps(run.results))
    second["run"]["target"] = "other-vendor"
    for case in second["cases"]:  # every case, and each of its clauses, passes in the other vendor's run
        case["outcome"] = "PASS"
        for verdict in case["clause_verdicts"]:
            verdict.update(outcome="PASS", message="")
    (tmp_path / "other.json").write_text(json.dumps(second))
    result = run_cli(
        ["compare", str(run.cwd / "reports" / "results.json"), str(tmp_path / "other.json"), "-o",
         str(tmp_path / "matrix.html")],
        tmp_path,
    )
    assert result.status == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if line.startswith(clause))
    cells = row.split()[1:]  # every count of a cell, worst first, then the other run's
    assert cells == ["1", "FAIL", "1", "NS", "1", "PASS", "3", "PASS"]
    page = (tmp_path / "matrix.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "other-vendor" in page
    assert not re.search(r"<(script|link|img)\b|@import|src=", page)  # self-contained


DIALECT_CASE = '''
import pytest


@pytest.mark.clause("{clause}")
def test_outside_the_dialect():
    raise AssertionError("never called: the clause is outside the target's dialect")
'''


def test_harness_case_outside_the_wire_is_not_applicable_in_every_report(endpoint, tmp_path):
    clause = next(c for c in load_catalogue().values() if "jss" not in c.dialects)
    (tmp_path / "test_dialect_case.py").write_text(DIALECT_CASE.format(clause=clause.id), encoding="utf-8")
    run = run_pytest(
        ["test_dialect_case.py", "--jss-target", str(endpoint.profile(tmp_path)),
         "--alluredir", "reports/allure-results", "--jss-results", "reports/results.json"],
        tmp_path,
    )
    assert run.status == 0, run.stdout[-3000:]
    [case] = run.results["cases"]
    assert case["outcome"] == "NOT_APPLICABLE" and case["expected"]["source"] == "dialect"
    assert f"clause {clause.id} applies to the" in case["message"]
    assert "1 NOT_APPLICABLE" in run.stdout and "NOT_IMPLEMENTED 0" in run.stdout
    [result] = _allure_results(tmp_path).values()
    assert result["status"] == "skipped"
    message = result["statusDetails"]["message"]
    assert message.startswith(f"NOT_APPLICABLE (outside the target's wire or rulebook): clause {clause.id}")
    tags = {label["value"] for label in result["labels"] if label["name"] == "tag"}
    assert {"NOT_APPLICABLE", "not applicable"} <= tags and "expected" not in tags
    assert result["statusDetails"]["trace"].startswith("conformance.outcomes.NotApplicable: clause")
