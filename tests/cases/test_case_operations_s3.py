"""Unit tests of the S3 dialect: conformance.operations over S3 answers (XML parsing, headers, error codes
translated from fixtures/dialects/s3.toml, the error shape, S3's final ETag) and the S3 client's signing
with botocore (SigV4 and V2 headers, presigned URLs, the signature masked in the kept exchange)."""

from __future__ import annotations

import hashlib
import time
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from case_helpers import CannedClient, canned_response

from conformance import operations as ops
from conformance.client import Credentials, SigningOptions
from conformance.client_s3 import S3Client

NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'
ERROR = (
    b"<Error><Code>NoSuchUpload</Code><Message>m</Message><Resource>/b/k</Resource><RequestId>R</RequestId>"
    b"</Error>"
)


class S3CannedClient(CannedClient):
    """A canned client of the s3 dialect; its responses carry an s3 exchange."""

    dialect = "s3"
    region = "us-east-1"

    def request(self, *args, **kwargs):
        response = super().request(*args, **kwargs)
        response.exchange = SimpleNamespace(dialect="s3")
        return response


def _xml(status: int, body: str | bytes, **headers) -> object:
    raw = body.encode() if isinstance(body, str) else body
    response = canned_response(status, raw=raw, headers=headers)
    response.exchange = SimpleNamespace(dialect="s3")
    return response


def test_s3_initiate_parses_xml_and_sends_amz_headers():
    body = f"<InitiateMultipartUploadResult {NS}><Bucket>b</Bucket><Key>k</Key><UploadId>U1</UploadId>" \
        "</InitiateMultipartUploadResult>"
    client = S3CannedClient(_xml(200, body), _xml(200, body))

    upload = ops.initiate(client, "b", "k", storage_class="STANDARD", encryption=True)
    ops.initiate(client, "b", "k", encryption=False)

    assert (upload.bucket, upload.key, upload.upload_id) == ("b", "k", "U1")
    assert client.calls[0][1]["headers"] == [
        ("x-amz-storage-class", "STANDARD"), ("x-amz-server-side-encryption", "AES256"),
    ]
    assert client.calls[1][1]["headers"] == []  # JSS's "false" has no S3 header


def test_s3_upload_part_sends_a_hex_content_md5_as_base64():
    client = S3CannedClient(_xml(200, b"", ETag='"0cc175b9c0f1b6a831c399e269772661"'))

    hex_md5 = {"Content-MD5": hashlib.md5(b"a").hexdigest()}

    part = ops.upload_part(client, "b", "k", "U1", 1, b"a", headers=hex_md5)

    assert part.etag == "0cc175b9c0f1b6a831c399e269772661"
    assert client.calls[0][1]["headers"] == [("Content-MD5", "DMF1ucDxtqgxw5niaXcmYQ==")]


def test_s3_complete_with_200_and_an_error_body_raises_api_error():
    client = S3CannedClient(_xml(200, b"<Error><Code>InternalError</Code></Error>"))

    with pytest.raises(ops.ApiError) as error:
        ops.complete(client, "b", "k", "U1", [(1, "e1")])

    assert (error.value.status, error.value.code) == (200, "InternalError")
    assert client.calls[0][1]["body"] == (
        b'<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"e1"</ETag></Part>'
        b"</CompleteMultipartUpload>"
    )


def test_s3_list_parts_and_uploads_parse_their_elements():
    parts = f"<ListPartsResult {NS}><Bucket>b</Bucket><Key>k</Key><UploadId>U</UploadId>" \
        "<StorageClass>STANDARD</StorageClass><Part><PartNumber>2</PartNumber><ETag>\"e\"</ETag>" \
        "<Size>5</Size><LastModified>t</LastModified></Part></ListPartsResult>"
    uploads = f"<ListMultipartUploadsResult {NS}><Bucket>b</Bucket>" \
        "<Upload><Key>k</Key><UploadId>U</UploadId>" \
        "<StorageClass>REDUCED_REDUNDANCY</StorageClass><Initiated>t</Initiated></Upload>" \
        "</ListMultipartUploadsResult>"
    client = S3CannedClient(_xml(200, parts), _xml(200, uploads))

    listing = ops.list_parts(client, "b", "k", "U")
    listed = ops.list_uploads(client, "b", prefix="k")

    assert (listing.storage_class, [(p.part_number, p.etag, p.size) for p in listing.parts]) == (
        "STANDARD", [(2, "e", 5)]
    )
    assert [(u.key, u.upload_id, u.storage_class, u.encrypted) for u in listed.uploads] == [
        ("k", "U", "REDUCED_REDUNDANCY", None)
    ]


