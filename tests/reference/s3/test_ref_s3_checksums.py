"""The S3 front's integrity headers: every ``x-amz-checksum-*`` algorithm (CRC32, CRC32C, CRC64NVME, SHA1,
SHA256) as a header and as an unsigned trailer, right (stored) and wrong (400 BadDigest, nothing stored); a
malformed value (400 InvalidRequest); Content-MD5 as S3 takes it (base64; hex or garbage is 400 InvalidDigest,
a wrong digest 400 BadDigest). The digests are held to the catalogue check values of
fixtures/checksums/check-values.toml and to botocore's own CRC32 / SHA1 / SHA256."""

from __future__ import annotations

import base64
import hashlib
import tomllib
from xml.etree import ElementTree

import boto3
import pytest
import requests
from botocore.httpchecksum import Crc32Checksum, Sha1Checksum, Sha256Checksum
from ref_helpers import NORTH
from s3_signing import path, signed_request

from conformance.paths import fixtures_dir
from conformance.reference.s3.checksums import CHECKSUMS, encoded

VALUES = tomllib.loads((fixtures_dir() / "checksums" / "check-values.toml").read_text(encoding="utf-8"))
ALGORITHMS = sorted(CHECKSUMS)
DATA = b"checksummed body " * 1000


def _code(response: requests.Response) -> tuple[int, str]:
    return response.status_code, ElementTree.fromstring(response.content).findtext("Code")


def test_ref_s3_every_algorithm_has_a_catalogue_check_value():
    assert sorted(VALUES["check"]) == ALGORITHMS


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_ref_s3_checksum_matches_the_catalogue_check_value(algorithm):
    expected = base64.b64encode(bytes.fromhex(VALUES["check"][algorithm])).decode()
    assert encoded(algorithm, VALUES["input"].encode()) == expected


@pytest.mark.parametrize(
    ("algorithm", "botocore_class"),
    [("crc32", Crc32Checksum), ("sha1", Sha1Checksum), ("sha256", Sha256Checksum)],
)
def test_ref_s3_checksum_agrees_with_botocore(algorithm, botocore_class):
    theirs = botocore_class()
    theirs.update(DATA)
    assert encoded(algorithm, DATA) == theirs.b64digest()


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_ref_s3_checksum_header_right_is_stored_wrong_is_bad_digest(
    s3_reference, s3_north, s3_key, algorithm
):
    endpoint, target = s3_reference.endpoints[NORTH], path(s3_north, s3_key)
    name = f"x-amz-checksum-{algorithm}"
    wrong = signed_request(endpoint, "PUT", target, body=DATA, headers={name: encoded(algorithm, b"x")})
    assert _code(wrong) == (400, "BadDigest")
    assert signed_request(endpoint, "HEAD", target).status_code == 404
    right = signed_request(endpoint, "PUT", target, body=DATA, headers={name: encoded(algorithm, DATA)})
    assert right.status_code == 200, right.content
    assert signed_request(endpoint, "GET", target).content == DATA


def _unsigned_trailer_body(data: bytes, name: str, value: str) -> bytes:
    return b"%x\r\n%s\r\n0\r\n%s:%s\r\n\r\n" % (len(data), data, name.encode(), value.encode())


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_ref_s3_unsigned_trailer_checksum_right_and_wrong(s3_reference, s3_north, s3_key, algorithm):
    endpoint, target = s3_reference.endpoints[NORTH], path(s3_north, s3_key)
    name = f"x-amz-checksum-{algorithm}"
    headers = {"content-encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(DATA)),
               "x-amz-trailer": name}

    def put(value: str) -> requests.Response:
        body = _unsigned_trailer_body(DATA, name, value)
        return signed_request(endpoint, "PUT", target, body=body, headers=headers,
                              payload_hash="STREAMING-UNSIGNED-PAYLOAD-TRAILER")

    assert _code(put(encoded(algorithm, b"x"))) == (400, "BadDigest")
    assert signed_request(endpoint, "HEAD", target).status_code == 404
    assert put(encoded(algorithm, DATA)).status_code == 200
    assert signed_request(endpoint, "GET", target).content == DATA


@pytest.mark.parametrize(
    "headers",
    [
        {"x-amz-checksum-crc32": "not base64!"},
        {"x-amz-checksum-sha256": base64.b64encode(b"short").decode()},
        {"x-amz-checksum-crc32": encoded("crc32", DATA), "x-amz-checksum-sha1": encoded("sha1", DATA)},
    ],
    ids=["not-base64", "wrong-length", "two-algorithms"],
)
def test_ref_s3_malformed_checksum_header_is_invalid_request(s3_reference, s3_north, s3_key, headers):
    endpoint, target = s3_reference.endpoints[NORTH], path(s3_north, s3_key)
    answer = signed_request(endpoint, "PUT", target, body=DATA, headers=headers)
    assert _code(answer) == (400, "InvalidRequest")
    assert signed_request(endpoint, "HEAD", target).status_code == 404


@pytest.mark.parametrize(
    ("content_md5", "expected"),
    [
        (hashlib.md5(DATA).hexdigest(), (400, "InvalidDigest")),
        ("not-an-md5", (400, "InvalidDigest")),
        (base64.b64encode(hashlib.md5(b"other").digest()).decode(), (400, "BadDigest")),
        (base64.b64encode(hashlib.md5(DATA).digest()).decode(), (200, None)),
    ],
    ids=["hex", "garbage", "wrong", "right"],
)
def test_ref_s3_content_md5(s3_reference, s3_north, s3_key, content_md5, expected):
    endpoint, target = s3_reference.endpoints[NORTH], path(s3_north, s3_key)
    answer = signed_request(endpoint, "PUT", target, body=DATA, headers={"Content-MD5": content_md5})
    if expected[1] is None:
        assert answer.status_code == 200
        assert signed_request(endpoint, "GET", target).content == DATA
    else:
        assert _code(answer) == expected
        assert signed_request(endpoint, "HEAD", target).status_code == 404


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA1", "SHA256"])
def test_ref_s3_boto3_checksum_algorithm_is_accepted(s3, s3_north, s3_key, algorithm):
    client: boto3.client = s3(NORTH)
    client.put_object(Bucket=s3_north, Key=s3_key, Body=DATA, ChecksumAlgorithm=algorithm)
    assert client.get_object(Bucket=s3_north, Key=s3_key)["Body"].read() == DATA
