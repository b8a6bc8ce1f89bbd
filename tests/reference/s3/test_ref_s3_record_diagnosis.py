"""``serve --wire s3 --record FILE``: the recorder's verdicts on a SigV4 request are the SigV4 diagnosis
(conformance.diagnosis dispatches on the Authorization scheme): boto3's requests pass, a request signed with
a known client mistake is recorded with that mistake."""

from __future__ import annotations

import json
import time

import boto3
import requests
from ref_helpers import ALICE, NORTH, USERS

from conformance import sigv4
from conformance.reference.launch import start_reference

NAMES = ["host", "x-amz-content-sha256", "x-amz-date"]


def wrongly_signed_get(endpoint: str, path_signed: str, path_sent: str, region: str) -> int:
    """GET `path_sent`, signed over `path_signed` with a key for `region` (the Credential names it too)."""
    amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    headers = [("Host", endpoint.split("://")[1]), ("X-Amz-Date", amz_date),
               ("X-Amz-Content-Sha256", sigv4.EMPTY_SHA256)]
    canonical = sigv4.canonical_request("GET", path_signed, "", headers, NAMES, sigv4.EMPTY_SHA256)
    scope = sigv4.credential_scope(amz_date, region, "s3")
    key = sigv4.signing_key(ALICE.secret_key, amz_date, region, "s3")
    signature = sigv4.signature(key, sigv4.string_to_sign(amz_date, scope, canonical))
    sent = dict(headers[1:])
    sent["Authorization"] = sigv4.authorization_header(ALICE.access_key, scope, NAMES, signature)
    return requests.get(endpoint + path_sent, headers=sent, timeout=10).status_code


def test_recorded_sigv4_verdicts_name_the_client_mistake(tmp_path):
    record = tmp_path / "requests.jsonl"
    with start_reference(users=USERS, extra_args=["--wire", "s3", "--record", str(record)]) as process:
        endpoint = process.endpoints[NORTH]
        client = boto3.client("s3", endpoint_url=endpoint, region_name=NORTH,
                              aws_access_key_id=ALICE.access_key, aws_secret_access_key=ALICE.secret_key)
        client.create_bucket(Bucket="diagnosed")
        client.put_object(Bucket="diagnosed", Key="a b.txt", Body=b"x")
        twice = wrongly_signed_get(endpoint, "/diagnosed/a%2520b.txt", "/diagnosed/a%20b.txt", NORTH)
        region = wrongly_signed_get(endpoint, "/diagnosed/a%20b.txt", "/diagnosed/a%20b.txt", "us-east-1")
    lines = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]

    assert (twice, region) == (403, 400)
    assert [line["operation"] for line in lines] == ["put-bucket", "put", "get", "get"]
    signatures = [line["verdicts"][0] for line in lines]
    assert [(v["clause"], v["verdict"]) for v in signatures[:2]] == [("signature.s3.accepted", "PASS")] * 2
    assert [v.get("mistakes") for v in signatures[2:]] == [["path-encoded-twice"], ["scope-region-wrong"]]
    assert all(len(line["verdicts"]) == 1 for line in lines)  # no JSS content checks on the S3 wire
