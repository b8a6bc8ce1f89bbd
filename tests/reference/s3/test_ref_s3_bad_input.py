"""What the S3-wire fuzz found, one request each: bad input answered with an S3 Error XML 4xx (never a 5xx,
nor JSON), on `serve --wire s3` and on the S3 sockets of `serve --wire jss,s3`."""

from __future__ import annotations

from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
import requests
from ref_helpers import ALICE, NORTH, USERS, raw_exchange
from s3_signing import path, signed_request

from conformance import sigv4
from conformance.reference.launch import start_reference


def _code(answer) -> str:
    """The Code of an S3 Error answer (asserting it is one, with the request id of its header)."""
    assert answer.headers["content-type"] == "application/xml"
    root = ElementTree.fromstring(answer.content if hasattr(answer, "content") else answer.body)
    assert root.tag == "Error" and root.findtext("RequestId") == answer.headers["x-amz-request-id"]
    return root.findtext("Code")


def _sigv4_get(endpoint: str, target: str, amz_date: str, extra: dict[str, str] | None = None):
    """GET `target` signed by alice with conformance.sigv4 at `amz_date` as sent (whatever its shape)."""
    host = urlsplit(endpoint).netloc
    headers = {"host": host, "x-amz-date": amz_date, "x-amz-content-sha256": sigv4.UNSIGNED_PAYLOAD,
               **(extra or {})}
    names = sorted(headers)
    signed = sigv4.sign("GET", target, list(headers.items()), names, sigv4.UNSIGNED_PAYLOAD,
                        ALICE.secret_key, amz_date, NORTH)
    headers["Authorization"] = sigv4.authorization_header(ALICE.access_key, signed.scope, names,
                                                          signed.signature)
    return requests.get(endpoint + target, headers=headers, timeout=10)


def test_ref_s3_an_impossible_x_amz_date_is_403_access_denied(s3_reference, s3_north):
    answer = _sigv4_get(s3_reference.endpoints[NORTH], f"/{s3_north}", "20260230T250000Z")
    assert (answer.status_code, _code(answer)) == (403, "AccessDenied")


def test_ref_s3_a_non_ascii_digit_presigned_expiry_is_400(s3_reference, s3_north):
    answer = requests.get(
        f"{s3_reference.endpoints[NORTH]}/{s3_north}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=x"
        "&X-Amz-Date=x&X-Amz-Expires=%C2%B2&X-Amz-SignedHeaders=host&X-Amz-Signature=x",
        timeout=10,
    )
    assert (answer.status_code, _code(answer)) == (400, "AuthorizationQueryParametersError")


@pytest.mark.parametrize("number", ["%C2%B2", "%D9%A3", "9" * 5000])
def test_ref_s3_a_part_number_not_of_ascii_digits_is_400_invalid_argument(s3, s3_reference, s3_north, number):
    upload_id = s3(NORTH).create_multipart_upload(Bucket=s3_north, Key="odd-part")["UploadId"]
    target = f"{path(s3_north, 'odd-part')}?partNumber={number}&uploadId={upload_id}"
    answer = signed_request(s3_reference.endpoints[NORTH], "PUT", target, body=b"x")
    assert (answer.status_code, _code(answer)) == (400, "InvalidArgument")


@pytest.mark.parametrize(("number", "code"), [("²", "MalformedXML"), ("9" * 5000, "InvalidPart")])
def test_ref_s3_a_complete_part_number_not_of_ascii_digits_is_400(s3, s3_reference, s3_north, number, code):
    client = s3(NORTH)
    upload_id = client.create_multipart_upload(Bucket=s3_north, Key="odd-complete")["UploadId"]
    etag = client.upload_part(Bucket=s3_north, Key="odd-complete", UploadId=upload_id, PartNumber=1,
                              Body=b"one")["ETag"]
    body = (f"<CompleteMultipartUpload><Part><PartNumber>{number}</PartNumber><ETag>{etag}</ETag></Part>"
            "</CompleteMultipartUpload>").encode()
    target = f"{path(s3_north, 'odd-complete')}?uploadId={upload_id}"
    answer = signed_request(s3_reference.endpoints[NORTH], "POST", target, body=body)
    assert (answer.status_code, _code(answer)) == (400, code)


