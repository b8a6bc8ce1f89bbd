"""``jss-conformance sign --explain`` on S3 (SigV4) requests, run as a user runs it: the stages, the
diagnosis, exit status 0 (matches) / 1 (does not) / 2 (bad input: one line, no traceback); never the
secret."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sigv4_requests import AK, AMZ_DATE, REGION, SIGNED_AT, SK, Spec, presigned, sent

from conformance import sigv4
from conformance.diagnosis import SentRequest, diagnose_signature


def run_sign(*arguments: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "conformance.cli", "sign", "--access-key", AK, "--secret-key", SK,
               *arguments]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert SK not in result.stdout + result.stderr
    return result


def explain_arguments(request: SentRequest) -> list[str]:
    """The --explain command line of a request as sent (its Authorization as --authorization)."""
    arguments = ["--explain", "--method", request.method, "--resource", request.target,
                 "--received-at", AMZ_DATE, "--region", REGION]
    for name, value in request.headers:
        option = ["--authorization", value] if name == "Authorization" else ["--header", f"{name}: {value}"]
        arguments += option
    return arguments


def test_a_mistake_is_named_with_every_stage_and_exit_status_1():
    result = run_sign(*explain_arguments(sent(Spec(signed_path="/dir/a b+c.txt"))))

    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("wire:") and "s3" in lines[0]
    assert lines[1:4] == ["canonical request (between the ----- lines):", "-----", "PUT"]
    assert "signing key scope:  20261207/cn-north-1/s3/aws4_request" in lines
    assert lines[-2] == "signature (header): FAIL [signature.s3.accepted]"
    assert lines[-1].startswith("  mistake path-not-encoded: the client signed the path")


def test_a_matching_signature_exits_0():
    result = run_sign(*explain_arguments(sent(Spec())))

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "signature (header): PASS [signature.s3.accepted] matches"


def test_a_presigned_url_is_read_as_s3_without_being_told():
    request = presigned()
    arguments = explain_arguments(request)
    arguments.remove("--region")
    arguments.remove(REGION)

    result = run_sign(*arguments)

    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.splitlines()[-1]
    assert last == "signature (presigned): PASS [signature.presigned.accepted] matches"


def test_json_gives_the_stages_and_the_mistakes():
    result = run_sign(*explain_arguments(sent(Spec(key_scope=("20261207", "us-east-1", "s3")))), "--json")

    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["wire"] == "s3"
    assert report["signature"]["mistakes"] == ["scope-region-wrong"]
    assert report["stages"]["scope"] == f"20261207/{REGION}/s3/aws4_request"
    assert report["stages"]["client_signature"] != report["stages"]["signature"]


def test_without_a_client_signature_it_signs_afresh_and_the_signature_verifies():
    headers = [("Host", "b.example.test"), ("X-Amz-Date", AMZ_DATE),
               ("X-Amz-Content-Sha256", sigv4.EMPTY_SHA256)]
    options = [part for name, value in headers for part in ("--header", f"{name}: {value}")]

    result = run_sign("--explain", "--wire", "s3", "--method", "GET", "--resource", "/k?list-type=2",
                      "--region", REGION, *options, "--json")

    assert result.returncode == 0, result.stderr
    authorization = json.loads(result.stdout)["stages"]["authorization"]
    request = SentRequest("GET", "/k?list-type=2", [*headers, ("Authorization", authorization)],
                          received_at=SIGNED_AT, endpoint_regions=(REGION,))
    assert diagnose_signature(request, lambda key: SK if key == AK else None).verdict == "PASS"


@pytest.mark.parametrize(
    ("arguments", "word"),
    [
        (["--received-at", "yesterday"], "--received-at"),
        (["--header", "X-Amz-Date: 20261207T080000Z"], "Host"),
        (["--header", "Host: h", "--header", "X-Amz-Date: 20261207T080000Z"], "--region"),
        (["--header", "Host: h", "--region", REGION], "X-Amz-Date"),
        (["--body", "/nonexistent/body.bin"], "--body"),
        (["--expires", "1700000000"], "--expires"),
    ],
    ids=["received-at", "no-host", "no-region", "no-amz-date", "no-body-file", "expires"],
)
def test_bad_input_is_one_line_and_exit_status_2(arguments, word):
    result = run_sign("--explain", "--wire", "s3", "--method", "GET", "--resource", "/k", *arguments)

    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and word in result.stderr
    assert "Traceback" not in result.stderr
