"""Cross-check: botocore's S3SigV4Auth / S3SigV4QueryAuth and conformance.sigv4 agree on generated requests.

botocore is a client the suite judges, so this is a cross-check, not the oracle (the staged vectors are). Each
request is signed by botocore; our module rebuilds the canonical request, string to sign and signature from
what goes on the wire (URL, headers, body) and must land on botocore's values.
"""

from __future__ import annotations

import datetime
from urllib.parse import quote, urlsplit

import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance import sigv4

CREDS = Credentials("AKIDCROSSCHECK", "cross-check/secret+key")  # made up, not a real secret
WHEN = datetime.datetime(2026, 12, 7, 8, 0, 0)
AMZ_DATE = WHEN.strftime("%Y%m%dT%H%M%SZ")
REGION = "cn-north-1"
HOST = "bucket.s3.cn-north-1.jdcloud-oss.com"

REQUESTS = [
    ("GET", "plain.txt", "", {}, b""),
    ("PUT", "dir/key with spaces & $igns.bin", "", {"Content-Type": "text/plain"}, b"abc" * 100),
    ("GET", "ключ/中文", "", {"Range": "bytes=0-9"}, b""),
    ("GET", "", "prefix=a%2Fb&max-keys=10&delimiter=%2F&list-type=2", {}, b""),
    ("POST", "big.iso", "uploads", {"x-amz-storage-class": "REDUCED_REDUNDANCY"}, b""),
    ("PUT", "big.iso", "uploadId=2~abc%2B%3D&partNumber=3", {"X-Amz-Meta-Note": "  a   b  "}, b"x"),
    ("DELETE", "a+b=c~d.txt", "uploadId=u-1", {}, b""),
]


def _url(key: str, query: str) -> str:
    path = "/" + quote(key, safe="/~")
    return f"https://{HOST}{path}" + (f"?{query}" if query else "")


def _botocore_header_signed(method, key, query, headers, body):
    request = AWSRequest(method=method, url=_url(key, query), headers=dict(headers), data=body)
    with freeze_time(WHEN):
        S3SigV4Auth(CREDS, "s3", REGION).add_auth(request)
    return request


def _parts(authorization: str) -> dict[str, str]:
    rest = authorization.split(" ", 1)[1]
    return dict(part.strip().split("=", 1) for part in rest.split(","))


def _ours_header(request: AWSRequest) -> tuple[str, str]:
    split = urlsplit(request.url)
    names = _parts(request.headers["Authorization"])["SignedHeaders"].split(";")
    headers = [(name, value) for name, value in request.headers.items() if name.lower() != "authorization"]
    headers.append(("host", split.netloc))
    canonical = sigv4.canonical_request(
        request.method,
        sigv4.canonical_uri_from_wire(split.path),
        sigv4.canonical_query(sigv4.parse_query(split.query)),
        headers,
        names,
        request.headers["X-Amz-Content-SHA256"],
    )
    scope = sigv4.credential_scope(AMZ_DATE, REGION, "s3")
    text = sigv4.string_to_sign(AMZ_DATE, scope, canonical)
    sig = sigv4.signature(sigv4.signing_key(CREDS.secret_key, AMZ_DATE, REGION, "s3"), text)
    return sigv4.authorization_header(CREDS.access_key, scope, names, sig), sig


def _normalized(authorization: str) -> str:
    return authorization.replace(", ", ",")


@pytest.mark.parametrize(("method", "key", "query", "headers", "body"), REQUESTS)
def test_header_signing_agrees_with_botocore(method, key, query, headers, body) -> None:
    request = _botocore_header_signed(method, key, query, headers, body)
    assert request.headers["X-Amz-Content-SHA256"] == sigv4.payload_hash(body)
    ours, _ = _ours_header(request)
    assert _normalized(ours) == _normalized(request.headers["Authorization"])


@pytest.mark.parametrize(("method", "key", "query", "headers", "body"), REQUESTS)
def test_presigned_url_agrees_with_botocore(method, key, query, headers, body) -> None:
    request = AWSRequest(method=method, url=_url(key, query), headers={}, data=b"")
    with freeze_time(WHEN):
        S3SigV4QueryAuth(CREDS, "s3", REGION, expires=900).add_auth(request)
    split = urlsplit(request.url)
    sent = sigv4.parse_query(split.query)
    theirs = dict(sent)["X-Amz-Signature"]
    own_query = sigv4.parse_query(query)
    scope = sigv4.credential_scope(AMZ_DATE, REGION, "s3")
    pairs = own_query + sigv4.presign_query(CREDS.access_key, scope, AMZ_DATE, 900, ["host"])
    assert sorted(pairs) == sorted(p for p in sent if p[0] != "X-Amz-Signature")
    canonical = sigv4.canonical_request(
        method, sigv4.canonical_uri_from_wire(split.path), sigv4.canonical_query(pairs),
        [("host", split.netloc)], ["host"], sigv4.UNSIGNED_PAYLOAD,
    )
    text = sigv4.string_to_sign(AMZ_DATE, scope, canonical)
    assert sigv4.signature(sigv4.signing_key(CREDS.secret_key, AMZ_DATE, REGION, "s3"), text) == theirs


@settings(max_examples=60, deadline=None)
@given(
    key=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30),
    value=st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
)
def test_generated_keys_and_query_values_agree_with_botocore(key: str, value: str) -> None:
    query = f"prefix={quote(value, safe='~')}&z=1&a="
    request = _botocore_header_signed("GET", key, query, {}, b"")
    ours, _ = _ours_header(request)
    assert _normalized(ours) == _normalized(request.headers["Authorization"])
