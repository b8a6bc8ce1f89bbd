"""A chunk-signed request (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) for the S3 front's tests: botocore
signs the headers (the seed signature); the chunk and trailer signatures come from conformance.sigv4, whose
streaming stages are proven by the staged AWS vectors (botocore has no chunk signer)."""

from __future__ import annotations

import datetime

import requests
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from freezegun import freeze_time
from ref_helpers import ALICE, NORTH, RefUser
from s3_signing import _GivenPayloadAuth

from conformance import sigv4

SIGNATURE_LENGTH = 64


def _frame(size: int, signature: str) -> bytes:
    return b"%x;chunk-signature=%s\r\n" % (size, signature.encode())


def _tampered(signature: str) -> str:
    return ("0" if signature[0] != "0" else "1") + signature[1:]


def streaming_body(
    signing: tuple[bytes, str, str, str],
    data: bytes,
    chunk_size: int,
    trailers: list[tuple[str, str]] | None = None,
    wrong_chunk: int | None = None,
    wrong_trailer_signature: bool = False,
) -> bytes:
    """The aws-chunked body of `data` in `chunk_size` chunks (and the final empty one), each signed with
    `signing` = (key, amz_date, scope, seed); `wrong_chunk` (index, the final chunk is the last) or
    `wrong_trailer_signature` send one signature altered."""
    key, amz_date, scope, seed = signing
    chunks = [data[i : i + chunk_size] for i in range(0, len(data), chunk_size)] + [b""]
    signatures = sigv4.chunk_signatures(key, amz_date, scope, seed, chunks)
    body = []
    for index, (chunk, signature) in enumerate(zip(chunks, signatures, strict=True)):
        sent = _tampered(signature) if index == wrong_chunk else signature
        body.append(_frame(len(chunk), sent) + chunk + (b"\r\n" if chunk else b""))
    if trailers is None:
        return b"".join(body) + b"\r\n"
    canonical = sigv4.canonical_trailer(trailers)
    text = sigv4.trailer_string_to_sign(amz_date, scope, signatures[-1], canonical)
    trailer_signature = sigv4.signature(key, text)
    if wrong_trailer_signature:
        trailer_signature = _tampered(trailer_signature)
    lines = "".join(f"{name}:{value}\r\n" for name, value in trailers)
    return b"".join(body) + f"{lines}x-amz-trailer-signature:{trailer_signature}\r\n\r\n".encode()


def chunk_signed_put(
    endpoint: str,
    target: str,
    data: bytes,
    *,
    chunk_size: int = 8192,
    trailers: list[tuple[str, str]] | None = None,
    region: str = NORTH,
    user: RefUser = ALICE,
    headers: dict[str, str] | None = None,
    decoded_length: int | None = None,
    **tamper,
) -> requests.Response:
    """PUT `data` to `target` chunk-signed (with signed `trailers` when given: the -TRAILER form)."""
    form = sigv4.STREAMING_PAYLOAD_TRAILER if trailers is not None else sigv4.STREAMING_PAYLOAD
    sent_headers = {
        "content-encoding": "aws-chunked",
        "x-amz-decoded-content-length": str(len(data) if decoded_length is None else decoded_length),
        **(headers or {}),
    }
    if trailers is not None:
        sent_headers["x-amz-trailer"] = ",".join(name for name, _ in trailers)
    request = AWSRequest(method="PUT", url=endpoint + target, headers=sent_headers)
    now = datetime.datetime.now(datetime.UTC)
    with freeze_time(now):
        _GivenPayloadAuth(Credentials(user.access_key, user.secret_key), region, form).add_auth(request)
    amz_date = request.headers["X-Amz-Date"]
    seed = sigv4.parse_authorization(request.headers["Authorization"]).signature
    key = sigv4.signing_key(user.secret_key, amz_date, region, "s3")
    signing = (key, amz_date, sigv4.credential_scope(amz_date, region, "s3"), seed)
    body = streaming_body(signing, data, chunk_size, trailers, **tamper)
    prepared = request.prepare()
    return requests.put(prepared.url, headers=dict(prepared.headers), data=body, timeout=30)
