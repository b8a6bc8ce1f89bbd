"""Issue 19 item 5, the diagnosis rules: the padded-value mistakes, one verdict per clause per request, the
clause of "only the documented sub-resources are signed", storage-class verdicts by the value sent. Each rule
is also shown to be needed: with it switched off, the test's expectation no longer holds."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib

import pytest

from conformance import signing
from conformance.diagnosis import SentRequest, diagnose, diagnose_signature, merge
from conformance.diagnosis import signature as jss_signature
from conformance.paths import fixtures_dir

AK, SK = "AKDIAG", "diag-secret"
DATE = "Thu, 13 Jul 2017 02:37:31 GMT"
DOCUMENTED = "signature.canonical-resource.documented-subresources"


def secret_for(access_key):
    return SK if access_key == AK else None


def signed_request(method, target, headers, resource, canonical, md5="") -> SentRequest:
    """`headers` as received, signed over `resource` and `canonical` (what the client computed)."""
    sts = signing.string_to_sign(method, md5, "", DATE, canonical, resource)
    authorization = f"jingdong {AK}:{signing.signature(SK, sts)}"
    return SentRequest(method, target, [*headers, ("Date", DATE), ("Authorization", authorization)])


def mistakes_of(request: SentRequest) -> list[tuple[str, str]]:
    result = diagnose_signature(request, secret_for)
    return [(m.name, m.clause) for m in result.mistakes]


# -- (a) the padded-value mistakes -----------------------------------------------------------------------

TRIMMED = "signature.canonical-headers.trimmed"
PADDED = [
    # (id, headers as received, what the client signed, mistake)
    ("as-given-offline", [("x-jss-meta-a", "  a  b  ")], "x-jss-meta-a:  a  b  \n", "header-value-untrimmed"),
    ("leading-lost-on-the-wire", [("x-jss-meta-a", "a  b  ")], "x-jss-meta-a:  a  b  \n",
     "header-value-untrimmed"),
    ("trailing-only", [("x-jss-meta-a", "a\t")], "x-jss-meta-a:a\t\n", "header-value-untrimmed"),
    ("inner-runs-folded", [("x-jss-meta-a", "a   b"), ("x-jss-meta-b", "c\td")],
     "x-jss-meta-a:a b\nx-jss-meta-b:c d\n", "header-value-folded"),
]


@pytest.mark.parametrize("case", PADDED, ids=[case[0] for case in PADDED])
def test_padded_value_mistake_is_named(case):
    _, headers, signed, mistake = case
    request = signed_request("PUT", "/b/k", headers, "/b/k", signed)
    assert mistakes_of(request) == [(mistake, TRIMMED)]


@pytest.mark.parametrize("case", PADDED, ids=[case[0] for case in PADDED])
def test_padded_value_rule_is_needed(case, monkeypatch):
    monkeypatch.setattr(jss_signature, "padded_value_variants", lambda request, correct: iter(()))
    _, headers, signed, _ = case
    result = diagnose_signature(signed_request("PUT", "/b/k", headers, "/b/k", signed), secret_for)
    assert result.mistakes == [] and result.detail == "no known mistake reproduces the signature"


def test_inner_spaces_kept_and_ends_trimmed_still_passes():
    request = signed_request("PUT", "/b/k", [("x-jss-meta-a", "  a  b  ")], "/b/k", "x-jss-meta-a:a  b\n")
    assert diagnose_signature(request, secret_for).verdict == "PASS"


def test_sign_explain_names_the_padded_value_mistake():
    sts = signing.string_to_sign("PUT", "", "", DATE, "x-jss-meta-a:  a  b  \n", "/b/k")
    command = [
        sys.executable, "-m", "conformance.cli", "sign", "--explain", "--method", "PUT", "--resource", "/b/k",
        "--header", "x-jss-meta-a:  a  b  ", "--date", DATE,
        "--access-key", AK, "--secret-key-env", "DIAG_SK",
        "--authorization", f"jingdong {AK}:{signing.signature(SK, sts)}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "DIAG_SK": SK})
    assert result.returncode == 1, result.stderr
    assert "mistake header-value-untrimmed" in result.stdout and TRIMMED in result.stdout
    assert SK not in result.stdout + result.stderr


# -- (b) one verdict per clause per request --------------------------------------------------------------

MD5_HEX = "0c791a8c18017c7ad1675936d12bae5d"


def _md5_signed_as_base64() -> SentRequest:
    signed_md5 = "DHkajBgBfHrRZ1k20SuuXQ=="  # the base64 form of MD5_HEX
    return signed_request("PUT", "/b/k", [("Content-MD5", MD5_HEX)], "/b/k", "", md5=signed_md5)


def test_one_verdict_per_clause_the_worst_with_every_detail():
    verdicts = diagnose(_md5_signed_as_base64(), "put", secret_for)
    clauses = [v["clause"] for v in verdicts]
    assert len(clauses) == len(set(clauses))
    md5 = next(v for v in verdicts if v["clause"] == "signature.content-md5.hex")
    assert md5["verdict"] == "FAIL" and md5["mistakes"] == ["content-md5-signed-base64"]
    assert md5["mode"] == "header" and "; hex" in md5["detail"]  # the form check's detail is kept


def test_one_verdict_per_clause_is_needed(monkeypatch):
    import conformance.diagnosis as diagnosis

    monkeypatch.setattr(diagnosis, "one_per_clause", lambda verdicts: verdicts)
    verdicts = diagnose(_md5_signed_as_base64(), "put", secret_for)
    outcomes = [v["verdict"] for v in verdicts if v["clause"] == "signature.content-md5.hex"]
    assert sorted(outcomes) == ["FAIL", "PASS"]


def test_merge_keeps_first_position_worst_fields_and_all_mistakes():
    verdicts = [
        {"clause": "x", "verdict": "PASS", "detail": "fine"},
        {"clause": "y", "verdict": "PASS", "detail": "other"},
        {"clause": "x", "verdict": "FAIL", "detail": "bad", "mistakes": ["m1"], "mode": "header"},
        {"clause": "x", "verdict": "FAIL", "detail": "bad", "mistakes": ["m2"]},
    ]
    assert merge.one_per_clause(verdicts) == [
        {"clause": "x", "verdict": "FAIL", "detail": "bad; fine", "mistakes": ["m1", "m2"], "mode": "header"},
        {"clause": "y", "verdict": "PASS", "detail": "other"},
    ]


# -- (c) only the documented sub-resources are signed ----------------------------------------------------

UNSIGNED = [
    ("list-parts-max-parts", "GET", "/b/k?uploadId=U1&max-parts=5", "/b/k?uploadId=U1&max-parts=5"),
    ("list-parts-sorted", "GET", "/b/k?uploadId=U1&part-number-marker=2&max-parts=5",
     "/b/k?max-parts=5&part-number-marker=2&uploadId=U1"),
    ("list-uploads-prefix", "GET", "/b?uploads&prefix=run%2F&max-uploads=10",
     "/b?uploads&prefix=run/&max-uploads=10"),
]


@pytest.mark.parametrize("case", UNSIGNED, ids=[case[0] for case in UNSIGNED])
def test_unsigned_query_signed_is_filed_under_its_own_clause(case):
    _, method, target, resource = case
    request = signed_request(method, target, [], resource, "")
    assert mistakes_of(request) == [("unsigned-query-signed", DOCUMENTED)]
    assert diagnose_signature(request, secret_for).clause == DOCUMENTED


def test_unsigned_query_search_survives_a_repeated_name_without_value():
    request = signed_request("GET", "/b?uploads&prefix&prefix=a", [], "/b?uploads", "x")
    assert diagnose_signature(request, secret_for).verdict == "FAIL"


def test_documented_subresources_clause_is_in_the_catalogue_with_its_source():
    with open(fixtures_dir() / "clauses.toml", "rb") as handle:
        clauses = {c["id"]: c for c in tomllib.load(handle)["clause"]}
    assert clauses[DOCUMENTED]["source"].endswith("Access-Control/Signature-In-Header.md")
    assert DOCUMENTED != "signature.subresource-order"


# -- (d) storage-class verdicts by the value sent --------------------------------------------------------

STORAGE = [
    ("STANDARD", (), "initiate.storage-class.standard", "PASS"),
    ("REDUCED_REDUNDANCY", ("cn-north-1",), "initiate.region-limit.rr-north-china", "PASS"),
    ("REDUCED_REDUNDANCY", ("cn-east-2",), "initiate.region-limit.rr-elsewhere", "PASS"),
    ("REDUCED_REDUNDANCY", (), "initiate.region-limit.rr-north-china", "PASS"),
    ("GLACIER", ("cn-north-1",), "initiate.storage-class.unknown", "FAIL"),
    ("standard", (), "initiate.storage-class.unknown", "FAIL"),
]


@pytest.mark.parametrize("value,regions,clause,verdict", STORAGE)
def test_storage_class_judged_by_the_value_sent(value, regions, clause, verdict):
    request = SentRequest("POST", "/b/k?uploads", [("x-jss-storage-class", value)], endpoint_regions=regions)
    judged = [(v["clause"], v["verdict"]) for v in diagnose(request, "initiate", secret_for)
              if "storage-class" in v["clause"] or "region-limit" in v["clause"]]
    assert judged == [(clause, verdict)]
