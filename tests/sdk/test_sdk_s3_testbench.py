"""The testbench rooms on the S3 wire, without an SDK: a fault script's error is the Error XML the S3 wire
answers (503 SlowDown), and the recorder judges an S3 request's signature with SigV4 (a request signed with a
wrong secret is a FAIL of signature.s3.accepted naming the 403 SignatureDoesNotMatch it got, a good one a
PASS)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from conformance import operations as ops
from conformance.client import Credentials
from conformance.client_s3 import S3Client
from conformance.reference.launch import start_reference
from conformance.sdk import bench

USER = ("alice", "AKB1TESTBENCH", "b1-testbench-secret-key-0123456789")
BUCKET = "b1-bench"


@pytest.fixture(scope="module")
def s3_bench(tmp_path_factory):
    record = tmp_path_factory.mktemp("record") / "requests.jsonl"
    options = ["--wire", "s3", "--faults", "--record", str(record)]
    with start_reference(users=[USER], extra_args=options) as ref:
        endpoint = ref.endpoints["cn-north-1"]
        client = S3Client(endpoint, Credentials(USER[1], USER[2]), region="cn-north-1")
        ops.put_bucket(client, BUCKET)
        yield endpoint, client, record


def _records(record, key: str) -> list[dict]:
    count = bench.settled_line_count(record)
    return [line for line in bench.records_for(record, BUCKET, key, 0, count) if line["key"] == key]


def test_sdk_s3_fault_answers_the_s3_error_xml(s3_bench):
    endpoint, client, record = s3_bench
    script = bench.arm(client, BUCKET, "faulted", {"put": ["return-503"]})
    response = client.request("PUT", BUCKET, "faulted", body=b"data")
    assert response.status_code == 503
    assert response.headers.get("x-amz-request-id") and "xml" in response.headers.get("content-type", "")
    assert ET.fromstring(response.content).findtext("Code") == "SlowDown"
    assert len(bench.read_back(client, script)["fired"]) == 1
    bench.disarm(client, script)
    (line,) = _records(record, "faulted")
    assert (line["operation"], line["status"], line["faults"]) == ("put", 503, ["return-503"])
    assert line["request_id"] == response.headers["x-amz-request-id"]


def test_sdk_s3_recorder_judges_sigv4(s3_bench):
    endpoint, client, record = s3_bench
    ops.put_object(client, BUCKET, "signed-right", b"data")
    wrong = S3Client(endpoint, Credentials(USER[1], "not-the-secret"), region="cn-north-1")
    response = wrong.request("PUT", BUCKET, "signed-wrong", body=b"data")
    assert response.status_code == 403
    (good,) = _records(record, "signed-right")
    (bad,) = _records(record, "signed-wrong")
    assert [(v["clause"], v["verdict"], v["scheme"]) for v in good["verdicts"]] == [
        ("signature.s3.accepted", "PASS", "sigv4")]
    assert [(v["clause"], v["verdict"]) for v in bad["verdicts"]] == [("signature.s3.accepted", "FAIL")]
    assert bad["verdicts"][0]["detail"] == "refused 403 SignatureDoesNotMatch"
    assert USER[2] not in json.dumps([good, bad])