def test_s3_head_without_storage_class_header_is_standard():
    client = S3CannedClient(_xml(200, b"", ETag='"e"'), _xml(200, b"", **{"x-amz-storage-class": "GLACIER"}))

    assert [ops.head_object(client, "b", "k").storage_class for _ in range(2)] == ["STANDARD", "GLACIER"]


ERRORS = [
    (_xml(400, ERROR.replace(b"NoSuchUpload", b"InvalidArgument")), 400, "TooManyParts", None),
    (_xml(400, ERROR.replace(b"NoSuchUpload", b"TooManyParts")), 400, "TooManyParts", "400 InvalidArgument"),
    (_xml(404, ERROR), 404, "NoSuchUpload", None),
    (_xml(404, ERROR), 404, "InvalidPart", "expected a 404 InvalidPart error; observed .* code NoSuchUpload"),
    (_xml(400, ERROR), 404, "NoSuchUpload", "expected a 404 NoSuchUpload error; observed .* 400 Bad Request"),
    (_xml(404, b'{"code": "NoSuchUpload"}'), 404, "NoSuchUpload", "with an XML <Error> body"),
]


@pytest.mark.parametrize(("response", "status", "code", "failure"), ERRORS)
def test_s3_assert_error_holds_the_answer_to_the_s3_name_of_the_code(response, status, code, failure):
    if failure is None:
        ops.assert_error(response, status, code)
        return
    with pytest.raises(AssertionError, match=failure):
        ops.assert_error(response, status, code)


def test_s3_error_shape_names_the_missing_element():
    without_resource = ERROR.replace(b"<Resource>/b/k</Resource>", b"")

    assert ops.error_shape_problem(_xml(404, ERROR)) is None
    assert "['Resource']" in ops.error_shape_problem(_xml(404, without_resource))


def test_s3_final_etag_is_md5_of_the_binary_digests_and_the_part_count():
    first, second = hashlib.md5(b"first").hexdigest(), hashlib.md5(b"second").hexdigest()
    digest = hashlib.md5(hashlib.md5(b"first").digest() + hashlib.md5(b"second").digest()).hexdigest()

    assert ops.multipart_etag(S3CannedClient(), [first, second]) == f"{digest}-2"
    assert ops.multipart_etag(S3CannedClient(), [first, second]) != ops.multipart_etag(
        CannedClient(), [first, second]
    )


def _signed(signature: str, options: SigningOptions | None = None, body: bytes = b"x"):
    client = S3Client("http://127.0.0.1:9", Credentials("AKTEST", "secret-key"), region="cn-north-1",
                      signature=signature)
    return client._sign("PUT", "b", "k", [("partNumber", "1"), ("uploadId", "U")], [("Date", "x")],
                        options or SigningOptions(), body=body)


def test_s3_client_signs_sigv4_with_botocore_over_the_bucket_region():
    string_to_sign, headers, query, signature = _signed("v4")

    named = dict(headers)
    assert named["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKTEST/")
    assert "/cn-north-1/s3/aws4_request" in named["Authorization"]
    assert named["Authorization"].endswith(signature)
    assert "X-Amz-Date" in named and "Date" not in named
    assert named["X-Amz-Content-SHA256"] == hashlib.sha256(b"x").hexdigest()
    assert "AWS4-HMAC-SHA256" in string_to_sign and "secret-key" not in string_to_sign


def test_s3_client_signs_v2_when_the_profile_asks():
    _, headers, _, signature = _signed("v2")

    assert dict(headers)["Authorization"] == f"AWS AKTEST:{signature}"


@pytest.mark.parametrize("offset", [300, -100], ids=["valid", "expired"])
def test_s3_client_presigns_sigv4_until_the_given_expiry(offset):
    expires = int(time.time()) + offset

    _, headers, query, signature = _signed("v4", SigningOptions(presign_expires=expires))

    named = {k: v for k, v in query}
    signed_at = time.mktime(time.strptime(named["X-Amz-Date"], "%Y%m%dT%H%M%SZ")) - time.timezone
    assert abs(signed_at + int(named["X-Amz-Expires"]) - expires) <= 2
    assert named["X-Amz-Signature"] == signature and "Authorization" not in dict(headers)


def test_s3_exchange_masks_the_signature_of_a_kept_request():
    from conformance.client import mask_authorization, mask_url

    value = "AWS4-HMAC-SHA256 Credential=AK/20261201/us-east-1/s3/aws4_request, SignedHeaders=host, " \
        "Signature=ab12"
    url = "http://h/b/k?X-Amz-Credential=AK&X-Amz-Signature=ab12"

    assert mask_authorization(value).endswith("Signature=****") and "ab12" not in mask_url(url)
    assert parse_qs(urlsplit(mask_url(url)).query)["X-Amz-Signature"] == ["****"]
