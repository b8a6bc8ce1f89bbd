"""The SigV4 diagnosis: each client mistake of fixtures/diagnosis/sigv4-mistakes.toml, made on purpose with
conformance.sigv4's stages, is named exactly and nothing else is; a correct request is named nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from sigv4_requests import AK, AMZ_DATE, BODY, REGION, SIGNED_AT, SK, Spec, chunked, presigned, sent

from conformance import sigv4
from conformance.diagnosis import diagnose, diagnose_signature
from conformance.diagnosis.sigv4_mistakes import catalogue
from conformance.paths import fixtures_dir
from conformance.tomlfile import read_toml

DAY = AMZ_DATE[:8]
CHUNKS = [b"a" * 100, b"b" * 37]
CRC32 = "qY+2dg=="  # base64 of the big-endian CRC32 of CHUNKS joined (asserted below)
TRAILER = [("x-amz-checksum-crc32", CRC32)]


def secret_for(access_key: str) -> str | None:
    return SK if access_key == AK else None


def names(request) -> list[str]:
    return [m.name for m in diagnose_signature(request, secret_for).mistakes]


#: (test id, the one mistake id expected, a factory of the request signed with it)
CASES = [
    ("query-unsorted", "query-not-sorted", lambda: sent(Spec(signed_query="uploadId=U%2B1&partNumber=2"))),
    ("query-decoded", "query-not-encoded", lambda: sent(Spec(signed_query="partNumber=2&uploadId=U+1"))),
    ("presigned-query-unsorted", "query-not-sorted", lambda: presigned(signed_query_order_sent=True)),
    ("path-twice", "path-encoded-twice", lambda: sent(Spec(signed_path="/dir/a%2520b%252Bc.txt"))),
    ("path-decoded", "path-not-encoded", lambda: sent(Spec(signed_path="/dir/a b+c.txt"))),
    ("value-untrimmed", "header-value-not-trimmed",
     lambda: sent(Spec(extra_headers=[("Content-Type", " text/plain;  charset=utf-8")], raw_values=True))),
    ("amz-header-unsigned", "header-not-in-signed-headers",
     lambda: sent(Spec(extra_headers=[("Content-Type", "text/plain"), ("x-amz-meta-note", "n")]))),
    ("host-unsigned", "header-not-in-signed-headers",
     lambda: sent(Spec(listed=["content-type", "x-amz-content-sha256", "x-amz-date"]))),
    ("signed-not-listed", "header-signed-but-not-listed",
     lambda: sent(Spec(extra_headers=[("Content-Type", "text/plain"), ("Content-Language", "en")],
                       signed_names=["content-language", "content-type", "host", "x-amz-content-sha256",
                                     "x-amz-date"]))),
    ("content-type-changed", "signed-header-changed",
     lambda: sent(Spec(signed_values={"content-type": "application/octet-stream"}))),
    ("host-port-changed", "signed-header-changed",
     lambda: sent(Spec(signed_values={"host": "bucket.s3.cn-north-1.example.test:443"}))),
    ("signed-header-not-sent", "signed-header-changed",
     lambda: sent(Spec(extra_headers=[("Content-Type", "text/plain"), ("x-amz-meta-gone", "v")],
                       listed=["content-type", "host", "x-amz-content-sha256", "x-amz-date",
                               "x-amz-meta-gone"], drop_after_signing=("x-amz-meta-gone",)))),
    ("payload-not-body", "payload-hash-mismatch",
     lambda: sent(Spec(payload_header=sigv4.payload_hash(b"another body")))),
    ("payload-signed-unsigned", "payload-hash-not-as-sent",
     lambda: sent(Spec(signed_payload=sigv4.UNSIGNED_PAYLOAD))),
    ("region-named-wrong", "scope-region-wrong",
     lambda: sent(Spec(named_scope=(DAY, "us-east-1", "s3", "aws4_request")))),
    ("region-key-wrong", "scope-region-wrong", lambda: sent(Spec(key_scope=(DAY, "us-east-1", "s3")))),
    ("service-wrong", "scope-service-wrong",
     lambda: sent(Spec(named_scope=(DAY, REGION, "execute-api", "aws4_request")))),
    ("key-day-before", "scope-date-wrong", lambda: sent(Spec(key_scope=("20261206", REGION, "s3")))),
    ("terminator-wrong", "scope-terminator-wrong",
     lambda: sent(Spec(named_scope=(DAY, REGION, "s3", "aws4-request")))),
    ("scope-day-after", "amz-date-scope-mismatch",
     lambda: sent(Spec(named_scope=("20261208", REGION, "s3", "aws4_request")))),
    ("clock-behind", "clock-skew", lambda: sent(Spec(amz_date=DAY + "T070000Z"))),
    ("presigned-future", "clock-skew", lambda: presigned(received_at=SIGNED_AT - 3600)),
    ("presigned-expired", "presigned-expired", lambda: presigned(expires=2, received_at=SIGNED_AT + 3)),
    ("presigned-too-long", "presigned-expires-too-large", lambda: presigned(expires=604801)),
    ("chunk-bytes", "chunk-signature-wrong",
     lambda: chunked(sigv4.STREAMING_PAYLOAD, CHUNKS, chunk_mistake=1)),
    ("chunk-seed-chained", "chunk-signature-wrong",
     lambda: chunked(sigv4.STREAMING_PAYLOAD, CHUNKS, seed_chained=True)),
    ("trailer-crc-unsigned", "trailer-checksum-wrong",
     lambda: chunked(sigv4.STREAMING_UNSIGNED_TRAILER, CHUNKS,
                     trailer=[("x-amz-checksum-crc32", "AAAAAA==")])),
    ("trailer-crc-signed", "trailer-checksum-wrong",
     lambda: chunked(sigv4.STREAMING_PAYLOAD_TRAILER, CHUNKS, trailer=[("x-amz-checksum-sha256", "AA==")])),
    ("trailer-signed-without-lf", "trailer-signature-wrong",
     lambda: chunked(sigv4.STREAMING_PAYLOAD_TRAILER, CHUNKS, trailer=TRAILER,
                     trailer_signed_over=f"x-amz-checksum-crc32:{CRC32}")),
]

CORRECT = [
    ("header", lambda: sent(Spec())),
    ("header-no-query-get", lambda: sent(Spec(method="GET", raw_query="", body=b""))),
    ("presigned", presigned),
    ("streaming-signed", lambda: chunked(sigv4.STREAMING_PAYLOAD, CHUNKS)),
    ("streaming-signed-trailer", lambda: chunked(sigv4.STREAMING_PAYLOAD_TRAILER, CHUNKS, trailer=TRAILER)),
    ("streaming-unsigned-trailer",
     lambda: chunked(sigv4.STREAMING_UNSIGNED_TRAILER, CHUNKS, trailer=TRAILER)),
]


@pytest.mark.parametrize(("expected", "make"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_mistake_is_named_and_nothing_else(expected, make):
    diagnosis = diagnose_signature(make(), secret_for)

    assert diagnosis.verdict == "FAIL"
    assert [m.name for m in diagnosis.mistakes] == [expected], diagnosis.detail
    assert diagnosis.clause == catalogue()[expected][1]


@pytest.mark.parametrize("make", [c[1] for c in CORRECT], ids=[c[0] for c in CORRECT])
def test_a_correct_request_is_named_nothing(make):
    diagnosis = diagnose_signature(make(), secret_for)

    assert (diagnosis.verdict, diagnosis.mistakes, diagnosis.detail) == ("PASS", [], "matches")


def test_every_catalogued_mistake_has_a_case_and_every_case_a_catalogued_mistake():
    assert {case[1] for case in CASES} == set(catalogue())


def test_the_trailer_fixture_checksum_is_the_crc32_of_the_chunks():
    import base64
    import zlib

    assert base64.b64encode(zlib.crc32(b"".join(CHUNKS)).to_bytes(4, "big")).decode() == CRC32


def test_an_unexplained_signature_gives_the_servers_canonical_request_and_string_to_sign():
    request = sent(Spec())
    request.headers[-1] = ("Authorization", request.headers[-1][1][:-8] + "00000000")

    diagnosis = diagnose_signature(request, secret_for)

    assert (diagnosis.verdict, diagnosis.mistakes) == ("FAIL", [])
    assert diagnosis.clause == "signature.wrong-signature"
    first_lines = "PUT\n/dir/a%20b%2Bc.txt\npartNumber=2&uploadId=U%2B1\n"
    assert diagnosis.expected_canonical_request.startswith(first_lines)
    assert diagnosis.expected_string_to_sign.startswith(f"{sigv4.ALGORITHM}\n{AMZ_DATE}\n{DAY}/{REGION}/s3/")


def test_unknown_access_key_and_malformed_authorization_are_said():
    request = sent(Spec())
    assert diagnose_signature(request, lambda _: None).clause == "signature.unknown-access-key"
    request.headers[-1] = ("Authorization", f"{sigv4.ALGORITHM} Credential={AK}/{DAY}/{REGION}/s3")
    assert diagnose_signature(request, secret_for).detail.startswith("malformed")


def test_the_clock_is_the_servers_when_the_request_does_not_say_when_it_arrived():
    request = replace(sent(Spec()), received_at=None)

    with freeze_time(datetime.fromtimestamp(SIGNED_AT + 60, UTC)):
        assert names(request) == []
    with freeze_time(datetime.fromtimestamp(SIGNED_AT + 3600, UTC)):
        assert names(request) == ["clock-skew"]


def test_a_sigv4_request_gets_no_jss_content_checks():
    md5 = ("Content-MD5", "XUFAKrxLKna5cZ2REBfFkg==")
    request = sent(Spec(extra_headers=[("Content-Type", "text/plain"), md5],
                        listed=["content-md5", "content-type", "host", "x-amz-content-sha256", "x-amz-date"]))

    verdicts = diagnose(request, "upload-part", secret_for)

    assert [v["clause"] for v in verdicts] == ["signature.s3.accepted"]
    assert verdicts[0]["verdict"] == "PASS"


def test_the_body_is_what_the_payload_hash_is_checked_against():
    assert names(sent(Spec(body=BODY))) == []
    assert names(replace(sent(Spec()), body=BODY + b"!")) == ["payload-hash-mismatch"]


def test_every_mistake_breaks_a_clause_of_the_catalogue_that_applies_to_s3():
    clauses = {entry["id"]: entry for entry in read_toml(fixtures_dir() / "clauses.toml")["clause"]}

    for mistake_id, (_, clause, description) in catalogue().items():
        assert "s3" in clauses[clause].get("dialects", ()), (mistake_id, clause)
        assert description and "\n" not in description, mistake_id
