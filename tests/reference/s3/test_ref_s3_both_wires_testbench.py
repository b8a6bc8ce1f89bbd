"""The testbench rooms on a dual-wire server (``serve --wire jss,s3 --faults --record FILE``): each request is
recorded and faulted in the wire of the port it came in on: the request id of its wire, the SigV4 verdict for
an S3 request and the JSS one for a JSS request, an injected error rendered as that wire's error body."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from ref_helpers import NORTH, USERS, Api
from s3_signing import path, signed_request

from conformance.reference.launch import start_reference


def test_ref_both_wires_record_and_fault_each_request_in_its_own_wire(tmp_path):
    record = tmp_path / "requests.jsonl"
    extra = ["--wire", "jss,s3", "--faults", "--record", str(record)]
    with start_reference(users=USERS, extra_args=extra) as process:
        jss, s3_url = Api(process), process.wire_endpoints["s3"][NORTH]
        bucket = jss.create_bucket()
        script = {"bucket": bucket, "key_prefix": "faulted/", "instructions": {"put": ["return-503"] * 2}}
        assert jss.admin("POST", payload=script).status_code == 201
        s3_answer = signed_request(s3_url, "PUT", path(bucket, "faulted/s3"), body=b"x")
        jss_answer = jss.call("PUT", bucket, "faulted/jss", data=b"x")
    lines = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    puts = {line["key"]: line for line in lines if line["operation"] == "put"}

    assert s3_answer.status_code == 503
    assert ET.fromstring(s3_answer.content).findtext("Code") == "SlowDown"
    assert puts["faulted/s3"]["request_id"] == s3_answer.headers["x-amz-request-id"]
    assert [v["clause"] for v in puts["faulted/s3"]["verdicts"]] == ["signature.s3.accepted"]
    assert jss_answer.status_code == 503 and jss_answer.json()["code"]
    assert puts["faulted/jss"]["request_id"] == jss_answer.headers["x-jss-request-id"]
    assert "signature.s3.accepted" not in [v["clause"] for v in puts["faulted/jss"]["verdicts"]]
