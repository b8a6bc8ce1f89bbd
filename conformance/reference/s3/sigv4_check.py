"""The expected SigV4 signature of a request: the one seam where the reference endpoint computes it.

It is computed by conformance.sigv4, the suite's own SigV4 (hashlib and hmac only), which the staged vectors
of fixtures/sigv4 prove stage by stage: the clients the endpoint judges (botocore, the JavaScript SDK) are
cross-checked against it, never used as its oracle.
"""

from __future__ import annotations

from conformance import sigv4


def expected_signature(
    method: str,
    raw_path: str,
    raw_query: str,
    signed_headers: list[tuple[str, str]],
    payload_hash: str,
    amz_date: str,
    region: str,
    service: str,
    secret_key: str,
) -> str:
    """The hex SigV4 signature a client holding `secret_key` sends for this request.

    `raw_path` and `raw_query` are as sent (still percent-encoded; the query without X-Amz-Signature for a
    presigned URL); `signed_headers` are the (lowercase name, value) pairs SignedHeaders names; `amz_date` is
    the X-Amz-Date timestamp (its first 8 characters are the scope's date); `region` and `service` are the
    credential scope's.
    """
    canonical = sigv4.canonical_request(
        method,
        sigv4.canonical_uri_from_wire(raw_path),
        sigv4.canonical_query(sigv4.parse_query(raw_query)),
        signed_headers,
        [name for name, _ in signed_headers],
        payload_hash,
    )
    scope = sigv4.credential_scope(amz_date, region, service)
    key = sigv4.signing_key(secret_key, amz_date, region, service)
    return sigv4.signature(key, sigv4.string_to_sign(amz_date, scope, canonical))
