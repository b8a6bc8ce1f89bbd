"""The object operations: PutObject, GetObject (with Range), HeadObject, DeleteObject."""

from __future__ import annotations

import asyncio
import base64
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, BinaryIO

from conformance.numbers import INT64_MAX, parse_bounded
from conformance.reference import access
from conformance.reference.bodies import receive_to_file
from conformance.reference.crypto import SEGMENT_OVERHEAD, decrypt_segment
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext, Response, empty_response, quoted_etag
from conformance.reference.listing import listed_time
from conformance.reference.regions import STANDARD, resolve_storage_class
from conformance.reference.storage import BucketChanged, Storage

READ_CHUNK = 1024 * 1024
#: The prefix of a user metadata header (JSS wire; the S3 front maps ``x-amz-meta-`` to it and back).
USER_METADATA = "x-jss-meta-"
RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)")


async def put_object(ctx: RequestContext, storage: Storage, receive) -> Response:
    """PutObject: the body is streamed to a temporary file, then renamed into place."""
    bucket = access.require_bucket(ctx, storage, "put-object")
    storage_class = resolve_storage_class(
        ctx.header("x-jss-storage-class"), bucket["region"], ctx.config.deviations
    )
    encrypted = access.parse_sse_flag(ctx)
    length = access.body_length(ctx)
    wanted_md5 = access.expected_md5(ctx)
    temp = storage.temp_path("object")
    key = storage.sse_key if encrypted else None
    stored = await receive_to_file(receive, temp, length, key, ctx.config.limits.max_body_threads)
    if wanted_md5 is not None and wanted_md5 != stored.md5_hex:
        temp.unlink(missing_ok=True)
        raise JssError(400, "BadDigest", "The Content-MD5 you specified did not match what we received")
    meta = {
        "size": stored.size,
        "etag": stored.md5_hex,
        "storage_class": storage_class,
        "encrypted": encrypted,
        "segments": [stored.size] if encrypted else None,
        "content_type": ctx.header("content-type"),
        "metadata": user_metadata(ctx),
        "last_modified": time.time(),
    }
    try:  # the bucket may have been deleted (and created again) while the body streamed
        storage.install_object(ctx.bucket, ctx.key, temp, meta, expected_bucket=bucket)
    except BucketChanged as exc:
        temp.unlink(missing_ok=True)
        raise access.no_such_bucket() from exc
    status = 201 if ctx.config.deviations.active("put-object-answers-201") else 200
    etag = stored.md5_hex
    if ctx.config.deviations.active("put-etag-base64"):
        etag = base64.b64encode(bytes.fromhex(etag)).decode("ascii")
    return empty_response(status, [(b"etag", quoted_etag(etag))])


def user_metadata(ctx: RequestContext) -> dict[str, str]:
    """The user metadata a PutObject sent (``x-jss-meta-<name>`` headers), by name, kept as sent."""
    return {name[len(USER_METADATA):]: value for name, value in ctx.headers if name.startswith(USER_METADATA)}


