"""The expected SigV4 signature of a request: the one seam where the reference endpoint computes it.

It is computed by conformance.sigv4, the suite's own SigV4 (hashlib and hmac only), which the staged vectors
of fixtures/sigv4 prove stage by stage: the clients the endpoint judges (botocore, the JavaScript SDK) are
cross-checked against it, never used as its oracle.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class StreamSigning:
    """What verifies the chunks of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] body: the request's signing
    key and scope, and its header signature (the seed the first chunk's signature chains on)."""

    key: bytes
    amz_date: str
    scope: str
    seed: str

    @classmethod
    def of_request(
        cls, secret_key: str, amz_date: str, region: str, service: str, seed: str
    ) -> StreamSigning:
        """The chunk verifier of a request whose header signature `seed` was accepted."""
        key = sigv4.signing_key(secret_key, amz_date, region, service)
        return cls(key, amz_date, sigv4.credential_scope(amz_date, region, service), seed)

    def chunk(self, previous: str, chunk_sha256: str) -> str:
        """The expected signature of a chunk whose hex SHA-256 is `chunk_sha256`."""
        text = sigv4.chunk_digest_string_to_sign(self.amz_date, self.scope, previous, chunk_sha256)
        return sigv4.signature(self.key, text)

    def trailer(self, previous: str, trailers: list[tuple[str, str]]) -> str:
        """The expected ``x-amz-trailer-signature`` of the trailers (`previous`: the final chunk's)."""
        canonical = sigv4.canonical_trailer(trailers)
        text = sigv4.trailer_string_to_sign(self.amz_date, self.scope, previous, canonical)
        return sigv4.signature(self.key, text)
