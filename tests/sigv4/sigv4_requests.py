"""Builders of SigV4 requests signed with exactly one client mistake, for the diagnosis tests.

A `Spec` is a request as sent (method, raw target, headers, body) plus what the client signed, each stage
defaulting to the correct one; `sent(spec)` signs it with conformance.sigv4's stages and gives the
SentRequest the diagnosis reads. Presigned and aws-chunked requests have their own builders.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import time
from dataclasses import dataclass, field, replace

from conformance import sigv4
from conformance.diagnosis import SentRequest

AK, SK = "AKSIGV4DIAG", "diag/secret+key"  # made up, not a real secret
AMZ_DATE = "20261207T080000Z"
REGION = "cn-north-1"
SIGNED_AT = calendar.timegm(time.strptime(AMZ_DATE, "%Y%m%dT%H%M%SZ"))
NOW = SIGNED_AT + 5
HOST = "bucket.s3.cn-north-1.example.test"
BODY = b"hello, part two"


@dataclass
class Spec:
    """A header-signed request; the `signed_*` fields (None: the correct value) say what the client signed."""

    method: str = "PUT"
    raw_path: str = "/dir/a%20b%2Bc.txt"
    raw_query: str = "uploadId=U%2B1&partNumber=2"
    extra_headers: list[tuple[str, str]] = field(default_factory=lambda: [("Content-Type", "text/plain")])
    body: bytes = BODY
    amz_date: str = AMZ_DATE
    payload_header: str | None = None  # x-amz-content-sha256 sent (None: the body's hash)
    listed: list[str] = field(default_factory=lambda: ["content-type", "host", "x-amz-content-sha256",
                                                       "x-amz-date"])
    named_scope: tuple[str, str, str, str] = (AMZ_DATE[:8], REGION, "s3", "aws4_request")
    signed_path: str | None = None
    signed_query: str | None = None
    signed_names: list[str] | None = None
    signed_values: dict[str, str] = field(default_factory=dict)
    signed_payload: str | None = None
    key_scope: tuple[str, str, str] | None = None  # (date, region, service) the key and scope were made for
    raw_values: bool = False  # sign the header values as sent (not trimmed, inner spaces not folded)
    drop_after_signing: tuple[str, ...] = ()

    def headers(self) -> list[tuple[str, str]]:
        """The headers sent, Authorization aside."""
        payload = self.payload_header or sigv4.payload_hash(self.body)
        sent = [("Host", HOST), ("X-Amz-Date", self.amz_date), ("X-Amz-Content-Sha256", payload)]
        return [*sent, *self.extra_headers]


def client_signature(spec: Spec) -> str:
    """The signature the client computes, with the mistakes `spec` describes."""
    headers = [(n, spec.signed_values.get(n.lower(), v)) for n, v in spec.headers()]
    names = spec.signed_names if spec.signed_names is not None else spec.listed
    path = spec.signed_path or sigv4.canonical_uri_from_wire(spec.raw_path)
    query = spec.signed_query if spec.signed_query is not None else sigv4.canonical_query(
        sigv4.parse_query(spec.raw_query))
    payload = spec.signed_payload or spec.payload_header or sigv4.payload_hash(spec.body)
    canonical = sigv4.canonical_request(spec.method, path, query, headers, names, payload)
    if spec.raw_values:
        block = "".join(f"{n.lower()}:{v}\n" for n, v in sorted(headers, key=lambda h: h[0].lower())
                        if n.lower() in names)
        canonical = "\n".join([spec.method, path, query, block, sigv4.signed_headers(names), payload])
    date, region, service = spec.key_scope or spec.named_scope[:3]
    scope = "/".join([date, region, service, spec.named_scope[3]])
    text = sigv4.string_to_sign(spec.amz_date, scope, canonical)
    return sigv4.signature(_key(date, region, service, spec.named_scope[3]), text)


def _key(date: str, region: str, service: str, terminator: str) -> bytes:
    """The signing key, derived here too so a client may end its scope with another terminator."""
    key = ("AWS4" + SK).encode()
    for part in (date, region, service, terminator):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def sent(spec: Spec, **request_fields) -> SentRequest:
    """The request as it reaches the server: the client's Authorization added, dropped headers removed."""
    credential = "/".join([AK, *spec.named_scope])
    authorization = (f"{sigv4.ALGORITHM} Credential={credential}, SignedHeaders={';'.join(spec.listed)}, "
                     f"Signature={client_signature(spec)}")
    headers = [(n, v) for n, v in spec.headers() if n.lower() not in spec.drop_after_signing]
    target = spec.raw_path + ("?" + spec.raw_query if spec.raw_query else "")
    fields = {"received_at": NOW, "endpoint_regions": (REGION,), "body": spec.body, **request_fields}
    return SentRequest(spec.method, target, [*headers, ("Authorization", authorization)], **fields)


