"""The SigV4 diagnosis never raises, whatever a client sends (the recorder runs it on every request and
`sign --explain` on pasted text): arbitrary targets, header values, Authorization parts and bodies give a
verdict."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sigv4_requests import AK, SK, Spec, sent

from conformance import sigv4
from conformance.diagnosis import SentRequest, diagnose, diagnose_signature

TEXT = st.text(max_size=40)
STREAMING = st.sampled_from([sigv4.STREAMING_PAYLOAD, sigv4.STREAMING_PAYLOAD_TRAILER,
                             sigv4.STREAMING_UNSIGNED_TRAILER, sigv4.UNSIGNED_PAYLOAD, "0" * 64])


def secret_for(access_key: str) -> str | None:
    return SK if access_key == AK else None


@settings(max_examples=300, deadline=None)
@given(path=TEXT, query=TEXT, date=TEXT, scope=st.lists(TEXT, min_size=0, max_size=6), names=TEXT,
       signature=TEXT, payload=STREAMING, body=st.one_of(st.none(), st.binary(max_size=200)))
def test_any_authorization_gives_a_verdict(path, query, date, scope, names, signature, payload, body):
    credential = "/".join([AK, *scope])
    authorization = f"{sigv4.ALGORITHM} Credential={credential}, SignedHeaders={names}, Signature={signature}"
    headers = [("Host", "h"), ("X-Amz-Date", date), ("X-Amz-Content-Sha256", payload),
               ("Authorization", authorization)]
    request = SentRequest("PUT", "/" + path + "?" + query, headers, body=body, received_at=0.0)

    assert diagnose_signature(request, secret_for).verdict in ("PASS", "FAIL")
    assert diagnose(request, "put", secret_for)[0]["verdict"] in ("PASS", "FAIL")


@settings(max_examples=200, deadline=None)
@given(query=st.lists(st.tuples(st.sampled_from(["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
                                                 "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature",
                                                 "x"]), TEXT), max_size=8))
def test_any_presigned_query_gives_a_verdict(query):
    target = "/k?" + "&".join(f"{sigv4.uri_encode(k)}={v}" for k, v in query)
    request = SentRequest("GET", target, [("Host", "h")], received_at=0.0)

    assert diagnose_signature(request, secret_for).verdict in ("PASS", "FAIL", "NONE")


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=300), payload=STREAMING)
def test_any_streaming_body_gives_a_verdict(body, payload):
    request = sent(Spec(payload_header=payload, body=b""))
    request.body = body

    assert diagnose_signature(request, secret_for).verdict in ("PASS", "FAIL")
