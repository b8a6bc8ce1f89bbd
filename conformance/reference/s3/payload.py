"""The request body as the S3 wire frames it: checked against ``x-amz-content-sha256`` (a hex SHA-256 or
UNSIGNED-PAYLOAD), decoded from aws-chunked for STREAMING-UNSIGNED-PAYLOAD-TRAILER (its ``x-amz-checksum-*``
trailer verified), and checked against an ``x-amz-checksum-*`` header.

Each is a wrapper around the ASGI `receive` callable: the wire-neutral handlers read the plain body from it,
and a mismatch found at the end of the body raises before the handler installs anything. Chunk-signed bodies
(STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) are not verified yet: 501 NotImplemented.
"""

from __future__ import annotations

import base64
import hashlib
import re
import zlib
from collections.abc import Callable

from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext
from conformance.sigv4 import STREAMING_PAYLOAD, STREAMING_PAYLOAD_TRAILER
from conformance.sigv4 import STREAMING_UNSIGNED_TRAILER as UNSIGNED_TRAILER
from conformance.sigv4 import UNSIGNED_PAYLOAD as UNSIGNED

HEX_SHA256 = re.compile(r"[0-9a-f]{64}")
#: A chunk-size line, a trailer line or the final CRLF: never longer than this.
MAX_LINE = 4096


class _Crc32:
    """CRC32 with hashlib's update/digest interface (the digest as S3 sends it: 4 bytes, big-endian)."""

    def __init__(self) -> None:
        self.value = 0

    def update(self, data: bytes) -> None:
        self.value = zlib.crc32(data, self.value)

    def digest(self) -> bytes:
        return self.value.to_bytes(4, "big")


CHECKSUMS: dict[str, Callable[[], object]] = {
    "crc32": _Crc32,
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
}
#: Every checksum algorithm S3 defines: one of them not in CHECKSUMS is 501 (not served yet), any other name
#: is the client's mistake (400 InvalidRequest).
S3_CHECKSUMS = frozenset({"crc32", "crc32c", "crc64nvme", "sha1", "sha256"})


def _checked_algorithm(algorithm: str, where: str) -> str:
    """`algorithm` when it is checked here; 501 NotImplemented for an S3 algorithm not checked yet, 400
    InvalidRequest for a name S3 does not define."""
    if algorithm in CHECKSUMS:
        return algorithm
    if algorithm in S3_CHECKSUMS:
        raise JssError(501, "NotImplemented", f"{where} is not checked here yet")
    raise JssError(400, "InvalidRequest", f"{where} does not name a checksum algorithm")


def _checksum_header(ctx: RequestContext) -> tuple[str, str] | None:
    """(algorithm, base64 value) of an ``x-amz-checksum-<alg>`` header; 501 for an algorithm not checked."""
    for name, value in ctx.headers:
        if name.startswith("x-amz-checksum-") and name != "x-amz-checksum-type":
            return _checked_algorithm(name.removeprefix("x-amz-checksum-"), name), value
    return None


def _bad_digest(algorithm: str) -> JssError:
    return JssError(
        400, "BadDigest", f"The {algorithm.upper()} you specified did not match the calculated checksum"
    )


def _message(body: bytes, more: bool) -> dict:
    return {"type": "http.request", "body": body, "more_body": more}


def plain_receive(ctx: RequestContext, receive: Callable) -> Callable:
    """`receive` checking the body against the payload hash and any ``x-amz-checksum-*`` header."""
    payload_hash = ctx.header("x-amz-content-sha256") or UNSIGNED
    checksum = _checksum_header(ctx)
    sha = hashlib.sha256() if HEX_SHA256.fullmatch(payload_hash) else None
    digest = CHECKSUMS[checksum[0]]() if checksum else None
    if sha is None and digest is None:
        return receive

    async def checked() -> dict:
        message = await receive()
        body = message.get("body", b"")
        for running in (sha, digest):
            if running is not None:
                running.update(body)
        if message["type"] == "http.request" and not message.get("more_body", False):
            if sha is not None and sha.hexdigest() != payload_hash:
                raise JssError(
                    400,
                    "XAmzContentSHA256Mismatch",
                    "The provided 'x-amz-content-sha256' header does not match what was computed.",
                )
            if digest is not None and base64.b64encode(digest.digest()).decode() != checksum[1]:
                raise _bad_digest(checksum[0])
        return message

    return checked


