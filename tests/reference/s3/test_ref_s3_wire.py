"""The S3 front's wire, request by request: the Error XML, SigV4 refusals, the payload forms
(``x-amz-content-sha256`` as a hash, aws-chunked with a trailer), checksums, part limits
and the ListObjects V1 / V2 pages."""

from __future__ import annotations

import base64
import datetime
import zlib
from urllib.parse import quote, quote_plus
from xml.etree import ElementTree

import pytest
import requests
from ref_helpers import ALICE, EAST, NORTH, RefUser
from s3_signing import path, signed_request

NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
STRANGER = RefUser("nobody", "AKNOBODY000000000", "whatever")


def _error(response: requests.Response) -> dict[str, str]:
    assert response.headers["content-type"] == "application/xml"
    root = ElementTree.fromstring(response.content)
    assert root.tag == "Error"
    return {child.tag: child.text or "" for child in root}


def _crc32(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def test_ref_s3_error_xml_has_code_message_resource_request_id(s3_reference, s3_north):
    answer = signed_request(s3_reference.endpoints[NORTH], "GET", f"/{s3_north}/no-such-key")
    error = _error(answer)
    assert answer.status_code == 404
    assert set(error) == {"Code", "Message", "Resource", "RequestId"}
    assert error["Code"] == "NoSuchKey"
    assert error["Resource"] == f"/{s3_north}/no-such-key"
    assert error["RequestId"] == answer.headers["x-amz-request-id"]
    head = signed_request(s3_reference.endpoints[NORTH], "HEAD", f"/{s3_north}/no-such-key")
    assert (head.status_code, head.content) == (404, b"")


@pytest.mark.parametrize(
    ("user", "when", "status", "code"),
    [
        (STRANGER, None, 403, "InvalidAccessKeyId"),
        (ALICE, datetime.timedelta(minutes=-20), 403, "RequestTimeTooSkewed"),
        (ALICE, datetime.timedelta(minutes=20), 403, "RequestTimeTooSkewed"),
    ],
)
def test_ref_s3_sigv4_refusals(s3_reference, s3_north, user, when, status, code):
    at = datetime.datetime.now(datetime.UTC) + when if when is not None else None
    answer = signed_request(s3_reference.endpoints[NORTH], "GET", f"/{s3_north}", user=user, at=at)
    assert (answer.status_code, _error(answer)["Code"]) == (status, code)


def test_ref_s3_anonymous_is_403_access_denied(s3_reference, s3_north):
    for target in ("/", f"/{s3_north}", f"/{s3_north}/k"):
        answer = requests.get(s3_reference.endpoints[NORTH] + target, timeout=10)
        assert (answer.status_code, _error(answer)["Code"]) == (403, "AccessDenied")


def test_ref_s3_payload_hash_mismatch_is_400_and_stores_nothing(s3_reference, s3_north, s3_key):
    endpoint = s3_reference.endpoints[NORTH]
    answer = signed_request(endpoint, "PUT", f"{path(s3_north, s3_key)}", body=b"abc", payload_hash="0" * 64)
    assert (answer.status_code, _error(answer)["Code"]) == (400, "XAmzContentSHA256Mismatch")
    assert signed_request(endpoint, "HEAD", f"{path(s3_north, s3_key)}").status_code == 404
    unsigned = signed_request(
        endpoint, "PUT", f"{path(s3_north, s3_key)}", body=b"abc", payload_hash="UNSIGNED-PAYLOAD"
    )
    assert unsigned.status_code == 200


def test_ref_s3_checksum_header_is_checked(s3_reference, s3_north, s3_key):
    endpoint = s3_reference.endpoints[NORTH]
    wrong = {"x-amz-checksum-crc32": _crc32(b"other")}
    answer = signed_request(endpoint, "PUT", f"{path(s3_north, s3_key)}", body=b"abc", headers=wrong)
    assert (answer.status_code, _error(answer)["Code"]) == (400, "BadDigest")
    assert signed_request(endpoint, "HEAD", f"{path(s3_north, s3_key)}").status_code == 404
    right = {"x-amz-checksum-crc32": _crc32(b"abc")}
    assert (
        signed_request(endpoint, "PUT", f"{path(s3_north, s3_key)}", body=b"abc", headers=right).status_code
        == 200
    )


def _chunked(data: bytes, trailer_value: str) -> bytes:
    """aws-chunked framing written by hand: two chunks, the final 0 chunk, a CRC32 trailer."""
    first, second = data[:3], data[3:]
    frames = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in (first, second))
    return frames + b"0\r\n" + f"x-amz-checksum-crc32:{trailer_value}\r\n\r\n".encode()


@pytest.mark.parametrize("trailer_ok", [True, False])
def test_ref_s3_unsigned_trailer_body_is_decoded_and_its_checksum_checked(
    s3_reference, s3_north, s3_key, trailer_ok
):
    endpoint = s3_reference.endpoints[NORTH]
    data = b"hello, chunks"
    body = _chunked(data, _crc32(data if trailer_ok else b"tampered"))
    headers = {
        "content-encoding": "aws-chunked",
        "x-amz-decoded-content-length": str(len(data)),
        "x-amz-trailer": "x-amz-checksum-crc32",
    }
    answer = signed_request(
        endpoint,
        "PUT",
        f"{path(s3_north, s3_key)}",
        body=body,
        headers=headers,
        payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    )
    got = signed_request(endpoint, "GET", f"{path(s3_north, s3_key)}")
    if trailer_ok:
        assert answer.status_code == 200
        assert (got.status_code, got.content) == (200, data)
    else:
        assert (answer.status_code, _error(answer)["Code"]) == (400, "BadDigest")
        assert got.status_code == 404