@pytest.mark.parametrize("key", ["a%1Fb", "a%0Bb%7F"])
def test_ref_s3_an_error_naming_a_control_character_is_well_formed_xml(s3_reference, s3_north, key):
    answer = signed_request(s3_reference.endpoints[NORTH], "GET", f"/{s3_north}/{key}")
    assert answer.status_code == 400 and _code(answer) == "InvalidArgument"  # a key with a control character
    resource = ElementTree.fromstring(answer.content).findtext("Resource")
    assert resource == f"/{s3_north}/{key}".replace("%7F", "\x7f")  # DEL is a character XML 1.0 allows


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"x-amz-trailer": "x-amz-meta-x", "Content-Encoding": "aws-chunked"}, "InvalidRequest"),
        ({"x-amz-trailer": "x-amz-checksum-bogus", "Content-Encoding": "aws-chunked"}, "InvalidRequest"),
    ],
)
def test_ref_s3_a_checksum_s3_does_not_define_is_400(s3_reference, s3_north, headers, code):
    payload_hash = sigv4.STREAMING_UNSIGNED_TRAILER if "x-amz-trailer" in headers else None
    body = b"0\r\n\r\n" if payload_hash else b"x"
    answer = signed_request(s3_reference.endpoints[NORTH], "PUT", path(s3_north, "bad-checksum"), body=body,
                            headers=headers, payload_hash=payload_hash)
    assert (answer.status_code, _code(answer)) == (400, code)


def test_ref_s3_a_streaming_form_s3_does_not_define_is_400(s3_reference, s3_north):
    answer = signed_request(s3_reference.endpoints[NORTH], "PUT", path(s3_north, "bad-streaming"),
                            body=b"x", payload_hash="STREAMING-BOGUS")
    assert (answer.status_code, _code(answer)) == (400, "InvalidArgument")


def _raw_errors(base_url: str) -> list:
    """The answers the HTTP layer gives itself: an invalid Content-Length, then an oversize head."""
    host = urlsplit(base_url).netloc
    head = f"GET / HTTP/1.1\r\nHost: {host}\r\nContent-Length: abc\r\n\r\n"
    bad_length = raw_exchange(base_url, head.encode())
    oversize = f"GET / HTTP/1.1\r\nHost: {host}\r\nx-amz-meta-big: {'o' * 20000}\r\n\r\n".encode()
    return [*bad_length, *raw_exchange(base_url, oversize)]


def test_ref_s3_errors_of_the_http_layer_are_the_error_xml(s3_reference):
    answers = _raw_errors(s3_reference.endpoints[NORTH])
    assert [answer.status for answer in answers] == [400, 400]
    assert [_code(answer) for answer in answers] == ["InvalidRequest", "RequestHeaderSectionTooLarge"]
    assert all("x-jss-request-id" not in answer.headers for answer in answers)


def test_ref_both_wires_errors_of_the_http_layer_are_in_each_sockets_wire():
    with start_reference(users=USERS, extra_args=["--wire", "s3,jss"]) as both:
        s3_answers = _raw_errors(both.wire_endpoints["s3"][NORTH])
        jss_answers = _raw_errors(both.wire_endpoints["jss"][NORTH])
    assert [_code(answer) for answer in s3_answers] == ["InvalidRequest", "RequestHeaderSectionTooLarge"]
    codes = [answer.json()["code"] for answer in jss_answers]
    assert codes == ["InvalidRequest", "RequestHeaderSectionTooLarge"]
    assert all(answer.headers["x-jss-request-id"] for answer in jss_answers)


def test_ref_s3_max_uploads_0_with_uploads_left_is_an_empty_truncated_page(s3, s3_north):
    client = s3(NORTH)
    upload_id = client.create_multipart_upload(Bucket=s3_north, Key="left-open")["UploadId"]
    page = client.list_multipart_uploads(Bucket=s3_north, MaxUploads=0)
    assert (page["IsTruncated"], page.get("Uploads", [])) == (True, [])
    client.abort_multipart_upload(Bucket=s3_north, Key="left-open", UploadId=upload_id)


@pytest.mark.parametrize(
    "query",
    ["prefix=%01", "list-type=2&start-after=%01", "delimiter=%02", "marker=%0B",
     "list-type=2&continuation-token=%01", "uploads&prefix=%01", "uploads&key-marker=%1F"],
)
def test_ref_s3_a_listing_value_xml_cannot_carry_is_400_not_a_broken_document(s3_reference, s3_north, query):
    answer = signed_request(s3_reference.endpoints[NORTH], "GET", f"/{s3_north}?{query}")
    assert (answer.status_code, _code(answer)) == (400, "InvalidArgument")
