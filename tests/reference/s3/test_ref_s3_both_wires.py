"""Both wires over one data dir (``serve --wire jss,s3``): one server, a socket per wire and region, the same
buckets, objects, uploads, ownership and users seen through the JSS API and the S3 API."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from urllib.parse import urlsplit

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from ref_helpers import ALICE, BOB, EAST, NORTH, USERS, Api, RefUser, assert_error, md5_hex
from s3_signing import path, signed_request

from conformance.reference.config import ConfigError, parse_wires
from conformance.reference.launch import ReferenceProcess, start_reference


@pytest.fixture(scope="module")
def both() -> Iterator[ReferenceProcess]:
    """``--wire jss,s3`` on free loopback ports (cn-north-1, cn-east-2), users alice and bob."""
    with start_reference(users=USERS, extra_args=["--wire", "jss,s3"]) as process:
        yield process


@pytest.fixture(scope="module")
def jss(both) -> Api:
    """Signed JSS requests to the dual-wire server (its ``endpoints`` are the JSS wire's, the first given)."""
    return Api(both)


@pytest.fixture(scope="module")
def s3(both):
    """A maker of boto3 clients (default configuration: only endpoint, region and credentials given) for the
    dual-wire server's S3 sockets."""

    def make(region: str = NORTH, user: RefUser = ALICE, secret: str | None = None):
        return boto3.client(
            "s3",
            endpoint_url=both.wire_endpoints["s3"][region],
            region_name=region,
            aws_access_key_id=user.access_key,
            aws_secret_access_key=secret if secret is not None else user.secret_key,
        )

    return make


def test_ref_both_wires_ready_line_names_a_socket_per_wire_and_region(both):
    assert set(both.wire_endpoints) == {"jss", "s3"}
    assert both.endpoints == both.wire_endpoints["jss"]
    ports = [urlsplit(url).port for urls in both.wire_endpoints.values() for url in urls.values()]
    assert list(both.wire_endpoints["s3"]) == list(both.wire_endpoints["jss"]) == [NORTH, EAST]
    assert len(set(ports)) == 4


def test_ref_both_wires_each_socket_answers_its_own_wire(both):
    jss_answer = requests.get(both.wire_endpoints["jss"][NORTH] + "/nosuch-bucket", timeout=10)
    s3_answer = requests.get(both.wire_endpoints["s3"][NORTH] + "/nosuch-bucket", timeout=10)
    assert jss_answer.status_code == s3_answer.status_code == 403  # anonymous, on both
    assert jss_answer.headers["x-jss-request-id"] and "x-amz-request-id" not in jss_answer.headers
    assert jss_answer.json()["code"] == "AccessDenied"
    assert s3_answer.headers["x-amz-request-id"] and "x-jss-request-id" not in s3_answer.headers
    assert ET.fromstring(s3_answer.content).findtext("Code") == "AccessDenied"


def test_ref_both_wires_object_put_on_jss_is_read_on_s3(jss, s3):
    bucket = jss.create_bucket(NORTH)
    data = b"seen through both APIs " * 100
    headers = {"x-jss-storage-class": "REDUCED_REDUNDANCY", "x-jss-server-side-encryption": "true"}
    jss.put(bucket, "dir/object é", data, headers=headers)
    got = s3(NORTH).get_object(Bucket=bucket, Key="dir/object é")
    assert got["Body"].read() == data
    assert got["StorageClass"] == "REDUCED_REDUNDANCY"
    assert got["ServerSideEncryption"] == "AES256"
    assert got["ETag"] == f'"{md5_hex(data)}"'
    ranged = s3(NORTH).get_object(Bucket=bucket, Key="dir/object é", Range="bytes=5-13")
    assert ranged["Body"].read() == data[5:14]
    listed = s3(NORTH).list_objects_v2(Bucket=bucket)
    assert [item["Key"] for item in listed["Contents"]] == ["dir/object é"]


def test_ref_both_wires_object_put_on_s3_is_read_on_jss(jss, s3):
    bucket = jss.create_bucket(NORTH)
    s3(NORTH).put_object(Bucket=bucket, Key="from-s3", Body=b"s3 bytes", ServerSideEncryption="AES256")
    response = jss.call("GET", bucket, "from-s3")
    assert response.status_code == 200 and response.content == b"s3 bytes"
    assert response.headers["x-jss-server-side-encryption"] == "true"


def test_ref_both_wires_bucket_created_on_s3_keeps_its_region_and_owner_on_jss(jss, s3):
    name = "made-on-s3-east"
    s3(EAST).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": EAST})
    listed = jss.call("GET").json()
    assert name in [bucket["Name"] for bucket in listed["Buckets"]]
    assert jss.call("PUT", name, "k", data=b"x", region=EAST).status_code == 200
    assert_error(jss.call("PUT", name, "k", data=b"x", region=EAST, user=BOB), 403, "AccessDenied")
    refused = jss.call(
        "PUT", name, "rr", data=b"x", region=EAST, headers={"x-jss-storage-class": "REDUCED_REDUNDANCY"}
    )
    assert_error(refused, 400, "InvalidStorageClass")


def test_ref_both_wires_multipart_initiated_on_s3_is_listed_and_completed_on_jss(jss, s3):
    bucket = jss.create_bucket(NORTH)
    client = s3(NORTH)
    upload_id = client.create_multipart_upload(
        Bucket=bucket, Key="mp", StorageClass="REDUCED_REDUNDANCY"
    )["UploadId"]
    first, second = b"a" * (5 * 1024 * 1024), b"last part"
    etag1 = client.upload_part(Bucket=bucket, Key="mp", UploadId=upload_id, PartNumber=1, Body=first)["ETag"]
    listed = jss.call("GET", bucket, query="uploads").json()
    assert [(u["Key"], u["UploadId"]) for u in listed["Upload"]] == [("mp", upload_id)]
    etag2 = jss.upload_part(bucket, "mp", upload_id, 2, second)
    parts = jss.call("GET", bucket, "mp", f"uploadId={upload_id}").json()
    assert [part["PartNumber"] for part in parts["Part"]] == [1, 2]
    completed = jss.complete(bucket, "mp", upload_id, [(1, etag1.strip('"')), (2, etag2)])
    assert completed.status_code == 200, completed.text
    head = client.head_object(Bucket=bucket, Key="mp")
    assert head["ContentLength"] == len(first) + len(second)
    assert head["StorageClass"] == "REDUCED_REDUNDANCY"
    assert head["ETag"].strip('"') == completed.json()["ETag"].strip('"')
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_ref_both_wires_a_deletion_through_one_is_seen_through_the_other(jss, s3):
    bucket = jss.create_bucket(NORTH)
    client = s3(NORTH)
    jss.put(bucket, "gone-by-s3", b"1")
    client.delete_object(Bucket=bucket, Key="gone-by-s3")
    assert_error(jss.call("GET", bucket, "gone-by-s3"), 404, "NoSuchKey")
    client.put_object(Bucket=bucket, Key="gone-by-jss", Body=b"2")
    assert jss.call("DELETE", bucket, "gone-by-jss").status_code == 204
    with pytest.raises(ClientError) as refused:
        client.get_object(Bucket=bucket, Key="gone-by-jss")
    assert refused.value.response["Error"]["Code"] == "NoSuchKey"
    upload_id = jss.initiate(bucket, "aborted-on-s3")
    client.abort_multipart_upload(Bucket=bucket, Key="aborted-on-s3", UploadId=upload_id)
    assert_error(jss.call("GET", bucket, "aborted-on-s3", f"uploadId={upload_id}"), 404, "NoSuchUpload")


def test_ref_both_wires_the_same_users_and_ownership_on_both(both, jss, s3):
    bucket = jss.create_bucket(NORTH)
    jss.put(bucket, "alice-only", b"private")
    with pytest.raises(ClientError) as refused:
        s3(NORTH, user=BOB).get_object(Bucket=bucket, Key="alice-only")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError) as wrong:
        s3(NORTH, secret="not-alice-secret").get_object(Bucket=bucket, Key="alice-only")
    assert wrong.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    response = signed_request(both.wire_endpoints["s3"][NORTH], "GET", path(bucket, "alice-only"), user=ALICE)
    assert response.status_code == 200 and response.content == b"private"


@pytest.mark.parametrize(
    ("text", "wires"),
    [("jss", ("jss",)), ("s3", ("s3",)), ("jss,s3", ("jss", "s3")), ("s3, jss", ("s3", "jss")),
     ("both", ("jss", "s3"))],
)
def test_ref_both_wires_wire_option_values(text, wires):
    assert parse_wires(text) == wires


@pytest.mark.parametrize("text", ["ftp", "jss,jss", "jss,", ""])
def test_ref_both_wires_a_bad_wire_option_is_a_config_error(text):
    with pytest.raises(ConfigError):
        parse_wires(text)


def test_ref_both_wires_a_bad_wire_is_one_line_and_exit_2(tmp_path):
    command = [sys.executable, "-m", "conformance.reference", "--wire", "jss,ftp", "--data-dir", tmp_path]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "ftp" in done.stderr
    assert done.stdout == ""
