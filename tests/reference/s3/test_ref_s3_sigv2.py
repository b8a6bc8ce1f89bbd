"""Signature Version 2 on the S3 front, signed by botocore (HmacV1Auth / HmacV1QueryAuth through boto3's
``signature_version="s3"``): header and presigned requests work; a wrong signature, an unknown key, a skewed
clock and an expired URL are refused as AWS refuses them."""

from __future__ import annotations

import datetime
from xml.etree import ElementTree

import boto3
import botocore.exceptions
import pytest
import requests
from botocore.auth import HmacV1Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from freezegun import freeze_time
from ref_helpers import ALICE, NORTH, RefUser

V2 = Config(signature_version="s3")
DATA = b"signed the old way"


@pytest.fixture(scope="module")
def s3v2(s3_reference):
    """A maker of boto3 clients signing with Signature Version 2 (else boto3's default configuration)."""

    def make(region: str = NORTH, user: RefUser = ALICE, secret: str | None = None):
        return boto3.client(
            "s3",
            endpoint_url=s3_reference.endpoints[region],
            region_name=region,
            aws_access_key_id=user.access_key,
            aws_secret_access_key=secret if secret is not None else user.secret_key,
            config=V2,
        )

    return make


def _code(response: requests.Response) -> tuple[int, str]:
    return response.status_code, ElementTree.fromstring(response.content).findtext("Code")


def _client_error(call) -> tuple[int, str]:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    response = info.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def test_ref_s3_sigv2_header_put_get_list_and_multipart(s3v2, s3_north, s3_key):
    client = s3v2(NORTH)
    client.put_object(Bucket=s3_north, Key=s3_key, Body=DATA, ContentType="text/plain")
    assert client.get_object(Bucket=s3_north, Key=s3_key)["Body"].read() == DATA
    assert [o["Key"] for o in client.list_objects(Bucket=s3_north, Prefix=s3_key)["Contents"]] == [s3_key]
    upload = client.create_multipart_upload(Bucket=s3_north, Key=f"{s3_key}/mp")["UploadId"]
    etag = client.upload_part(Bucket=s3_north, Key=f"{s3_key}/mp", UploadId=upload, PartNumber=1, Body=DATA)
    parts = {"Parts": [{"PartNumber": 1, "ETag": etag["ETag"]}]}
    client.complete_multipart_upload(
        Bucket=s3_north, Key=f"{s3_key}/mp", UploadId=upload, MultipartUpload=parts
    )
    assert client.head_object(Bucket=s3_north, Key=f"{s3_key}/mp")["ContentLength"] == len(DATA)


def test_ref_s3_sigv2_wrong_secret_is_403_signature_does_not_match(s3v2, s3_north, s3_key):
    client = s3v2(NORTH, secret="not-alices-secret")
    assert _client_error(lambda: client.put_object(Bucket=s3_north, Key=s3_key, Body=DATA)) == (
        403,
        "SignatureDoesNotMatch",
    )


def test_ref_s3_sigv2_unknown_key_is_403_invalid_access_key_id(s3v2, s3_north):
    client = s3v2(NORTH, user=RefUser("nobody", "AKNOBODY000000000", "whatever"))
    assert _client_error(lambda: client.list_objects(Bucket=s3_north)) == (403, "InvalidAccessKeyId")


def test_ref_s3_sigv2_skewed_clock_is_403_request_time_too_skewed(s3v2, s3_north):
    client = s3v2(NORTH)
    with freeze_time(datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=20)):
        assert _client_error(lambda: client.list_objects(Bucket=s3_north)) == (403, "RequestTimeTooSkewed")


def test_ref_s3_sigv2_presigned_get_works_and_tampered_or_expired_do_not(s3v2, s3_north, s3_key):
    client = s3v2(NORTH)
    client.put_object(Bucket=s3_north, Key=s3_key, Body=DATA)
    params = {"Bucket": s3_north, "Key": s3_key}
    url = client.generate_presigned_url("get_object", Params=params, ExpiresIn=300)
    assert "AWSAccessKeyId=" in url and "Signature=" in url
    answer = requests.get(url, timeout=10)
    assert (answer.status_code, answer.content) == (200, DATA)
    tampered = requests.get(url.replace(s3_key, s3_key + "x"), timeout=10)
    assert _code(tampered) == (403, "SignatureDoesNotMatch")
    with freeze_time(datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)):
        expired = client.generate_presigned_url("get_object", Params=params, ExpiresIn=60)
    assert _code(requests.get(expired, timeout=10)) == (403, "AccessDenied")


def test_ref_s3_sigv2_malformed_header_is_400(s3_reference, s3_north):
    headers = {"Authorization": f"AWS {ALICE.access_key}", "Date": "Mon, 07 Dec 2026 08:00:00 GMT"}
    answer = requests.get(f"{s3_reference.endpoints[NORTH]}/{s3_north}", headers=headers, timeout=10)
    assert _code(answer) == (400, "InvalidArgument")


def _virtual_host_v2(endpoint: str, bucket: str, method: str, path: str, body: bytes = b"", secret=None):
    """A V2 request to `bucket` named by the Host header (``bucket.jss.localhost``), signed by botocore's
    HmacV1Auth with the canonical resource ``/bucket/path`` (its auth_path, as boto3 sets it)."""
    port = endpoint.rsplit(":", 1)[1]
    request = AWSRequest(method=method, url=endpoint + path, data=body,
                         headers={"Host": f"{bucket}.jss.localhost:{port}"})
    request.auth_path = f"/{bucket}{path}"
    HmacV1Auth(Credentials(ALICE.access_key, secret or ALICE.secret_key)).add_auth(request)
    prepared = request.prepare()
    return requests.request(method, prepared.url, headers=dict(prepared.headers), data=body, timeout=10)


def test_ref_s3_sigv2_virtual_hosted_requests_sign_the_bucket(s3_reference, s3_north, s3_key):
    endpoint = s3_reference.endpoints[NORTH]
    assert _virtual_host_v2(endpoint, s3_north, "PUT", f"/{s3_key}", DATA).status_code == 200
    got = _virtual_host_v2(endpoint, s3_north, "GET", f"/{s3_key}")
    assert (got.status_code, got.content) == (200, DATA)
    listing = _virtual_host_v2(endpoint, s3_north, "GET", "/")
    assert listing.status_code == 200 and s3_key.encode() in listing.content
    wrong = _virtual_host_v2(endpoint, s3_north, "GET", f"/{s3_key}", secret="not-alices-secret")
    assert _code(wrong) == (403, "SignatureDoesNotMatch")
