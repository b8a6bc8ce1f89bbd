"""Outcome classification and exit statuses, on synthetic cases run by pytester (no endpoint needed)."""

from __future__ import annotations

import json

import pytest

from conformance.report.results import validation_errors

SYNTHETIC = """
import pytest
from conformance.outcomes import InfraError, NonStrict, NotImplementedByTarget


@pytest.mark.clause("synthetic.pass")
def test_pass():
    pass


@pytest.mark.clause("synthetic.fail", "synthetic.other")
def test_fail():
    assert 1 == 2, "wrong status"


def test_fail_by_other_exception():
    {}["UploadId"]


def test_non_strict():
    raise NonStrict("REDUCED_REDUNDANCY silently stored as STANDARD")


def test_not_implemented():
    raise NotImplementedByTarget("POST answered 501")


def test_skipped():
    pytest.skip("needs a bucket outside cn-north-1")


def test_infra():
    raise InfraError("connection refused after 2 attempts")


@pytest.fixture
def failing_cleanup():
    yield
    raise RuntimeError("abort answered HTTP 500")


def test_teardown_fails(failing_cleanup):
    pass
"""

EXPECTED = {
    "test_synthetic.py::test_pass": "PASS",
    "test_synthetic.py::test_fail": "FAIL",
    "test_synthetic.py::test_fail_by_other_exception": "FAIL",
    "test_synthetic.py::test_non_strict": "NON_STRICT",
    "test_synthetic.py::test_not_implemented": "NOT_IMPLEMENTED",
    "test_synthetic.py::test_skipped": "SKIPPED",
    "test_synthetic.py::test_infra": "INFRA_ERROR",
    "test_synthetic.py::test_teardown_fails": "FAIL",
}


def _results(pytester: pytest.Pytester) -> dict:
    return json.loads((pytester.path / "out.json").read_text(encoding="utf-8"))


@pytest.fixture
def synthetic(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_synthetic=SYNTHETIC)
    return pytester


def test_harness_each_outcome_is_classified(synthetic):
    result = synthetic.runpytest("-v", "--jss-results", "out.json", "-p", "no:cacheprovider")
    document = _results(synthetic)
    assert validation_errors(document) == []
    records = {case["id"]: case for case in document["cases"]}
    assert {case_id: case["outcome"] for case_id, case in records.items()} == EXPECTED
    assert records["test_synthetic.py::test_fail"]["clauses"] == ["synthetic.fail", "synthetic.other"]
    assert "wrong status" in records["test_synthetic.py::test_fail"]["message"]
    assert records["test_synthetic.py::test_skipped"]["message"] == "needs a bucket outside cn-north-1"
    assert records["test_synthetic.py::test_teardown_fails"]["message"].startswith("teardown:")
    assert records["test_synthetic.py::test_pass"]["message"] == ""
    assert result.ret == 3  # an INFRA_ERROR outranks the conformance failures


def test_harness_terminal_shows_own_statuses(synthetic):
    result = synthetic.runpytest("-v", "--jss-results", "out.json", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        [
            "*test_non_strict NON_STRICT*",
            "*test_not_implemented NOT_IMPLEMENTED*",
            "*test_infra INFRA_ERROR*",
            "*NON_STRICT test_synthetic.py::test_non_strict*: REDUCED_REDUNDANCY*",
        ]
    )
    counts = result.parseoutcomes()
    # Neither a plain pass nor a plain failure: they are counted under their own names.
    assert counts["NON_STRICT"] == 1 and counts["NOT_IMPLEMENTED"] == 1 and counts["INFRA_ERROR"] == 1
    assert counts["passed"] == 2  # test_pass, and the call phase of test_teardown_fails
    assert counts["failed"] == 2 and counts["skipped"] == 1 and counts["errors"] == 1
    quiet = synthetic.runpytest("-q", "-p", "no:cacheprovider")
    quiet.stdout.fnmatch_lines(["*.FFNIs!.E*"])


@pytest.mark.parametrize(
    "selection,strict,status",
    [
        ("test_pass or test_non_strict or test_not_implemented or test_skipped", False, 0),
        ("test_pass or test_non_strict", True, 1),
        ("test_pass or test_fail", False, 1),
        ("test_pass or test_infra", False, 3),
    ],
    ids=["non-strict-passes", "strict-fails-on-non-strict", "failure-is-1", "infra-is-3"],
)
def test_harness_exit_status_mapping(synthetic, selection, strict, status):
    args = ["-q", "-k", selection, "-p", "no:cacheprovider"] + (["--jss-strict"] if strict else [])
    assert synthetic.runpytest(*args).ret == status


def test_harness_xdist_gives_same_outcomes(synthetic):
    synthetic.runpytest_subprocess("-n", "2", "--jss-results", "out.json", "-p", "no:cacheprovider")
    document = _results(synthetic)
    assert {case["id"]: case["outcome"] for case in document["cases"]} == EXPECTED


def test_harness_not_a_conformance_run_writes_nothing(pytester):
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == 0
    assert not (pytester.path / "reports").exists()
    assert " jss-conformance =" not in result.stdout.str()  # no section of ours
    assert "run prefix" not in result.stdout.str()  # no target, no endpoint started


def test_harness_run_stops_after_repeated_infra_errors(pytester):
    pytester.makepyfile(
        test_lost="""
import pytest
from conformance.outcomes import InfraError

@pytest.mark.parametrize("n", range(20))
def test_endpoint_gone(n):
    raise InfraError("connection refused")
"""
    )
    result = pytester.runpytest("-q", "--jss-results", "out.json", "--jss-max-infra-errors", "3")
    assert result.ret == 3
    assert [case["outcome"] for case in _results(pytester)["cases"]] == ["INFRA_ERROR"] * 3
    parallel = pytester.runpytest_subprocess(
        "-q", "-n", "2", "--jss-results", "out.json", "--jss-max-infra-errors", "3"
    )
    assert parallel.ret == 3
    assert 3 <= len(_results(pytester)["cases"]) < 20


def test_harness_collect_only_writes_no_results(synthetic):
    result = synthetic.runpytest("--collect-only", "-q", "--jss-results", "out.json")
    assert result.ret == 0
    assert not (synthetic.path / "out.json").exists()


def test_harness_selection_by_family_clause_and_operation(pytester):
    from conformance.catalogue import load_catalogue

    catalogue = load_catalogue()
    signature = next(c for c in catalogue.values() if c.family == "signature")
    storage = next(c for c in catalogue.values() if c.family == "storage-class")
    pytester.makepyfile(
        test_selection=f"""
import pytest

@pytest.mark.clause("{signature.id}")
def test_signature_case():
    pass

@pytest.mark.clause("{storage.id}")
def test_storage_case():
    pass

def test_without_clause():
    pass
"""
    )

    def selected(*args: str) -> set[str]:
        pytester.runpytest("--jss-results", "sel.json", *args)
        document = json.loads((pytester.path / "sel.json").read_text(encoding="utf-8"))
        return {case["id"].split("::")[1] for case in document["cases"]}

    assert selected("--jss-family", "signature") == {"test_signature_case"}
    assert selected("--jss-family", "signature", "--jss-family", "storage-class") == {
        "test_signature_case",
        "test_storage_case",
    }
    assert selected("--jss-clause", storage.id.split(".")[0]) >= {"test_storage_case"}
    assert selected("--jss-operation", storage.operation) >= {"test_storage_case"}
