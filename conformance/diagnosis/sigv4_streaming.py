"""SigV4 streaming bodies (``Content-Encoding: aws-chunked``): the chunk-signature chain of
STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER], the trailer signature, and the ``x-amz-checksum-*`` trailer
against the decoded body. Each chunk is checked against the signature sent before it (the seed for the
first), so every wrong chunk is named, not only the first."""

from __future__ import annotations

import base64
import hashlib
import hmac
import zlib
from dataclasses import dataclass, field

from conformance import sigv4
from conformance.diagnosis.sigv4_request import SigV4Request

SIGNED_FORMS = (sigv4.STREAMING_PAYLOAD, sigv4.STREAMING_PAYLOAD_TRAILER)
STREAMING_FORMS = (*SIGNED_FORMS, sigv4.STREAMING_UNSIGNED_TRAILER)
TRAILER_SIGNATURE = "x-amz-trailer-signature"
CHECKSUMS = {
    "crc32": lambda data: zlib.crc32(data).to_bytes(4, "big"),
    "sha1": lambda data: hashlib.sha1(data).digest(),  # noqa: S324 - the checksum S3 names, not a security use
    "sha256": lambda data: hashlib.sha256(data).digest(),
}


@dataclass
class Chunked:
    """An aws-chunked body taken apart: each chunk's data and sent signature, the trailer lines."""

    chunks: list[tuple[bytes, str | None]] = field(default_factory=list)
    trailers: list[tuple[str, str]] = field(default_factory=list)


def parse_chunked(body: bytes) -> Chunked:
    """Split an aws-chunked body (``hex-size[;chunk-signature=S]`` CRLF data CRLF ..., the 0-size chunk,
    trailer lines, CRLF); ValueError when it is not one."""
    parsed, position = Chunked(), 0
    while True:
        end = body.index(b"\r\n", position)
        size_text, _, extension = body[position:end].decode("ascii").partition(";")
        size = int(size_text, 16)
        name, _, signature = extension.partition("=")
        parsed.chunks.append((body[end + 2:end + 2 + size], signature if name == "chunk-signature" else None))
        position = end + 2 + size
        if size == 0:
            break
        if body[position:position + 2] != b"\r\n":
            raise ValueError("a chunk's data is not followed by CRLF")
        position += 2
    for line in body[position:].decode("utf-8").split("\r\n"):
        if line:
            key, colon, value = line.partition(":")
            if not colon:
                raise ValueError(f"trailer line {line!r} has no ':'")
            parsed.trailers.append((key.strip().lower(), value.strip()))
    return parsed


def _same(expected: str, sent: str) -> bool:
    """Constant-time comparison of a computed signature with one as sent (any characters)."""
    return hmac.compare_digest(expected.encode(), sent.encode("utf-8", "replace"))


def _chain(view: SigV4Request, key: bytes, parsed: Chunked) -> list[tuple[str, str]]:
    found, previous = [], view.signature
    count = len(parsed.chunks)

    def chunk_signature(chained_on: str, data: bytes) -> str:
        return sigv4.signature(key, sigv4.chunk_string_to_sign(view.amz_date, view.scope(), chained_on, data))

    for number, (data, sent) in enumerate(parsed.chunks, start=1):
        expected = chunk_signature(previous, data)
        if sent is None or not _same(expected, sent):
            seeded = sent == chunk_signature(view.signature, data) != expected
            how = ", chained on the seed instead of the previous chunk's" if seeded else ""
            found.append(("chunk-signature-wrong", f"chunk {number} of {count}, {len(data)} bytes{how}"))
        previous = sent or expected
    return found


def _trailer_signature(view: SigV4Request, key: bytes, parsed: Chunked) -> list[tuple[str, str]]:
    sent = dict(parsed.trailers).get(TRAILER_SIGNATURE)
    trailer = sigv4.canonical_trailer([(k, v) for k, v in parsed.trailers if k != TRAILER_SIGNATURE])
    previous = parsed.chunks[-1][1] or ""
    text = sigv4.trailer_string_to_sign(view.amz_date, view.scope(), previous, trailer)
    expected = sigv4.signature(key, text)
    if sent is not None and _same(expected, sent):
        return []
    return [("trailer-signature-wrong", "missing" if sent is None else f"over {trailer!r}")]


def _checksums(parsed: Chunked) -> list[tuple[str, str]]:
    data = b"".join(chunk for chunk, _ in parsed.chunks)
    found = []
    for name, value in parsed.trailers:
        algorithm = name.removeprefix("x-amz-checksum-")
        if name.startswith("x-amz-checksum-") and algorithm in CHECKSUMS:
            actual = base64.b64encode(CHECKSUMS[algorithm](data)).decode()
            if actual != value:
                found.append(("trailer-checksum-wrong", f"{name}: {value}, the body's is {actual}"))
    return found


def check(view: SigV4Request, body: bytes | None, secret: str) -> list[tuple[str, str]]:
    """The chunk, trailer-signature and trailer-checksum mistakes of a streaming body (none when the body
    is not known or not streamed)."""
    if body is None or view.payload_line not in STREAMING_FORMS:
        return []
    try:
        parsed = parse_chunked(body)
    except (ValueError, UnicodeDecodeError):
        signed = view.payload_line in SIGNED_FORMS
        return [("chunk-signature-wrong", "the body is not aws-chunked")] if signed else []
    found = _checksums(parsed)
    if view.payload_line in SIGNED_FORMS:
        key = sigv4.signing_key(secret, view.scope_date, view.region, view.service)
        found = _chain(view, key, parsed) + found
        if view.payload_line == sigv4.STREAMING_PAYLOAD_TRAILER:
            found += _trailer_signature(view, key, parsed)
    return found
