"""The signature diagnosis: each known client mistake, made on purpose, is named exactly (and a correct
signature passes, an unexplained one gives the expected StringToSign); `sign --explain` prints it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conformance import signing
from conformance.diagnosis import SentRequest, diagnose, diagnose_signature

AK, SK = "AKDIAG", "diag-secret"
DATE = "Thu, 13 Jul 2017 02:37:31 GMT"


def sign_as(method, resource, headers_text, md5="", ctype="", date=DATE) -> str:
    sts = signing.string_to_sign(method, md5, ctype, date, headers_text, resource)
    return f"jingdong {AK}:{signing.signature(SK, sts)}"


def secret_for(access_key):
    return SK if access_key == AK else None


UPLOAD = "partNumber=2&uploadId=U1"


def complete_body(*numbers: int) -> bytes:
    parts = [{"PartNumber": n, "ETag": f"{n:032x}"} for n in numbers]
    return json.dumps({"Part": parts}).encode()

#: (expected mistake, method, target as sent, headers sent, host bucket, what the client signed:
#:  resource, canonical headers, content-md5, content-type)
CASES = [
    ("uploads-omitted", "POST", "/b/k?uploads", [], None, "/b/k", "", "", ""),
    ("subresources-unsorted", "PUT", "/b/k?uploadId=U1&partNumber=2", [], None,
     "/b/k?uploadId=U1&partNumber=2", "", "", ""),
    ("subresources-doc-order", "PUT", f"/b/k?{UPLOAD}", [], None,
     "/b/k?uploadId=U1&partNumber=2", "", "", ""),
    ("subresource-omitted:partNumber", "PUT", f"/b/k?{UPLOAD}", [], None, "/b/k?uploadId=U1", "", "", ""),
    ("unsigned-query-signed", "GET", "/b/k?uploadId=U1&max-parts=5", [], None,
     "/b/k?uploadId=U1&max-parts=5", "", "", ""),
    ("headers-unsorted", "PUT", "/b/k", [("x-jss-b", "1"), ("x-jss-a", "2")], None, "/b/k",
     "x-jss-b:1\nx-jss-a:2\n", "", ""),
    ("headers-not-signed", "POST", "/b/k?uploads", [("x-jss-storage-class", "STANDARD")], None,
     "/b/k?uploads", "", "", ""),
    ("headers-untrimmed", "PUT", "/b/k", [("x-jss-a", "2")], None, "/b/k", "x-jss-a: 2\n", "", ""),
    ("headers-not-lowercased", "PUT", "/b/k", [("X-Jss-Storage-Class", "STANDARD")], None, "/b/k",
     "X-Jss-Storage-Class:STANDARD\n", "", ""),
    ("duplicates-not-joined", "PUT", "/b/k", [("x-jss-m", "1"), ("x-jss-m", "2")], None, "/b/k",
     "x-jss-m:1\nx-jss-m:2\n", "", ""),
    ("key-percent-encoded", "PUT", "/b/a%20b", [], None, "/b/a%20b", "", "", ""),
    ("virtual-host-bucket-missing", "PUT", "/k", [], "b", "/k", "", "", ""),
    ("content-md5-not-signed", "PUT", "/b/k", [("Content-MD5", "0c791a8c18017c7ad1675936d12bae5d")], None,
     "/b/k", "", "", ""),
    ("content-md5-signed-base64", "PUT", "/b/k", [("Content-MD5", "0c791a8c18017c7ad1675936d12bae5d")], None,
     "/b/k", "", "DHkajBgBfHrRZ1k20SuuXQ==", ""),
    ("content-type-not-signed", "PUT", "/b/k", [("Content-Type", "text/plain")], None, "/b/k", "", "", ""),
    ("content-type-signed-as:application/octet-stream", "PUT", "/b/k", [], None, "/b/k", "", "",
     "application/octet-stream"),
]


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_diagnosis_names_the_mistake(case):
    mistake, method, target, headers, host_bucket, resource, canon, md5, ctype = case
    sent_headers = [*headers, ("Date", DATE), ("Authorization", sign_as(method, resource, canon, md5, ctype))]
    result = diagnose_signature(SentRequest(method, target, sent_headers, host_bucket), secret_for)
    assert result.verdict == "FAIL"
    assert [m.name for m in result.mistakes] == [mistake]


def test_diagnosis_names_a_pair_of_mistakes():
    headers = [("x-jss-b", "1"), ("x-jss-a", "2"), ("Date", DATE)]
    authorization = sign_as("POST", "/b/k", "x-jss-b:1\nx-jss-a:2\n")
    request = SentRequest("POST", "/b/k?uploads", [*headers, ("Authorization", authorization)])
    names = {m.name for m in diagnose_signature(request, secret_for).mistakes}
    assert names == {"uploads-omitted", "headers-unsorted"}


def test_diagnosis_presigned_signed_with_date():
    target = "/b/k?Expires=1500000000&AccessKey=AKDIAG&Signature="
    sts = signing.string_to_sign("GET", "", "", DATE, "", "/b/k")
    request = SentRequest("GET", target + signing.signature(SK, sts), [("Date", DATE)])
    assert [m.name for m in diagnose_signature(request, secret_for).mistakes] == ["presigned-signed-date"]


def test_diagnosis_correct_signature_passes():
    authorization = sign_as("POST", "/b/k?uploads", "x-jss-a:2\n")
    headers = [("x-jss-a", "2"), ("Date", DATE), ("Authorization", authorization)]
    request = SentRequest("POST", "/b/k?uploads", headers)
    assert diagnose_signature(request, secret_for).verdict == "PASS"


def test_diagnosis_unexplained_gives_expected_string_to_sign():
    request = SentRequest("POST", "/b/k?uploads", [("Date", DATE), ("Authorization", f"jingdong {AK}:AAAA")])
    result = diagnose_signature(request, secret_for)
    assert result.mistakes == [] and result.expected_string_to_sign.endswith("/b/k?uploads")


def test_diagnosis_unknown_access_key():
    request = SentRequest("PUT", "/b/k", [("Date", DATE), ("Authorization", "jingdong NOBODY:AAAA")])
    assert diagnose_signature(request, secret_for).clause == "signature.unknown-access-key"


@pytest.mark.parametrize(
    "body,clause,verdict",
    [
        (complete_body(1, 2), "complete.part-order", "PASS"),
        (complete_body(2, 1), "complete.part-order", "FAIL"),
        (b'{"Parts":[]}', "complete.malformed-body", "FAIL"),
        (b"<xml/>", "complete.malformed-body", "FAIL"),
    ],
    ids=["ascending", "out-of-order", "wrong-shape", "not-json"],
)
def test_diagnosis_complete_body(body, clause, verdict):
    request = SentRequest("POST", "/b/k?uploadId=U", [], body=body)
    verdicts = {v["clause"]: v["verdict"] for v in diagnose(request, "complete", secret_for)}
    assert verdicts[clause] == verdict


@pytest.mark.parametrize(
    "header,value,clause,verdict",
    [
        ("x-jss-storage-class", "REDUCED_REDUNDANCY", "initiate.region-limit.rr-north-china", "PASS"),
        ("x-jss-storage-class", "GLACIER", "initiate.storage-class.unknown", "FAIL"),
        ("x-jss-server-side-encryption", "AES256", "initiate.encryption.reported", "FAIL"),
        ("Content-MD5", "DHkajBgBfHrRZ1k20SuuXQ==", "signature.content-md5.hex", "FAIL"),
        ("Content-MD5", "0c791a8c18017c7ad1675936d12bae5d", "signature.content-md5.hex", "PASS"),
    ],
)
def test_diagnosis_header_values(header, value, clause, verdict):
    request = SentRequest("PUT", "/b/k", [(header, value)])
    verdicts = {v["clause"]: v["verdict"] for v in diagnose(request, "put", secret_for)}
    assert verdicts[clause] == verdict


def run_explain(*extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "conformance.cli", "sign", "--explain", "--method", "POST",
               "--date", DATE, "--access-key", AK, "--secret-key-env", "DIAG_SK", *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=60,
                          env={**__import__("os").environ, "DIAG_SK": SK})


def test_sign_explain_names_the_mistake_and_exits_1():
    result = run_explain("--resource", "/b/k?uploads", "--authorization", sign_as("POST", "/b/k", ""))
    assert result.returncode == 1
    assert "uploads-omitted" in result.stdout and "initiate.signature.uploads-subresource" in result.stdout


def test_sign_explain_matching_exits_0():
    result = run_explain("--resource", "/b/k?uploads", "--authorization", sign_as("POST", "/b/k?uploads", ""))
    assert result.returncode == 0 and "PASS" in result.stdout


def test_sign_explain_without_authorization_is_a_usage_error():
    result = run_explain("--resource", "/b/k?uploads")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("expires", ["%C2%B2", "9" * 4301, "%D9%A3"])
def test_diagnosis_of_a_presigned_url_with_an_odd_expires_does_not_raise(expires):
    request = SentRequest("GET", f"/b/k?Expires={expires}&AccessKey=AKDIAG&Signature=x", [])
    assert diagnose_signature(request, secret_for).mistakes == []


@pytest.mark.parametrize("body", [b"[" * 100000, b'{"Part": [{"PartNumber": ' + b"9" * 4301 + b"}]}"])
def test_diagnosis_of_a_hostile_complete_body_is_a_malformed_body_verdict(body):
    from conformance.diagnosis.content_checks import complete_body as check_complete_body

    request = SentRequest("POST", "/b/k?uploadId=U1", [], body=body)
    assert [(v["clause"], v["verdict"]) for v in check_complete_body(request)] == [
        ("complete.malformed-body", "FAIL")
    ]
