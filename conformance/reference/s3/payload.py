"""The request body as the S3 wire frames it, for every ``x-amz-content-sha256`` form: a hex SHA-256
(checked), UNSIGNED-PAYLOAD, and the aws-chunked forms STREAMING-UNSIGNED-PAYLOAD-TRAILER and
STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] (decoded and verified by `chunked.ChunkedDecoder`); then an
``x-amz-checksum-*`` header over the decoded body, and the form of Content-MD5 (base64; the wire-neutral
handler compares its value).

Each is a wrapper around the ASGI `receive` callable: the wire-neutral handlers read the plain body from it,
and a mismatch found at the end of the body raises before the handler installs anything.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from conformance import sigv4
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext
from conformance.reference.s3.checksums import (
    CHECKSUMS,
    HEADER_PREFIX,
    bad_digest,
    checksum_header,
    content_md5,
)
from conformance.reference.s3.chunked import ChunkedDecoder
from conformance.sigv4 import STREAMING_UNSIGNED_TRAILER as UNSIGNED_TRAILER
from conformance.sigv4 import UNSIGNED_PAYLOAD as UNSIGNED

HEX_SHA256 = re.compile(r"[0-9a-f]{64}")
CHUNK_SIGNED = (sigv4.STREAMING_PAYLOAD, sigv4.STREAMING_PAYLOAD_TRAILER)
TRAILER_FORMS = (UNSIGNED_TRAILER, sigv4.STREAMING_PAYLOAD_TRAILER)


def _message(body: bytes, more: bool) -> dict:
    return {"type": "http.request", "body": body, "more_body": more}


def _sha256_mismatch() -> JssError:
    return JssError(
        400,
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
    )


def _declared_trailer(ctx: RequestContext) -> str | None:
    """The checksum algorithm ``x-amz-trailer`` declares, None without one; 400 InvalidRequest for a trailer
    that is not one of the x-amz-checksum-* values."""
    declared = (ctx.header("x-amz-trailer") or "").strip().lower()
    if not declared:
        return None
    algorithm = declared.removeprefix(HEADER_PREFIX)
    if not declared.startswith(HEADER_PREFIX) or algorithm not in CHECKSUMS:
        raise JssError(400, "InvalidRequest", f"The value specified in the x-amz-trailer header is not "
                       f"supported: {declared}")
    return algorithm


def _decoded_length(ctx: RequestContext) -> int:
    """x-amz-decoded-content-length of an aws-chunked body: 411 MissingContentLength without it."""
    value = ctx.header("x-amz-decoded-content-length")
    if value is None:
        raise JssError(411, "MissingContentLength", "You must provide the Content-Length HTTP header.")
    if not value.isdigit():
        raise JssError(400, "InvalidArgument", "x-amz-decoded-content-length must be a number")
    return int(value)


def _chunked(ctx: RequestContext, payload_hash: str, receive: Callable) -> Callable:
    """`receive` yielding the decoded bytes of an aws-chunked body (signed chunks verified)."""
    signing = None
    if payload_hash in CHUNK_SIGNED:
        signing = ctx.stream_signing
        if signing is None:  # only a header signature seeds the chunk signatures
            raise JssError(400, "InvalidRequest", f"{payload_hash} needs a SigV4 Authorization header")
    trailer = _declared_trailer(ctx) if payload_hash in TRAILER_FORMS else None
    decoder = ChunkedDecoder(trailer, signing)
    declared = _decoded_length(ctx)

    async def decoded() -> dict:
        message = await receive()
        if message["type"] != "http.request":
            return message
        more = message.get("more_body", False)
        body = decoder.feed(message.get("body", b""))
        if not more:
            decoder.check_end(declared)
        return _message(body, more)

    return decoded


def _checked(receive: Callable, checks: list[tuple[object, Callable[[object], None]]]) -> Callable:
    """`receive` feeding every body message to each running digest, and calling each check with its digest
    at the end of the body."""
    if not checks:
        return receive

    async def checked() -> dict:
        message = await receive()
        body = message.get("body", b"")
        for running, _ in checks:
            running.update(body)
        if message["type"] == "http.request" and not message.get("more_body", False):
            for running, check in checks:
                check(running)
        return message

    return checked


def _payload_hash_check(expected: str) -> tuple[object, Callable]:
    def check(running) -> None:
        if running.hexdigest() != expected:
            raise _sha256_mismatch()

    return hashlib.sha256(), check


def _checksum_check(algorithm: str, expected: str) -> tuple[object, Callable]:
    def check(running) -> None:
        if base64.b64encode(running.digest()).decode() != expected:
            raise bad_digest(algorithm)

    return CHECKSUMS[algorithm](), check


def _receive_for(ctx: RequestContext, receive: Callable) -> Callable:
    payload_hash = ctx.header("x-amz-content-sha256") or UNSIGNED
    content_md5(ctx)  # its form; the wire-neutral handler compares the value with the body
    checks = []
    if payload_hash.startswith("STREAMING-"):
        if payload_hash not in (*CHUNK_SIGNED, UNSIGNED_TRAILER):
            raise JssError(400, "InvalidArgument", f"x-amz-content-sha256 {payload_hash} is not supported")
        receive = _chunked(ctx, payload_hash, receive)
    elif HEX_SHA256.fullmatch(payload_hash):
        checks.append(_payload_hash_check(payload_hash))
    if (checksum := checksum_header(ctx)) is not None:
        checks.append(_checksum_check(*checksum))
    return _checked(receive, checks)


def body_receive(ctx: RequestContext, receive: Callable) -> Callable:
    """The `receive` a handler reads the plain body from, for any ``x-amz-content-sha256`` form; a malformed
    form or value is refused when the body is read, so the access checks come first."""
    try:
        return _receive_for(ctx, receive)
    except JssError as exc:
        return _refusing(exc)


def _refusing(error: JssError) -> Callable:
    """A `receive` raising `error` when the handler reads the body (after its access checks)."""

    async def refuse() -> dict:
        raise error

    return refuse