@pytest.mark.parametrize("number", [0, 10001])
def test_ref_s3_part_numbers_outside_1_to_10000_are_400_invalid_argument(s3, s3_north, s3_key, number):
    client = s3(NORTH)
    upload = client.create_multipart_upload(Bucket=s3_north, Key=s3_key)["UploadId"]
    target = f"{path(s3_north, s3_key)}?partNumber={number}&uploadId={upload}"
    answer = signed_request(client.meta.endpoint_url, "PUT", target, body=b"x")
    assert (answer.status_code, _error(answer)["Code"]) == (400, "InvalidArgument")
    last = signed_request(
        client.meta.endpoint_url, "PUT", target.replace(f"={number}&", "=10000&"), body=b"x"
    )
    assert last.status_code == 200
    client.abort_multipart_upload(Bucket=s3_north, Key=s3_key, UploadId=upload)


def test_ref_s3_small_non_final_part_is_entity_too_small(s3, s3_north, s3_key):
    client = s3(NORTH)
    upload = client.create_multipart_upload(Bucket=s3_north, Key=s3_key)["UploadId"]
    parts = [
        {
            "PartNumber": n,
            "ETag": client.upload_part(
                Bucket=s3_north, Key=s3_key, UploadId=upload, PartNumber=n, Body=b"small"
            )["ETag"],
        }
        for n in (1, 2)
    ]
    xml = "".join(
        f"<Part><PartNumber>{p['PartNumber']}</PartNumber><ETag>{p['ETag']}</ETag></Part>" for p in parts
    )
    body = f"<CompleteMultipartUpload>{xml}</CompleteMultipartUpload>".encode()
    answer = signed_request(
        client.meta.endpoint_url, "POST", f"{path(s3_north, s3_key)}?uploadId={upload}", body=body
    )
    assert (answer.status_code, _error(answer)["Code"]) == (400, "EntityTooSmall")
    uploads = client.list_multipart_uploads(Bucket=s3_north, Prefix=s3_key)["Uploads"]
    assert [u["UploadId"] for u in uploads] == [upload]


def test_ref_s3_list_objects_v1_and_v2_page_and_group(s3, s3_north, s3_key):
    client = s3(NORTH)
    keys = [f"{s3_key}/a", f"{s3_key}/b", f"{s3_key}/d/1", f"{s3_key}/d/2", f"{s3_key}/e"]
    for key in keys:
        client.put_object(Bucket=s3_north, Key=key, Body=b"")
    prefix = f"{s3_key}/"
    v2 = client.get_paginator("list_objects_v2").paginate(
        Bucket=s3_north, Prefix=prefix, Delimiter="/", PaginationConfig={"PageSize": 2}
    )
    pages = list(v2)
    assert [p["KeyCount"] for p in pages] == [2, 2]
    assert [o["Key"] for p in pages for o in p.get("Contents", [])] == [keys[0], keys[1], keys[4]]
    assert [c["Prefix"] for p in pages for c in p.get("CommonPrefixes", [])] == [f"{s3_key}/d/"]
    v1 = client.get_paginator("list_objects").paginate(
        Bucket=s3_north, Prefix=prefix, PaginationConfig={"PageSize": 3}
    )
    assert [o["Key"] for p in v1 for o in p["Contents"]] == keys


def test_ref_s3_anonymous_chunk_signed_put_is_refused_before_the_body_is_judged(
    s3_reference, s3_north, s3_key
):
    answer = requests.put(
        f"{s3_reference.endpoints[NORTH]}{path(s3_north, s3_key)}",
        data=b"0\r\n\r\n",
        timeout=10,
        headers={
            "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            "x-amz-decoded-content-length": "0",
        },
    )
    assert (answer.status_code, _error(answer)["Code"]) == (403, "AccessDenied")


def test_ref_s3_list_objects_encoding_type_url(s3, s3_north, s3_key):
    client = s3(NORTH)
    key = f"{s3_key}/a b+c%d"
    client.put_object(Bucket=s3_north, Key=key, Body=b"")
    assert [o["Key"] for o in client.list_objects_v2(Bucket=s3_north, Prefix=f"{s3_key}/")["Contents"]] == [
        key
    ]
    assert [o["Key"] for o in client.list_objects(Bucket=s3_north, Prefix=f"{s3_key}/")["Contents"]] == [key]
    target = f"/{s3_north}?list-type=2&encoding-type=url&prefix={quote(s3_key + '/', safe='')}"
    root = ElementTree.fromstring(signed_request(client.meta.endpoint_url, "GET", target).content)
    assert root.findtext(f"{NS}EncodingType") == "url"
    assert root.findtext(f"{NS}Contents/{NS}Key") == quote_plus(key, safe="/")
    assert "+" in root.findtext(f"{NS}Contents/{NS}Key")
    bad = signed_request(client.meta.endpoint_url, "GET", f"/{s3_north}?encoding-type=base64")
    assert (bad.status_code, _error(bad)["Code"]) == (400, "InvalidArgument")


@pytest.mark.parametrize("region", [EAST, "us-east-1"])
def test_ref_s3_scope_region_must_be_the_endpoints(s3_reference, s3_north, region):
    answer = signed_request(s3_reference.endpoints[NORTH], "GET", f"/{s3_north}", region=region)
    assert (answer.status_code, _error(answer)["Code"]) == (400, "AuthorizationHeaderMalformed")