class _ChunkedDecoder:
    """Decode an aws-chunked body with unsigned chunks: ``hex-size CRLF data CRLF`` ... ``0 CRLF``, trailers,
    then CRLF. Trailer checksums are verified against the decoded bytes."""

    def __init__(self, trailer: str | None) -> None:
        self.buffer = b""
        self.remaining = -1  # bytes left in the current chunk; -1: a size line is next
        self.finished = False
        self.trailers: dict[str, str] = {}
        self.trailer = trailer
        self.digest = CHECKSUMS[trailer]() if trailer else None

    def feed(self, data: bytes) -> bytes:
        """The decoded bytes `data` completes; 400 IncompleteBody for a malformed frame."""
        self.buffer += data
        out = []
        while self.buffer and not self.finished:
            if self.remaining > 0:
                piece, self.buffer = self.buffer[: self.remaining], self.buffer[self.remaining :]
                self.remaining -= len(piece)
                out.append(piece)
                continue
            line, found, rest = self.buffer.partition(b"\r\n")
            if not found:
                if len(self.buffer) > MAX_LINE:
                    raise JssError(400, "IncompleteBody", "An aws-chunked line is too long")
                break
            self.buffer = rest
            self._line(line)
        decoded = b"".join(out)
        if self.digest is not None:
            self.digest.update(decoded)
        return decoded

    def _line(self, line: bytes) -> None:
        if self.remaining == 0:  # the CRLF after a chunk's data
            if line:
                raise JssError(400, "IncompleteBody", "An aws-chunked chunk is longer than its size")
            self.remaining = -1
        elif self.remaining == -1:
            size = line.split(b";", 1)[0]
            try:
                self.remaining = int(size, 16)
            except ValueError as exc:
                raise JssError(400, "IncompleteBody", "An aws-chunked size line is malformed") from exc
            if self.remaining == 0:
                self.remaining = -2  # trailers follow
        elif line:  # a trailer
            name, _, value = line.decode("latin-1").partition(":")
            self.trailers[name.strip().lower()] = value.strip()
        else:
            self.finished = True

    def check_end(self) -> None:
        """At the end of the body: the frame is complete and the trailer checksum matches."""
        if not self.finished:
            raise JssError(400, "IncompleteBody", "The aws-chunked body ended before its last chunk")
        if self.buffer:
            raise JssError(400, "IncompleteBody", "Bytes follow the aws-chunked body's final CRLF")
        if self.trailer is None:
            return
        sent = self.trailers.get(f"x-amz-checksum-{self.trailer}")
        if sent is None:
            raise JssError(400, "MalformedTrailerError", "The declared trailer was not sent")
        if base64.b64encode(self.digest.digest()).decode() != sent:
            raise _bad_digest(self.trailer)


def chunked_receive(ctx: RequestContext, receive: Callable) -> Callable:
    """`receive` yielding the decoded bytes of an aws-chunked STREAMING-UNSIGNED-PAYLOAD-TRAILER body."""
    declared = (ctx.header("x-amz-trailer") or "").strip().lower()
    trailer = None
    if declared:
        if not declared.startswith("x-amz-checksum-"):
            raise JssError(400, "InvalidRequest", f"the {declared} trailer is not a checksum")
        trailer = _checked_algorithm(declared.removeprefix("x-amz-checksum-"), f"the {declared} trailer")
    decoder = _ChunkedDecoder(trailer)

    async def decoded() -> dict:
        message = await receive()
        if message["type"] != "http.request":
            return message
        more = message.get("more_body", False)
        body = decoder.feed(message.get("body", b""))
        if not more:
            decoder.check_end()
        return _message(body, more)

    return decoded


def body_receive(ctx: RequestContext, receive: Callable) -> Callable:
    """The `receive` a handler reads the plain body from, for any ``x-amz-content-sha256`` form; a form or a
    checksum not served is refused (501) when the body is read, so the access checks come first."""
    payload_hash = ctx.header("x-amz-content-sha256") or UNSIGNED
    try:
        if payload_hash == UNSIGNED_TRAILER:
            return chunked_receive(ctx, receive)
        if payload_hash in (STREAMING_PAYLOAD, STREAMING_PAYLOAD_TRAILER):
            raise JssError(501, "NotImplemented", f"{payload_hash} bodies are not verified here yet")
        if payload_hash.startswith("STREAMING-"):
            raise JssError(400, "InvalidArgument", "x-amz-content-sha256 names no streaming form of S3")
        return plain_receive(ctx, receive)
    except JssError as exc:
        return _refusing(exc)


def _refusing(error: JssError) -> Callable:
    """A `receive` raising `error` when the handler reads the body (after its access checks)."""

    async def refuse() -> dict:
        raise error

    return refuse