async def delete_object(ctx: RequestContext, storage: Storage, receive) -> Response:
    """DeleteObject: 204, whether or not the object existed."""
    access.require_bucket(ctx, storage)
    storage.delete_object(ctx.bucket, ctx.key)
    return empty_response(200 if ctx.config.deviations.active("delete-object-answers-200") else 204)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive byte range asked by a ``Range`` header, None to send the whole object.

    Malformed or multi-range headers are ignored (RFC 9110); an unsatisfiable range is 416 InvalidRange.
    A position of any length past the object means "past the object" (``conformance.numbers``).
    """
    if header is None:
        return None
    match = RANGE.fullmatch(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = (parse_bounded(group, INT64_MAX) if group else None for group in match.groups())
    if first is None:
        start, end = max(size - last, 0), size - 1
        if last == 0:
            start = size
    else:
        start = first
        end = min(last, size - 1) if last is not None else size - 1
        if last is not None and last < start:
            return None
    if start >= size or start > end:
        raise JssError(416, "InvalidRange", "The requested range is not satisfiable")
    return start, end


def _plain_chunks(handle: BinaryIO, start: int, count: int) -> Iterator[bytes]:
    handle.seek(start)
    while count:
        chunk = handle.read(min(READ_CHUNK, count))
        if not chunk:
            raise ValueError("object file is shorter than its metadata says")
        count -= len(chunk)
        yield chunk


def _decrypted_chunks(
    key: bytes, handle: BinaryIO, segments: list[int], start: int, count: int
) -> Iterator[bytes]:
    plain_offset, stored_offset, end = 0, 0, start + count
    for size in segments:
        if plain_offset < end and plain_offset + size > start:
            skip = max(start - plain_offset, 0)
            take = min(end, plain_offset + size) - plain_offset - skip
            yield from decrypt_segment(key, handle, stored_offset, size, skip, take)
        plain_offset += size
        stored_offset += size + SEGMENT_OVERHEAD


async def _stream(first: bytes | None, chunks: Iterator[bytes], handle: BinaryIO) -> AsyncIterator[bytes]:
    """Yield `first`, then the rest of `chunks`, pulled one at a time in a worker thread; close `handle`."""
    try:
        chunk = first
        while chunk is not None:
            yield chunk
            chunk = await asyncio.to_thread(next, chunks, None)
    finally:
        handle.close()


def _object_headers(
    ctx: RequestContext, meta: dict[str, Any], omit_standard_class: bool = False
) -> list[tuple[bytes, bytes]]:
    headers = [
        (
            b"content-type",
            (meta.get("content_type") or "application/octet-stream").encode("latin-1", "replace"),
        ),
        (b"etag", quoted_etag(meta["etag"])),
        (b"last-modified", listed_time(ctx, meta["last_modified"]).encode()),
        (b"accept-ranges", b"bytes"),
    ]
    storage_class = meta["storage_class"]  # None: a placeholder (deviation initiate-placeholder-object)
    if storage_class and not (omit_standard_class and storage_class == STANDARD):
        headers.append((b"x-jss-storage-class", storage_class.encode()))
    if meta["encrypted"]:
        headers.append((b"x-jss-server-side-encryption", b"true"))
    for name, value in (meta.get("metadata") or {}).items():
        headers.append(((USER_METADATA + name).encode("latin-1"), value.encode("latin-1", "replace")))
    return headers


def _whole_object_status(ctx: RequestContext) -> int:
    """200, or what the deviations get-object-answers-206 (GET) and head-object-answers-204 (HEAD) send."""
    if ctx.method == "HEAD":
        return 204 if ctx.config.deviations.active("head-object-answers-204") else 200
    return 206 if ctx.config.deviations.active("get-object-answers-206") else 200


async def get_object(ctx: RequestContext, storage: Storage, receive) -> Response:
    """GetObject / HeadObject: the object (decrypted), or the asked Range of it (206)."""
    access.require_bucket(ctx, storage, "get-object")
    opened = storage.open_object(ctx.bucket, ctx.key)
    if opened is None:
        if ctx.method == "GET" and ctx.config.deviations.active("get-missing-key-access-denied"):
            raise JssError(403, "AccessDenied", "Access Denied")
        raise JssError(404, "NoSuchKey", "The specified key does not exist")
    meta, handle = opened
    try:
        size = meta["size"]
        omit_standard = ctx.config.deviations.active("head-omits-standard-storage-class")
        headers = _object_headers(ctx, meta, omit_standard)
        if ctx.method == "GET" and ctx.config.deviations.active("get-omits-storage-class"):
            headers = [(name, value) for name, value in headers if name != b"x-jss-storage-class"]
        byte_range = parse_range(ctx.header("range"), size)
    except BaseException:
        handle.close()
        raise
    start, end = byte_range if byte_range else (0, size - 1)
    status = _whole_object_status(ctx)
    if byte_range is not None:
        status = 206
        headers.append((b"content-range", f"bytes {start}-{end}/{size}".encode()))
    count = end - start + 1
    if ctx.method == "HEAD" or count == 0:
        handle.close()
        return Response(status, headers, length=count, body=b"")
    if meta["encrypted"] and not ctx.config.deviations.active("encrypted-object-served-ciphertext"):
        chunks = _decrypted_chunks(storage.sse_key, handle, meta["segments"], start, count)
    else:
        chunks = _plain_chunks(handle, start, count)
    try:  # the first chunk before the status line: a failure here is still a clean 500
        first = await asyncio.to_thread(next, chunks, None)
    except BaseException:
        handle.close()
        raise
    return Response(status, headers, stream=_stream(first, chunks, handle), length=count)
