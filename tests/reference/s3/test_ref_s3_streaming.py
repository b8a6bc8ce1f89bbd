"""Chunk-signed bodies on the S3 front (STREAMING-AWS4-HMAC-SHA256-PAYLOAD and its -TRAILER form): stored
when every chunk signature, the trailer signature and the trailer checksum hold; 403 SignatureDoesNotMatch
for a wrong chunk or trailer signature, 400 for a wrong checksum or a malformed frame, nothing installed."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
import requests
from ref_helpers import NORTH, MiB
from s3_signing import path, signed_request
from s3_streaming import chunk_signed_put

from conformance.reference.s3.checksums import encoded

DATA = bytes(range(256)) * 97  # 24,832 bytes: three full 8 KiB chunks and a short one


def _code(response: requests.Response) -> tuple[int, str]:
    return response.status_code, ElementTree.fromstring(response.content).findtext("Code")


def _stored(endpoint: str, target: str) -> requests.Response:
    return signed_request(endpoint, "GET", target)


@pytest.mark.parametrize(
    ("size", "chunk_size"), [(0, 8192), (1, 8192), (len(DATA), 8192), (len(DATA), 65536)]
)
def test_ref_s3_chunk_signed_body_is_decoded_and_stored(s3_reference, s3_north, s3_key, size, chunk_size):
    endpoint, target = s3_reference.endpoints[NORTH], path(s3_north, s3_key)
    answer = chunk_signed_put(endpoint, target, DATA[:size], chunk_size=chunk_size)
    assert answer.status_code == 200, answer.content
    got = _stored(endpoint, target)
    assert (got.status_code, got.content) == (200, DATA[:size])


@pytest.mark.parametrize("wrong_chunk", [0, 2, 4], ids=["first", "middle", "final-empty"])
def test_ref_s3_wrong_chunk_signature_is_403_and_stores_nothing(s3_reference, s3_north, s3_key, wrong_chunk):
    endpoint, target = s3_reference.endpoints[NORTH], path(s3_north, s3_key)
    answer = chunk_signed_put(endpoint, target, DATA, wrong_chunk=wrong_chunk)
    assert _code(answer) == (403, "SignatureDoesNotMatch")
    assert signed_request(endpoint, "HEAD", target).status_code == 404


@pytest.mark.parametrize("algorithm", ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"])
def test_ref_s3_signed_trailer_checksum_right_is_stored_wrong_is_bad_digest(
    s3_reference, s3_north, s3_key, algorithm
):
    endpoint, target = s3_reference.endpoints[NORTH], path(s3_north, s3_key)
    name = f"x-amz-checksum-{algorithm}"
    wrong = chunk_signed_put(endpoint, target, DATA, trailers=[(name, encoded(algorithm, b"other"))])
    assert _code(wrong) == (400, "BadDigest")
    assert signed_request(endpoint, "HEAD", target).status_code == 404
    right = chunk_signed_put(endpoint, target, DATA, trailers=[(name, encoded(algorithm, DATA))])
    assert right.status_code == 200, right.content
    assert _stored(endpoint, target).content == DATA


def test_ref_s3_wrong_trailer_signature_is_403(s3_reference, s3_north, s3_key):
    endpoint, target = s3_reference.endpoints[NORTH], path(s3_north, s3_key)
    trailers = [("x-amz-checksum-crc32", encoded("crc32", DATA))]
    answer = chunk_signed_put(endpoint, target, DATA, trailers=trailers, wrong_trailer_signature=True)
    assert _code(answer) == (403, "SignatureDoesNotMatch")
    assert signed_request(endpoint, "HEAD", target).status_code == 404


@pytest.mark.parametrize(
    ("declared", "expected"),
    [(len(DATA) - 1, (400, "IncompleteBody")), (len(DATA) + 1, (400, "IncompleteBody"))],
    ids=["shorter", "longer"],
)
def test_ref_s3_decoded_content_length_is_checked(s3_reference, s3_north, s3_key, declared, expected):
    endpoint, target = s3_reference.endpoints[NORTH], path(s3_north, s3_key)
    answer = chunk_signed_put(endpoint, target, DATA, decoded_length=declared)
    assert _code(answer) == expected
    assert signed_request(endpoint, "HEAD", target).status_code == 404


def test_ref_s3_chunk_signed_body_without_decoded_length_is_411(s3_reference, s3_north, s3_key):
    endpoint, target = s3_reference.endpoints[NORTH], path(s3_north, s3_key)
    body = b"0;chunk-signature=" + b"0" * 64 + b"\r\n\r\n"
    answer = signed_request(
        endpoint, "PUT", target, body=body, payload_hash="STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    )
    assert _code(answer) == (411, "MissingContentLength")


@pytest.mark.parametrize(
    "body",
    [b"0\r\n\r\n", b"zz;chunk-signature=00\r\n", b"5;chunk-signature=" + b"0" * 64 + b"\r\nab"],
    ids=["no-chunk-signature", "bad-size", "truncated"],
)
def test_ref_s3_malformed_chunk_signed_frame_is_400(s3_reference, s3_north, s3_key, body):
    endpoint, target = s3_reference.endpoints[NORTH], path(s3_north, s3_key)
    answer = signed_request(
        endpoint,
        "PUT",
        target,
        body=body,
        headers={"x-amz-decoded-content-length": "5"},
        payload_hash="STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    )
    assert _code(answer) == (400, "IncompleteBody")


def test_ref_s3_chunk_signed_parts_assemble(s3, s3_reference, s3_north, s3_key):
    client, endpoint = s3(NORTH), s3_reference.endpoints[NORTH]
    upload = client.create_multipart_upload(Bucket=s3_north, Key=s3_key)["UploadId"]
    bodies, parts = [DATA * 212, DATA], []  # 5,264,384 bytes (over 5 MiB), then the short last part
    assert len(bodies[0]) >= 5 * MiB
    for number, body in enumerate(bodies, start=1):
        target = f"{path(s3_north, s3_key)}?partNumber={number}&uploadId={upload}"
        answer = chunk_signed_put(endpoint, target, body, chunk_size=65536)
        assert answer.status_code == 200, answer.content
        parts.append({"PartNumber": number, "ETag": answer.headers["ETag"]})
    client.complete_multipart_upload(
        Bucket=s3_north, Key=s3_key, UploadId=upload, MultipartUpload={"Parts": parts}
    )
    assert client.get_object(Bucket=s3_north, Key=s3_key)["Body"].read() == b"".join(bodies)
