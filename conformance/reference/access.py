"""Checks shared by the operations: the caller, the bucket and its owner, keys, common headers."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from conformance.numbers import DecimalTooLarge, parse_decimal
from conformance.reference import ownership
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext
from conformance.reference.storage import Storage

MAX_KEY_BYTES = 1022
MAX_PART_BYTES = 5 * 1024**3


def require_user(ctx: RequestContext) -> str:
    """The caller's user name; 403 AccessDenied for an anonymous request."""
    if ctx.user is None:
        raise JssError(403, "AccessDenied", "Access Denied")
    return ctx.user.name


def no_such_bucket() -> JssError:
    """404 NoSuchBucket: the bucket does not exist, or is no longer the bucket a write in flight was
    authorised against (deleted, perhaps created again by anyone: another incarnation, see
    ``Storage.check_bucket``).

    The JSS notes list NoSuchBucket 404 for a PutObject into a bucket that does not exist; S3 answers the same
    code and status for "The specified bucket does not exist" (Amazon S3 API Reference, Error responses).
    """
    return JssError(404, "NoSuchBucket", "The specified bucket does not exist")


def require_bucket(ctx: RequestContext, storage: Storage, operation: str | None = None) -> dict[str, Any]:
    """The bucket record of the request; 403 AccessDenied for an anonymous request (before looking the bucket
    up) or when someone else owns it, 404 NoSuchBucket. `operation` names the call for the access deviations
    (see ownership.py)."""
    if ctx.user is None:
        ownership.refuse(ctx, operation)
    record = storage.get_bucket(ctx.bucket or "")
    if record is None:
        raise no_such_bucket()
    if ctx.user is not None and record["owner"] != ctx.user.name:
        ownership.refuse(ctx, operation)
    return record


def validate_key(key: str) -> None:
    """Refuse keys the endpoint will not store: over 1022 bytes, control characters, ``..`` segments."""
    if len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise JssError(400, "InvalidArgument", "The object key is longer than 1022 bytes")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in key):
        raise JssError(400, "InvalidArgument", "The object key contains a control character")
    if any(segment in (".", "..") for segment in key.split("/")):
        raise JssError(400, "InvalidArgument", "The object key contains a '.' or '..' segment")


def parse_sse_flag(ctx: RequestContext) -> bool:
    """The ``x-jss-server-side-encryption`` header as a boolean (absent: false); else 400 InvalidArgument."""
    value = ctx.header("x-jss-server-side-encryption")
    if value is None:
        return ctx.config.deviations.active("encryption-on-by-default")
    lowered = value.strip().lower()
    if lowered not in ("true", "false"):
        raise JssError(400, "InvalidArgument", "x-jss-server-side-encryption must be true or false")
    return lowered == "true"


def body_length(ctx: RequestContext, limit: int = MAX_PART_BYTES) -> int:
    """The declared Content-Length of an upload; 411 MissingContentLength, 400 EntityTooLarge past `limit`."""
    value = ctx.header("content-length")
    if value is None:
        raise JssError(411, "MissingContentLength", "You must provide the Content-Length HTTP header")
    try:
        return parse_decimal(value, limit)
    except DecimalTooLarge as exc:
        message = "Your proposed upload exceeds the maximum allowed size"
        raise JssError(400, "EntityTooLarge", message) from exc
    except ValueError as exc:
        raise JssError(400, "InvalidArgument", "Content-Length must be a number") from exc


def expected_md5(ctx: RequestContext) -> str | None:
    """The Content-MD5 header as lowercase hex (sent as hex or base64); 400 InvalidDigest if neither."""
    value = ctx.header("content-md5")
    if value is None:
        return None
    value = value.strip()
    if len(value) == 32 and not ctx.config.deviations.active("content-md5-base64-only"):
        try:
            return bytes.fromhex(value).hex()
        except ValueError:
            pass
    try:
        digest = base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        digest = b""
    if len(digest) != 16:
        raise JssError(400, "InvalidDigest", "The Content-MD5 you specified is not valid")
    return digest.hex()
