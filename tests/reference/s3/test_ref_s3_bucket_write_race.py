"""The S3 wire's side of the bucket write race (see tests/reference/test_ref_bucket_write_race.py): a
PutObject, UploadPart or CompleteMultipartUpload body in flight while the bucket is deleted and created again
by bob answers 404 NoSuchBucket, and bob's bucket stays empty."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from botocore.exceptions import ClientError
from half_sent import HalfSent
from ref_helpers import BOB
from s3_signing import path, signed_header_lines

BODY = b"abcdefghij" * 1000


def error_code(body: bytes) -> str:
    """The Code of an S3 Error XML body."""
    return ElementTree.fromstring(body).findtext("Code")


def complete_xml(etag: str) -> bytes:
    return (
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
        f"<ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
    ).encode()


@pytest.mark.parametrize("operation", ["put-object", "upload-part", "complete"])
def test_s3_write_in_flight_while_bob_recreates_the_bucket(s3_reference, s3, s3_key, operation):
    alice, bob = s3(), s3(user=BOB)
    bucket = f"race-{operation}"
    alice.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
    method, query, body, upload_id = "PUT", "", BODY, None
    if operation != "put-object":
        upload_id = alice.create_multipart_upload(Bucket=bucket, Key=s3_key)["UploadId"]
        if operation == "upload-part":
            query = f"?partNumber=1&uploadId={upload_id}"
        else:
            part = alice.upload_part(Bucket=bucket, Key=s3_key, UploadId=upload_id, PartNumber=1, Body=BODY)
            method, query, body = "POST", f"?uploadId={upload_id}", complete_xml(part["ETag"])
    endpoint = s3_reference.endpoints["cn-north-1"]
    target = path(bucket, s3_key) + query
    with HalfSent(endpoint, method, target, signed_header_lines(endpoint, method, target), body) as write:
        if upload_id is not None:
            alice.abort_multipart_upload(Bucket=bucket, Key=s3_key, UploadId=upload_id)
        alice.delete_bucket(Bucket=bucket)
        bob.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
        response = write.finish()
    assert response.status == 404, response.body
    assert error_code(response.body) == "NoSuchBucket"
    assert bob.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    assert bob.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    with pytest.raises(ClientError) as raised:
        bob.get_object(Bucket=bucket, Key=s3_key)
    assert raised.value.response["Error"]["Code"] == "NoSuchKey"
