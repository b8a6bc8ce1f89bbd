"""Fault scripts on the S3 wire belong to the bucket's owner (issue 21 item 2): an unsigned request and
another account's get 403 as the Error XML; the owner's SigV4 request arms, its payload hash checked as for
any S3 request."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import boto3
import requests
from ref_helpers import ALICE, BOB, NORTH, USERS
from s3_signing import signed_request

from conformance.reference.launch import start_reference

ADMIN = "/_testbench/faults"


def test_s3_wire_fault_scripts_need_the_owners_signature():
    with start_reference(users=USERS, extra_args=["--wire", "s3", "--faults"]) as process:
        endpoint = process.endpoints[NORTH]
        client = boto3.client("s3", endpoint_url=endpoint, region_name=NORTH,
                              aws_access_key_id=ALICE.access_key, aws_secret_access_key=ALICE.secret_key)
        client.create_bucket(Bucket="owned", CreateBucketConfiguration={"LocationConstraint": NORTH})
        script = {"bucket": "owned", "key_prefix": "k", "instructions": {"put": ["return-503"]}}
        body = json.dumps(script).encode()
        for answer in (requests.post(endpoint + ADMIN, data=body, timeout=10),
                       signed_request(endpoint, "POST", ADMIN, body=body, user=BOB),
                       signed_request(endpoint, "GET", ADMIN)):
            if answer.request.method == "GET":
                assert answer.status_code == 200 and answer.json()["scripts"] == []  # nothing was armed
                continue
            assert answer.status_code == 403
            assert ET.fromstring(answer.content).findtext("Code") == "AccessDenied"
        tampered = signed_request(endpoint, "POST", ADMIN, body=body, payload_hash="0" * 64)
        assert tampered.status_code == 400 and ET.fromstring(tampered.content).findtext("Code")
        owner = signed_request(endpoint, "POST", ADMIN, body=body)
        assert owner.status_code == 201, owner.text
        assert signed_request(endpoint, "PUT", "/owned/k1", body=b"x").status_code == 503
