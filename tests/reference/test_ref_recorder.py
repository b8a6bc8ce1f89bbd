"""The request recorder (``serve --record FILE``): one JSON line per JSS request, with the operation, the
status, the faults that fired and the diagnosis of what the client sent."""

from __future__ import annotations

import json

import requests
from ref_helpers import ALICE, USERS, Api

from conformance import signing
from conformance.reference.launch import start_reference


def records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_recorder_lines_name_operation_faults_and_mistake(tmp_path):
    record = tmp_path / "requests.jsonl"
    with start_reference(users=USERS, extra_args=["--faults", "--record", str(record)]) as process:
        api = Api(process)
        bucket = api.create_bucket()
        script = {"bucket": bucket, "key_prefix": "k", "instructions": {"put": ["return-503"]}}
        assert api.admin("POST", payload=script).status_code == 201
        api.call("PUT", bucket, "k1", data=b"abc")
        headers = {"Date": signing.http_date()}
        wrong = signing.sign_request("POST", f"/{bucket}/k2", headers, ALICE.access_key, ALICE.secret_key)
        headers["Authorization"] = wrong.authorization
        requests.post(f"{api.url()}/{bucket}/k2?uploads", headers=headers, timeout=10)
    lines = records(record)
    seen = [(r["operation"], r["status"]) for r in lines]
    assert seen == [("put-bucket", 201), ("put", 503), ("initiate", 403)]
    assert lines[1]["faults"] == ["return-503"] and lines[1]["key"] == "k1"
    verdict = lines[2]["verdicts"][0]
    assert (verdict["verdict"], verdict["mistakes"]) == ("FAIL", ["uploads-omitted"])
    assert verdict["clause"] == "initiate.signature.uploads-subresource"


def test_recorder_complete_body_and_part_size(tmp_path):
    record = tmp_path / "requests.jsonl"
    with start_reference(users=USERS, extra_args=["--record", str(record)]) as process:
        api = Api(process)
        bucket = api.create_bucket()
        upload_id = api.initiate(bucket, "big")
        etag = api.upload_part(bucket, "big", upload_id, 1, b"x" * 1000)
        api.complete(bucket, "big", upload_id, [(1, etag), (1, etag)])
    part, done = records(record)[2:4]
    assert (part["operation"], part["part_number"], part["body_bytes"]) == ("upload-part", "1", 1000)
    order = next(v for v in done["verdicts"] if v["clause"] == "complete.part-order")
    assert order["verdict"] == "FAIL"


def test_recorder_names_padded_value_and_judges_storage_class_by_value(tmp_path):
    record = tmp_path / "requests.jsonl"
    with start_reference(users=USERS, extra_args=["--record", str(record)]) as process:
        api = Api(process)
        bucket = api.create_bucket()
        padded = api.call("PUT", bucket, "p", data=b"x", headers={"x-jss-meta-a": "a  b  "},
                          signed_headers="x-jss-meta-a:  a  b  \n")
        assert padded.status_code == 403
        api.initiate(bucket, "rr", headers={"x-jss-storage-class": "REDUCED_REDUNDANCY"})
        signed = f"/{bucket}?prefix=r&uploads"
        listed = api.call("GET", bucket, None, "uploads&prefix=r", signed_resource=signed)
        assert listed.status_code == 403
    put, initiate, listing = records(record)[1:4]
    assert put["verdicts"][0]["mistakes"] == ["header-value-untrimmed"]
    assert put["verdicts"][0]["clause"] == "signature.canonical-headers.trimmed"
    judged = {v["clause"]: v["verdict"] for v in initiate["verdicts"]}
    assert judged["initiate.region-limit.rr-north-china"] == "PASS"
    assert "initiate.storage-class.standard" not in judged
    assert listing["verdicts"][0]["mistakes"] == ["unsigned-query-signed"]
    assert listing["verdicts"][0]["clause"] == "signature.canonical-resource.documented-subresources"
    for line in (put, initiate, listing):
        clauses = [v["clause"] for v in line["verdicts"]]
        assert len(clauses) == len(set(clauses))
