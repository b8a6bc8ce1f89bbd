"""Fault scripts on the S3 front (``serve --wire s3 --faults``): the same layer, so ``pass`` and the
most-specific-first order hold for S3 requests too (boto3 with retries off, so each status is seen)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from ref_helpers import ALICE, NORTH, USERS
from s3_signing import signed_request

from conformance.reference.launch import start_reference

ADMIN = "/_testbench/faults"


@pytest.fixture(scope="module")
def s3_bench(request):
    """An S3-wire endpoint with --faults, a bucket, `obj/data`, a boto3 client without retries."""
    process = start_reference(users=USERS, extra_args=["--wire", "s3", "--faults"])
    request.addfinalizer(process.stop)
    endpoint = process.endpoints[NORTH]
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name=NORTH, aws_access_key_id=ALICE.access_key,
        aws_secret_access_key=ALICE.secret_key, config=Config(retries={"total_max_attempts": 1}),
    )
    client.create_bucket(Bucket="faults", CreateBucketConfiguration={"LocationConstraint": NORTH})
    client.put_object(Bucket="faults", Key="obj/data", Body=b"abc")
    return endpoint, client


def _head_status(client) -> int:
    try:
        return client.head_object(Bucket="faults", Key="obj/data")["ResponseMetadata"]["HTTPStatusCode"]
    except ClientError as error:
        return error.response["ResponseMetadata"]["HTTPStatusCode"]


def _arm(endpoint: str, instructions: dict, key_prefix: str) -> None:
    script = {"bucket": "faults", "key_prefix": key_prefix, "instructions": instructions}
    answer = signed_request(endpoint, "POST", ADMIN, body=json.dumps(script).encode())  # signed by the owner
    assert answer.status_code == 201, answer.text


def test_s3_pass_then_most_specific_first(s3_bench):
    endpoint, client = s3_bench
    _arm(endpoint, {"head": ["return-500"]}, key_prefix="obj/")
    _arm(endpoint, {"head": ["pass", "return-503"]}, key_prefix="obj/data")
    assert [_head_status(client) for _ in range(4)] == [200, 503, 500, 200]

