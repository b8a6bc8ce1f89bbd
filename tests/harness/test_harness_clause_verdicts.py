"""A verdict per clause, end to end: the whole suite against the embedded endpoint, and the storage-class
observers against a deviation that breaks one of them (issue 17's done-when).

- lint: a passing case has checked every clause it names explicitly (no clause credited PASS, or left
  "unchecked", from the case's pass alone), and every case's outcome is the worst of its clause verdicts;
- a deviation that omits ListParts' storage class fails list-parts.storage-class.reported and nothing else,
  while ListMultipartUploads' and HEAD's clauses of the same cases pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness_helpers import run_pytest

from conformance import outcomes as oc
from conformance.harness.clause_verdicts import SEVERITY, UNCHECKED
from conformance.paths import CASES_DIR

VERDICT = ("PASS", "FAIL", "NON_STRICT", "NOT_IMPLEMENTED", "NOT_REACHED", "SKIPPED", "INFRA_ERROR",
           "INTERRUPTED", "NOT_APPLICABLE")


def _suite(folder: Path, *args: str) -> dict:
    """results.json of the conformance suite run in `folder` with `args`."""
    results = folder / "results.json"
    run = run_pytest([str(CASES_DIR), "-q", "--jss-results", str(results), *args], folder)
    assert results.exists(), run.stdout[-3000:] + run.stderr[-2000:]
    return json.loads(results.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def whole_suite(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """results.json of the whole suite against the embedded endpoint, no deviation."""
    return _suite(tmp_path_factory.mktemp("clause-lint"))


def test_harness_passing_cases_checked_every_clause_explicitly(whole_suite):
    passing = [case for case in whole_suite["cases"] if case["outcome"] == oc.PASS]
    assert len(passing) > 100, f"only {len(passing)} passing cases: the run did not go as expected"
    unchecked = [
        f"{case['id']}: {verdict['clause']} {verdict['outcome']} ({verdict['message']})"
        for case in passing for verdict in case["clause_verdicts"]
        if verdict["outcome"] not in (oc.PASS, oc.NOT_REACHED) or verdict["message"] == UNCHECKED
    ]
    assert not unchecked, "passing cases with a clause no check named (use ops.checking):\n" + "\n".join(
        unchecked
    )


def test_harness_every_case_has_a_verdict_per_clause_and_its_outcome_is_the_worst(whole_suite):
    problems = []
    for case in whole_suite["cases"]:
        verdicts = case["clause_verdicts"]
        named = [verdict["clause"] for verdict in verdicts]
        if named[: len(case["clauses"])] != case["clauses"]:
            problems.append(f"{case['id']}: clause verdicts {named} do not start with its clauses")
        if any(verdict["outcome"] not in VERDICT for verdict in verdicts):
            problems.append(f"{case['id']}: unknown outcome in {verdicts}")
        worst = max((verdict["outcome"] for verdict in verdicts), key=SEVERITY.__getitem__)
        if worst != case["outcome"]:
            problems.append(f"{case['id']}: outcome {case['outcome']}, worst clause verdict {worst}")
    assert not problems, "\n".join(problems)


def test_harness_list_parts_omitting_the_class_fails_only_its_clause(tmp_path):
    document = _suite(
        tmp_path, "--jss-deviate", "list-parts-omits-storage-class", "--jss-family", "storage-class",
        "--jss-family", "region-limit", "--jss-family", "response-fields",
    )
    red = {
        (case["id"], verdict["clause"])
        for case in document["cases"] for verdict in case["clause_verdicts"]
        if verdict["outcome"] in (oc.FAIL, oc.NON_STRICT)
    }
    assert red and {clause for _, clause in red} == {"list-parts.storage-class.reported"}, sorted(red)
    cases = {case["id"]: case for case in document["cases"]}
    for case_id in {case_id for case_id, _ in red} - {c for c in cases if "response_fields" in c}:
        verdicts = {verdict["clause"]: verdict["outcome"] for verdict in cases[case_id]["clause_verdicts"]}
        assert verdicts["list-uploads.storage-class.reported"] == oc.PASS, (case_id, verdicts)
        assert verdicts["object.storage-class.reported"] == oc.PASS, (case_id, verdicts)
        assert cases[case_id]["outcome"] == oc.FAIL