def presigned(expires: int = 3600, signed_query_order_sent: bool = False, **request_fields) -> SentRequest:
    """A presigned GET (UNSIGNED-PAYLOAD, host signed); optionally signed with its query unsorted."""
    scope = sigv4.credential_scope(AMZ_DATE, REGION, "s3")
    pairs = [("response-content-type", "text/plain"),
             *sigv4.presign_query(AK, scope, AMZ_DATE, expires, ["host"])]
    if signed_query_order_sent:
        query = "&".join(f"{sigv4.uri_encode(k)}={sigv4.uri_encode(v)}" for k, v in pairs)
    else:
        query = sigv4.canonical_query(pairs)
    canonical = sigv4.canonical_request("GET", "/dir/k.txt", query, [("host", HOST)], ["host"],
                                        sigv4.UNSIGNED_PAYLOAD)
    text = sigv4.string_to_sign(AMZ_DATE, scope, canonical)
    sig = sigv4.signature(sigv4.signing_key(SK, AMZ_DATE, REGION, "s3"), text)
    target = "/dir/k.txt?" + sigv4.presigned_query_string(pairs, sig)
    fields = {"received_at": NOW, "endpoint_regions": (REGION,), **request_fields}
    return SentRequest("GET", target, [("Host", HOST)], **fields)


def chunked(payload_form: str, chunks: list[bytes], trailer: list[tuple[str, str]] | None = None,
            chunk_mistake: int | None = None, seed_chained: bool = False,
            trailer_signed_over: str | None = None) -> SentRequest:
    """A streaming PUT: aws-chunked body with chunk signatures (signed forms) and an optional trailer.

    `chunk_mistake` (a 0-based chunk index) gets a signature over other bytes; `seed_chained` chains every
    chunk on the seed; `trailer_signed_over` signs another trailer text than the one sent."""
    spec = Spec(raw_query="", extra_headers=[("Content-Encoding", "aws-chunked")], body=b"",
                payload_header=payload_form,
                listed=["content-encoding", "host", "x-amz-content-sha256", "x-amz-date"])
    seed = client_signature(spec)
    key = sigv4.signing_key(SK, AMZ_DATE, REGION, "s3")
    scope = sigv4.credential_scope(AMZ_DATE, REGION, "s3")
    signed = payload_form != sigv4.STREAMING_UNSIGNED_TRAILER
    parts, previous = [], seed
    for index, data in enumerate([*chunks, b""]):
        signed_data = data + b"!" if index == chunk_mistake else data
        chained_on = seed if seed_chained else previous
        previous = sigv4.signature(key, sigv4.chunk_string_to_sign(AMZ_DATE, scope, chained_on, signed_data))
        extension = f";chunk-signature={previous}" if signed else ""
        parts.append(f"{len(data):x}{extension}\r\n".encode() + data + (b"\r\n" if data else b""))
    body = b"".join(parts)
    for name, value in trailer or []:
        body += f"{name}:{value}\r\n".encode()
    if trailer is not None and payload_form == sigv4.STREAMING_PAYLOAD_TRAILER:
        text = trailer_signed_over if trailer_signed_over is not None else sigv4.canonical_trailer(trailer)
        to_sign = sigv4.trailer_string_to_sign(AMZ_DATE, scope, previous, text)
        trailer_signature = sigv4.signature(key, to_sign)
        body += f"x-amz-trailer-signature:{trailer_signature}\r\n".encode()
    body += b"\r\n"
    request = sent(replace(spec, body=b""))
    request.body = body
    return request
