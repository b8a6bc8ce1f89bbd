"""Self-explaining failures in the terminal: for each failing case, the clause ids of its parameter row and
their sentences, what was expected and what was observed in words, the exchange that decided the verdict and
all the case's exchanges, one line each; the secret never. One run of the signature and storage-class cases
against a reference endpoint with two deviations (canonical-headers-unsorted, default-storage-class-rr)."""

from __future__ import annotations

import re

import pytest
from harness_helpers import ACCESS_KEY, SECRET_KEY, clean_env, reference_endpoint, run_cli

from conformance.catalogue import load_catalogue

DEVIATIONS = ("canonical-headers-unsorted", "default-storage-class-rr")
UNSORTED = "test_signature.py::test_initiate_signed_with_wrong_canonical_headers_rejected[unsorted]"
DEFAULT_CLASS = "test_storage_class.py::test_initiate_without_storage_class_is_standard"
ROW_CLAUSE = "signature.canonical-headers.sorted"  # fixtures/cases/signature.toml, row "unsorted"
CASE_CLAUSE = "signature.wrong-signature"  # the case's decorator


@pytest.fixture(scope="module")
def deviated_run(tmp_path_factory):
    """`jss-conformance run` of the signature and storage-class families against the deviated endpoint."""
    directory = tmp_path_factory.mktemp("explain-run")
    with reference_endpoint(deviations=DEVIATIONS) as endpoint:
        profile = endpoint.profile(directory)
        run = run_cli(
            ["run", "--target", str(profile), "--jss-family", "signature", "--jss-family", "storage-class"],
            directory,
            clean_env(),
        )
    assert run.status == 1, run.stdout[-3000:] + run.stderr[-2000:]
    return run


def _summary_block(stdout: str, case: str) -> list[str]:
    """The lines of `case` in the jss-conformance summary section: its FAIL line and the indented ones."""
    section = stdout.split(" jss-conformance ", 1)[1]
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith((f"FAIL {case}:", f"FAIL {case} [")))
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("    "):
            break
        block.append(line.strip())
    return block


def test_harness_summary_names_the_row_clause_first_with_its_sentence(deviated_run):
    block = _summary_block(deviated_run.stdout, UNSORTED)
    catalogue = load_catalogue()
    clause_lines = [line for line in block if line.startswith("clause ")]

    assert clause_lines == [
        f"clause {ROW_CLAUSE} (MUST, InitiateMultipartUpload): {catalogue[ROW_CLAUSE].sentence}",
        f"clause {CASE_CLAUSE} (MUST, InitiateMultipartUpload): {catalogue[CASE_CLAUSE].sentence}",
    ]


def test_harness_results_and_allure_report_the_row_clause_first(deviated_run):
    case = next(case for case in deviated_run.results["cases"] if case["id"] == UNSORTED)

    assert (case["outcome"], case["clauses"]) == ("FAIL", [ROW_CLAUSE, CASE_CLAUSE])


def test_harness_failure_says_expected_and_observed_in_words(deviated_run):
    block = _summary_block(deviated_run.stdout, UNSORTED)

    assert block[0].endswith(
        "expected a 403 SignatureDoesNotMatch error; observed the server answered 200 OK with an UploadId"
    )
    assert "expected: a 403 SignatureDoesNotMatch error" in block
    assert "observed: the server answered 200 OK with an UploadId" in block


def test_harness_output_never_says_did_not_raise(deviated_run):
    assert "DID NOT RAISE" not in deviated_run.stdout + deviated_run.stderr
    assert "DID NOT RAISE" not in str(deviated_run.results)


def test_harness_deciding_exchange_of_a_storage_class_failure_is_the_head(deviated_run):
    block = _summary_block(deviated_run.stdout, DEFAULT_CLASS)
    deciding = next(line for line in block if line.startswith("deciding exchange"))
    listed = [line for line in block if line.startswith("#")]

    # the class clause is judged by the completed object's HEAD (conformance.cases.storage_observation)
    assert re.fullmatch(r"deciding exchange: #6 HEAD /harness-north/\S+ -> 200 OK", deciding)
    # initiate, ListParts, ListMultipartUploads, UploadPart, Complete, HEAD
    assert [line.split()[1] for line in listed] == ["POST", "GET", "GET", "PUT", "POST", "HEAD"]
    assert listed[-1].endswith("<- deciding") and "?uploadId=" in listed[1]
    assert "initiate.storage-class.default: observed: ListParts said 'REDUCED_REDUNDANCY', " \
        "ListMultipartUploads said 'REDUCED_REDUNDANCY', HEAD said 'REDUCED_REDUNDANCY'" in block


def test_harness_failure_report_shows_the_deciding_exchange_in_full(deviated_run):
    parts = deviated_run.stdout.split(" jss: why it failed ")
    sections = [part.split("--- the deciding exchange ---", 1) for part in parts]
    explanation, full = next(s for s in sections if len(s) == 2 and "without_storage_class" in s[0])

    assert "exchanges of the case (6):" in explanation
    assert full.lstrip().startswith("HEAD http")
    assert f"Authorization: jingdong {ACCESS_KEY}:****" in full


def test_harness_explanations_never_show_the_secret(deviated_run):
    output = deviated_run.stdout + deviated_run.stderr

    assert "why it failed" in output
    assert not any(fragment in output for fragment in (SECRET_KEY, SECRET_KEY[:8], SECRET_KEY[-8:]))
    assert not re.search(rf"jingdong {ACCESS_KEY}:(?!\*\*\*\*)", output)


def test_harness_clause_missing_from_the_catalogue_names_the_catalogue_read():
    from conformance.catalogue import catalogue_path
    from conformance.harness.explain import clause_lines

    (line,) = clause_lines(["sdk.no-such-clause"])

    assert line == f"clause sdk.no-such-clause: (not in the clause catalogue {catalogue_path()})"


def test_harness_unanswered_exchange_attachment_names_why(monkeypatch):
    import allure

    from conformance.exchange import Exchange
    from conformance.harness.allure_support import attach_exchanges

    names = []
    monkeypatch.setattr(allure, "attach", lambda body, name, attachment_type: names.append(name))
    exchange = Exchange("PUT", "http://127.0.0.1:9/b/k", [], 0, None, error="ConnectionResetError")

    attach_exchanges([exchange], 1, [])

    assert names == ["exchange 01: PUT /b/k -> no response: ConnectionResetError"]
