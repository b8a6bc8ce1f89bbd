"""An unmodified boto3 (constraints.txt's release, default configuration) against `serve --wire s3`: issue
18's done-when — RR multipart in cn-north-1 completes and HEAD reports the class, RR in cn-east-2 is 400
InvalidStorageClass, a wrong secret is 403 SignatureDoesNotMatch, a presigned GET works — and what boto3 sends
by default over HTTPS (aws-chunked with a CRC32 trailer) is decoded and checked."""

from __future__ import annotations

import hashlib

import boto3
import botocore.exceptions
import pytest
import requests
from ref_helpers import EAST, NORTH, MiB

PART = 5 * MiB


def _error(call) -> tuple[int, dict]:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    response = info.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]


def test_ref_s3_boto3_rr_multipart_in_north_completes_and_head_reports_the_class(s3, s3_north, s3_key):
    client = s3(NORTH)
    upload = client.create_multipart_upload(Bucket=s3_north, Key=s3_key, StorageClass="REDUCED_REDUNDANCY")
    bodies = [b"a" * PART, b"b" * 1000]
    parts = []
    for number, body in enumerate(bodies, start=1):
        answer = client.upload_part(
            Bucket=s3_north, Key=s3_key, UploadId=upload["UploadId"], PartNumber=number, Body=body
        )
        assert answer["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
        parts.append({"PartNumber": number, "ETag": answer["ETag"]})
    listed = client.list_parts(Bucket=s3_north, Key=s3_key, UploadId=upload["UploadId"])
    assert [p["PartNumber"] for p in listed["Parts"]] == [1, 2]
    assert listed["StorageClass"] == "REDUCED_REDUNDANCY"
    done = client.complete_multipart_upload(
        Bucket=s3_north, Key=s3_key, UploadId=upload["UploadId"], MultipartUpload={"Parts": parts}
    )
    digests = b"".join(hashlib.md5(body).digest() for body in bodies)
    assert done["ETag"] == f'"{hashlib.md5(digests).hexdigest()}-2"'
    head = client.head_object(Bucket=s3_north, Key=s3_key)
    assert head["StorageClass"] == "REDUCED_REDUNDANCY"
    assert head["ContentLength"] == PART + 1000
    assert head["ETag"] == done["ETag"]
    ranged = client.get_object(Bucket=s3_north, Key=s3_key, Range=f"bytes={PART - 2}-{PART + 1}")
    assert ranged["Body"].read() == b"aabb"


def test_ref_s3_boto3_rr_in_east_is_400_invalid_storage_class(s3, s3_east, s3_key):
    client = s3(EAST)
    status, error = _error(
        lambda: client.create_multipart_upload(Bucket=s3_east, Key=s3_key, StorageClass="REDUCED_REDUNDANCY")
    )
    assert (status, error["Code"]) == (400, "InvalidStorageClass")
    status, error = _error(
        lambda: client.put_object(Bucket=s3_east, Key=s3_key, Body=b"x", StorageClass="REDUCED_REDUNDANCY")
    )
    assert (status, error["Code"]) == (400, "InvalidStorageClass")
    assert client.list_multipart_uploads(Bucket=s3_east).get("Uploads", []) == []


def test_ref_s3_boto3_wrong_secret_is_403_signature_does_not_match(s3, s3_north, s3_key):
    client = s3(NORTH, secret="not-the-secret")
    status, error = _error(lambda: client.put_object(Bucket=s3_north, Key=s3_key, Body=b"x"))
    assert (status, error["Code"]) == (403, "SignatureDoesNotMatch")
    assert _error(lambda: s3(NORTH).head_object(Bucket=s3_north, Key=s3_key))[0] == 404


def test_ref_s3_boto3_presigned_get_works_and_a_tampered_one_does_not(s3, s3_north, s3_key):
    client = s3(NORTH)
    client.put_object(Bucket=s3_north, Key=s3_key, Body=b"presigned body")
    params = {"Bucket": s3_north, "Key": s3_key}
    url = client.generate_presigned_url("get_object", Params=params, ExpiresIn=60)
    answer = requests.get(url, timeout=10)
    assert (answer.status_code, answer.content) == (200, b"presigned body")
    tampered = requests.get(url.replace("X-Amz-Expires=60", "X-Amz-Expires=61"), timeout=10)
    assert tampered.status_code == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in tampered.content


def test_ref_s3_boto3_sse_is_echoed_and_reported(s3, s3_north, s3_key):
    client = s3(NORTH)
    put = client.put_object(Bucket=s3_north, Key=s3_key, Body=b"secret", ServerSideEncryption="AES256")
    assert put["ServerSideEncryption"] == "AES256"
    got = client.get_object(Bucket=s3_north, Key=s3_key)
    assert (got["ServerSideEncryption"], got["Body"].read()) == ("AES256", b"secret")
    assert "StorageClass" not in got  # STANDARD: no x-amz-storage-class header
    status, error = _error(
        lambda: client.put_object(Bucket=s3_north, Key=s3_key, Body=b"x", ServerSideEncryption="aws:kms")
    )
    assert (status, error["Code"]) == (400, "InvalidArgument")


def _https_client(s3_https):
    """An unmodified boto3 client, default configuration, over HTTPS to the reference's S3 front in NORTH."""
    reference, ca = s3_https
    return boto3.client(
        "s3",
        endpoint_url=reference.endpoints[NORTH],
        region_name=NORTH,
        verify=str(ca),
        aws_access_key_id="AKALICE0000000001",
        aws_secret_access_key="alice-secret",
    )


def test_ref_s3_boto3_default_https_upload_is_aws_chunked_with_a_crc32_trailer(s3_https):
    client = _https_client(s3_https)
    sent: list[dict] = []
    client.meta.events.register("before-send.s3.PutObject", lambda request, **_: sent.append(request.headers))
    client.create_bucket(Bucket="s3-tls")
    body = b"chunked " * 5000
    client.put_object(Bucket="s3-tls", Key="k", Body=body)
    assert sent[0]["X-Amz-Content-SHA256"] == b"STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    assert sent[0]["x-amz-trailer"] == b"x-amz-checksum-crc32"
    got = client.get_object(Bucket="s3-tls", Key="k")
    assert (got["ContentLength"], got["Body"].read()) == (len(body), body)
    assert got["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'


def test_ref_s3_boto3_default_https_multipart_parts_are_decoded(s3_https):
    client = _https_client(s3_https)
    sent: list[dict] = []
    client.meta.events.register(
        "before-send.s3.UploadPart", lambda request, **_: sent.append(request.headers)
    )
    client.create_bucket(Bucket="s3-tls-parts")
    upload = client.create_multipart_upload(
        Bucket="s3-tls-parts", Key="mp", StorageClass="REDUCED_REDUNDANCY"
    )
    bodies = [bytes(range(256)) * (PART // 256 + 7), b"tail"]
    parts = [
        {
            "PartNumber": n,
            "ETag": client.upload_part(
                Bucket="s3-tls-parts", Key="mp", UploadId=upload["UploadId"], PartNumber=n, Body=body
            )["ETag"],
        }
        for n, body in enumerate(bodies, start=1)
    ]
    assert {headers["X-Amz-Content-SHA256"] for headers in sent} == {b"STREAMING-UNSIGNED-PAYLOAD-TRAILER"}
    assert [p["ETag"] for p in parts] == [f'"{hashlib.md5(body).hexdigest()}"' for body in bodies]
    client.complete_multipart_upload(
        Bucket="s3-tls-parts", Key="mp", UploadId=upload["UploadId"], MultipartUpload={"Parts": parts}
    )
    got = client.get_object(Bucket="s3-tls-parts", Key="mp")
    assert got["StorageClass"] == "REDUCED_REDUNDANCY"
    assert got["Body"].read() == b"".join(bodies)
