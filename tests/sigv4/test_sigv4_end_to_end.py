"""sigv4.sign (one call on the raw request) and sigv4.parse_authorization against the staged vectors."""

from __future__ import annotations

import pytest
import sigv4_vectors as sv

from conformance import sigv4

CASES = sv.case_ids()
HEADER_CASES = [case for case in CASES if sv.load(case).has("header-canonical-request")]


@pytest.mark.parametrize("case", HEADER_CASES)
def test_sign_reproduces_every_header_stage(case: str) -> None:
    vector = sv.load(case)
    headers, names = sv.header_signed(vector)
    target = vector.path + (f"?{vector.query}" if vector.query else "")
    c = vector.context
    signed = sigv4.sign(
        vector.method, target, headers, names, sv.content_hash(vector), c["secret_key"], vector.amz_date,
        c["region"], c["service"],
    )
    assert signed.canonical_request == vector.expected("header-canonical-request"), "canonical-request"
    assert signed.string_to_sign == vector.expected("header-string-to-sign"), "string-to-sign"
    assert signed.signature == vector.expected("header-signature"), "signature"


AUTHORIZED = [case for case in CASES if sv.load(case).has("header-authorization")]


@pytest.mark.parametrize("case", AUTHORIZED)
def test_parse_authorization_gives_back_the_parts(case: str) -> None:
    vector = sv.load(case)
    parts = sigv4.parse_authorization(vector.expected("header-authorization"))
    assert parts.access_key == vector.context["access_key"]
    assert (parts.date, parts.region, parts.service) == (vector.amz_date[:8], "us-east-1", "service")
    assert parts.signed_headers == sigv4.signed_headers(sv.header_signed(vector)[1]).split(";")
    assert parts.signature == vector.expected("header-signature")


@pytest.mark.parametrize(
    "value",
    [
        "AWS4-HMAC-SHA1 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=ab",
        "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3,SignedHeaders=host,Signature=ab",
        "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,Signature=ab",
        "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature",
        "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,"
        "Signature=ab,Signature=cd",
    ],
    ids=["algorithm", "scope-short", "no-signed-headers", "no-equals", "repeated"],
)
def test_parse_authorization_refuses_malformed(value: str) -> None:
    with pytest.raises(ValueError):
        sigv4.parse_authorization(value)
