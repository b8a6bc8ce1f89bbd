"""The body integrity values of the S3 wire: ``x-amz-checksum-*`` (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) and
Content-MD5, as running digests over the decoded body and the errors AWS documents for them.

Sources (AWS pages):
- https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html (the five algorithms,
  each value the base64 of the big-endian digest);
- https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html and API_UploadPart.html (Content-MD5 is
  "the base64-encoded 128-bit MD5 digest");
- https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (400 InvalidDigest: "The Content-MD5
  or checksum value that you specified is not valid"; 400 BadDigest: "The Content-MD5 or checksum value that
  you specified did not match what the server received"; 400 InvalidRequest for a malformed request).
CRC32C and CRC64NVME come from anycrc (models CRC32-ISCSI and CRC64-NVME), CRC32 from zlib.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib
from collections.abc import Callable

import anycrc

from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext

HEADER_PREFIX = "x-amz-checksum-"


class _Crc:
    """A CRC with hashlib's update/digest interface; the digest as S3 sends it (big-endian bytes)."""

    def __init__(self, step: Callable[[bytes, int | None], int], width: int) -> None:
        self.step = step
        self.width = width
        self.value: int | None = None

    def update(self, data: bytes) -> None:
        self.value = self.step(data, self.value)

    def digest(self) -> bytes:
        value = self.value if self.value is not None else self.step(b"", None)
        return value.to_bytes(self.width // 8, "big")


def _zlib_crc32(data: bytes, previous: int | None) -> int:
    return zlib.crc32(data, previous or 0)


_CRC32C = anycrc.Model("CRC32-ISCSI")
_CRC64NVME = anycrc.Model("CRC64-NVME")

#: The running digest of each algorithm S3 names in ``x-amz-checksum-<algorithm>``.
CHECKSUMS: dict[str, Callable[[], object]] = {
    "crc32": lambda: _Crc(_zlib_crc32, 32),
    "crc32c": lambda: _Crc(_CRC32C.calc, 32),
    "crc64nvme": lambda: _Crc(_CRC64NVME.calc, 64),
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
}
#: The digest size in bytes of each algorithm: a value of another length is malformed.
DIGEST_SIZES = {"crc32": 4, "crc32c": 4, "crc64nvme": 8, "sha1": 20, "sha256": 32}


def encoded(algorithm: str, data: bytes) -> str:
    """The base64 ``x-amz-checksum-<algorithm>`` value of `data` (what a client sends)."""
    digest = CHECKSUMS[algorithm]()
    digest.update(data)
    return base64.b64encode(digest.digest()).decode()


def _decoded_size(value: str) -> int:
    try:
        return len(base64.b64decode(value, validate=True))
    except (ValueError, binascii.Error):
        return -1


def checked_value(algorithm: str, value: str, where: str = "header") -> str:
    """`value` when it is the base64 of an `algorithm` digest; 400 InvalidRequest otherwise (AWS: "Value
    for x-amz-checksum-<algorithm> header is invalid.")."""
    if _decoded_size(value.strip()) != DIGEST_SIZES[algorithm]:
        raise JssError(400, "InvalidRequest", f"Value for {HEADER_PREFIX}{algorithm} {where} is invalid.")
    return value.strip()


def checksum_header(ctx: RequestContext) -> tuple[str, str] | None:
    """(algorithm, base64 value) of the request's ``x-amz-checksum-<algorithm>`` header, None without one;
    400 InvalidRequest for a malformed value or more than one algorithm."""
    found = [
        (name.removeprefix(HEADER_PREFIX), value)
        for name, value in ctx.headers
        if name.removeprefix(HEADER_PREFIX) in CHECKSUMS and name.startswith(HEADER_PREFIX)
    ]
    if len(found) > 1:
        raise JssError(
            400, "InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are "
            "not allowed."
        )
    if not found:
        return None
    algorithm, value = found[0]
    return algorithm, checked_value(algorithm, value)


def bad_digest(what: str) -> JssError:
    """400 BadDigest: the `what` (an algorithm or Content-MD5) sent does not match the body received."""
    name = what if what == "Content-MD5" else what.upper()
    return JssError(400, "BadDigest", f"The {name} you specified did not match the calculated checksum.")


def content_md5(ctx: RequestContext) -> str | None:
    """The Content-MD5 header when it is the base64 of 16 bytes, None without one; 400 InvalidDigest for any
    other value (the S3 wire takes base64 only, where the JSS wire also takes 32 hex characters)."""
    value = ctx.header("content-md5")
    if value is None:
        return None
    if _decoded_size(value.strip()) != 16:
        raise JssError(400, "InvalidDigest", "The Content-MD5 you specified is not valid.")
    return value.strip()
