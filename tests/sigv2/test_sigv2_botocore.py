"""Cross-check: botocore's HmacV1Auth (header) and HmacV1QueryAuth (presigned) and conformance.sigv2 agree.

botocore is a client the suite judges, so this is a cross-check, not the oracle (AWS's examples are: see
test_sigv2_aws_examples.py). Each request is signed by botocore; conformance.sigv2 rebuilds the signature from
what goes on the wire (path and query as sent, headers) and must land on botocore's.
"""

from __future__ import annotations

import datetime
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from botocore.auth import HmacV1Auth, HmacV1QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from freezegun import freeze_time

from conformance import sigv2

CREDS = Credentials("AKIDCROSSCHECK", "cross-check/secret+key")  # made up, not a real secret
WHEN = datetime.datetime(2026, 12, 7, 8, 0, 0)
ENDPOINT = "http://127.0.0.1:9000"

REQUESTS = [
    ("GET", "/bucket", "", {}),
    ("GET", "/bucket/plain.txt", "", {}),
    ("PUT", "/bucket/a key/with spaces+plus", "", {"Content-Type": "text/plain"}),
    ("PUT", "/bucket/k", "partNumber=3&uploadId=abc%2Fdef", {"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="}),
    ("POST", "/bucket/k", "uploads", {"x-amz-storage-class": "REDUCED_REDUNDANCY"}),
    ("GET", "/bucket/k", "response-content-type=text%2Fhtml&foo=bar", {"x-amz-meta-a": "  one  two "}),
    ("GET", "/bucket", "list-type=2&prefix=p%2F&delimiter=%2F", {}),
    ("DELETE", "/bucket/k", "uploadId=u1", {"X-Amz-Meta-Z": "z", "x-amz-meta-b": "b"}),
    ("GET", "/bucket/%E4%B8%AD%E6%96%87", "", {}),
]


def _url(path: str, query: str) -> str:
    return ENDPOINT + path + (f"?{query}" if query else "")


def _ours(method: str, path: str, query: str, headers, expires: str | None = None) -> str:
    resource = sigv2.canonical_resource(path, sigv2.parse_query(query))
    return sigv2.signature(CREDS.secret_key, sigv2.string_to_sign(method, headers, resource, expires))


@pytest.mark.parametrize(("method", "path", "query", "headers"), REQUESTS)
def test_sigv2_header_signature_agrees_with_botocore(method, path, query, headers):
    raw_path = quote(path, safe="/%+")
    request = AWSRequest(method=method, url=_url(raw_path, query), headers=dict(headers))
    with freeze_time(WHEN):
        HmacV1Auth(CREDS).add_auth(request)
    access_key, theirs = sigv2.parse_authorization(request.headers["Authorization"])
    assert access_key == CREDS.access_key
    assert _ours(method, raw_path, query, list(request.headers.items())) == theirs


@pytest.mark.parametrize(("method", "path", "query", "headers"), REQUESTS)
def test_sigv2_presigned_signature_agrees_with_botocore(method, path, query, headers):
    raw_path = quote(path, safe="/%+")
    request = AWSRequest(method=method, url=_url(raw_path, query), headers=dict(headers))
    with freeze_time(WHEN):
        HmacV1QueryAuth(CREDS, expires=600).add_auth(request)
    sent = urlsplit(request.url)
    fields = dict(parse_qsl(sent.query, keep_blank_values=True))
    assert fields["AWSAccessKeyId"] == CREDS.access_key
    assert int(fields["Expires"]) == int(WHEN.replace(tzinfo=datetime.UTC).timestamp()) + 600
    ours = _ours(method, sent.path, sent.query, list(request.headers.items()), fields["Expires"])
    assert ours == fields["Signature"]


def test_sigv2_a_different_secret_or_resource_gives_another_signature():
    method, path, query, headers = REQUESTS[3]
    base = _ours(method, path, query, headers)
    assert _ours(method, path + "x", query, headers) != base
    assert _ours(method, path, "partNumber=4&uploadId=abc%2Fdef", headers) != base
    other = sigv2.canonical_resource(path, sigv2.parse_query(query))
    assert sigv2.signature("another-secret", sigv2.string_to_sign(method, headers, other)) != base
