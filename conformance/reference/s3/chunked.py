"""The aws-chunked body of the S3 wire, decoded while it streams in (memory bounded by one line and one
message): ``hex-size[;chunk-signature=sig] CRLF data CRLF`` ... the final 0-size chunk, the trailing headers,
then CRLF.

Chunk-signed forms (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) verify every chunk's signature, chained on
the seed (the header signature), and the ``x-amz-trailer-signature`` of the trailing headers: a mismatch is
403 SignatureDoesNotMatch, raised at the chunk that is wrong, so the handler never installs the body. A
malformed frame is 400 IncompleteBody; a declared ``x-amz-checksum-*`` trailer is checked (400 BadDigest).
See https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and sigv4-streaming-trailers.html.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from conformance.reference.errors import JssError
from conformance.reference.s3.checksums import CHECKSUMS, HEADER_PREFIX, bad_digest, checked_value
from conformance.reference.s3.sigv4_check import StreamSigning

#: A chunk-size line, a trailer line or the final CRLF: never longer than this.
MAX_LINE = 4096
SIGNATURE_EXTENSION = b"chunk-signature="
TRAILER_SIGNATURE = "x-amz-trailer-signature"
_NEXT_SIZE, _TRAILERS = -1, -2  # `remaining` when a size line, or a trailer line, is next


def _incomplete(message: str) -> JssError:
    return JssError(400, "IncompleteBody", message)


def signature_mismatch() -> JssError:
    """403 SignatureDoesNotMatch, as the header check answers it."""
    return JssError(
        403,
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method.",
    )


class ChunkedDecoder:
    """Decode an aws-chunked body fed in any split; verify its chunk signatures when `signing` is given and
    its `trailer` checksum (an algorithm name) when one is declared."""

    def __init__(self, trailer: str | None, signing: StreamSigning | None = None) -> None:
        self.buffer = b""
        self.remaining = _NEXT_SIZE  # bytes left in the current chunk, or _NEXT_SIZE / _TRAILERS
        self.finished = False
        self.trailers: list[tuple[str, str]] = []
        self.trailer = trailer
        self.digest = CHECKSUMS[trailer]() if trailer else None
        self.signing = signing
        self.previous = signing.seed if signing else ""
        self.chunk_signature = ""
        self.chunk_hash = hashlib.sha256()
        self.decoded_size = 0

    def feed(self, data: bytes) -> bytes:
        """The decoded bytes `data` completes; JssError for a malformed frame or a wrong signature."""
        self.buffer += data
        out = []
        while self.buffer and not self.finished:
            if self.remaining > 0:
                piece, self.buffer = self.buffer[: self.remaining], self.buffer[self.remaining :]
                self.remaining -= len(piece)
                if self.signing is not None:
                    self.chunk_hash.update(piece)
                out.append(piece)
                continue
            line, found, rest = self.buffer.partition(b"\r\n")
            if not found:
                if len(self.buffer) > MAX_LINE:
                    raise _incomplete("An aws-chunked line is too long")
                break
            self.buffer = rest
            self._line(line)
        decoded = b"".join(out)
        self.decoded_size += len(decoded)
        if self.digest is not None:
            self.digest.update(decoded)
        return decoded

    def _line(self, line: bytes) -> None:
        if self.remaining == 0:  # the CRLF after a chunk's data
            if line:
                raise _incomplete("An aws-chunked chunk is longer than its size")
            self._verify_chunk(self.chunk_hash.hexdigest())
            self.remaining = _NEXT_SIZE
        elif self.remaining == _NEXT_SIZE:
            self._size_line(line)
        elif line:  # a trailer
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon:
                raise _incomplete("An aws-chunked trailer is not name:value")
            self.trailers.append((name.strip().lower(), value.strip()))
        else:
            self.finished = True

    def _size_line(self, line: bytes) -> None:
        size, _, extension = line.partition(b";")
        try:
            self.remaining = int(size, 16)
        except ValueError as exc:
            raise _incomplete("An aws-chunked size line is malformed") from exc
        if self.remaining < 0:
            raise _incomplete("An aws-chunked size line is malformed")
        if self.signing is not None:
            if not extension.startswith(SIGNATURE_EXTENSION):
                raise _incomplete("A chunk of a signed aws-chunked body has no chunk-signature")
            self.chunk_signature = extension.removeprefix(SIGNATURE_EXTENSION).decode("latin-1")
            self.chunk_hash = hashlib.sha256()
        if self.remaining == 0:
            self._verify_chunk(self.chunk_hash.hexdigest())
            self.remaining = _TRAILERS

    def _verify_chunk(self, chunk_sha256: str) -> None:
        if self.signing is None:
            return
        expected = self.signing.chunk(self.previous, chunk_sha256)
        if not hmac.compare_digest(expected.encode(), self.chunk_signature.encode()):
            raise signature_mismatch()
        self.previous = expected

    def check_end(self, declared_length: int | None = None) -> None:
        """At the end of the body: the frame is complete, `declared_length` (x-amz-decoded-content-length)
        bytes were decoded, the trailer signature and the trailer checksum match."""
        if not self.finished:
            raise _incomplete("The aws-chunked body ended before its last chunk")
        if self.buffer:
            raise _incomplete("Bytes follow the aws-chunked body's final CRLF")
        if declared_length is not None and declared_length != self.decoded_size:
            raise _incomplete("The decoded body is not x-amz-decoded-content-length bytes")
        trailers = dict(self.trailers)
        if self.signing is not None and self.trailers:
            self._verify_trailer(trailers.get(TRAILER_SIGNATURE))
        if self.trailer is None:
            return
        sent = trailers.get(f"{HEADER_PREFIX}{self.trailer}")
        if sent is None:
            raise JssError(400, "MalformedTrailerError", "The declared trailer was not sent")
        if base64.b64encode(self.digest.digest()).decode() != checked_value(self.trailer, sent, "trailer"):
            raise bad_digest(self.trailer)

    def _verify_trailer(self, sent: str | None) -> None:
        if sent is None:
            raise JssError(400, "MalformedTrailerError", "The trailers have no x-amz-trailer-signature")
        signed = [(name, value) for name, value in self.trailers if name != TRAILER_SIGNATURE]
        expected = self.signing.trailer(self.previous, signed)
        if not hmac.compare_digest(expected.encode(), sent.encode("latin-1")):
            raise signature_mismatch()
