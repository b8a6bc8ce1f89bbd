"""The multipart operations: initiate, upload part, complete, abort, list parts, list uploads."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from pathlib import Path

from conformance.reference import access
from conformance.reference.bodies import receive_small, receive_to_file
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext, Response, empty_response, json_response, quoted_etag
from conformance.reference.listing import http_time, page_size
from conformance.reference.regions import resolve_storage_class
from conformance.reference.storage import Storage
from conformance.reference.uploads import Uploads, upload_lock_name

MAX_PART_NUMBER = 10000
MAX_COMPLETE_BODY = 4 * 1024 * 1024
COPY_CHUNK = 16 * 1024 * 1024


def _upload_id(ctx: RequestContext) -> str:
    upload_id = ctx.query_value("uploadId")
    if not upload_id:
        raise JssError(400, "InvalidArgument", "uploadId must not be blank")
    return upload_id


def _require_upload(ctx: RequestContext, uploads: Uploads, upload_id: str) -> dict:
    upload = uploads.get(ctx.bucket, upload_id)
    if upload is None or upload["key"] != ctx.key:
        raise JssError(404, "NoSuchUpload", "The specified upload does not exist")
    return upload


def _part_number(ctx: RequestContext) -> int:
    value = ctx.query_value("partNumber") or ""
    if not value.isdigit() or int(value) < 1:
        raise JssError(400, "InvalidArgument", "partNumber must be an integer from 1 to 10000")
    if int(value) > MAX_PART_NUMBER:
        raise JssError(400, "TooManyParts", "partNumber must not exceed 10000")
    return int(value)


async def initiate(ctx: RequestContext, storage: Storage, receive) -> Response:
    """InitiateMultipartUpload: ``POST /bucket/key?uploads``."""
    bucket = access.require_bucket(ctx, storage)
    storage_class = resolve_storage_class(
        ctx.header("x-jss-storage-class"), bucket["region"], ctx.config.deviations
    )
    encrypted = access.parse_sse_flag(ctx)
    if ctx.config.deviations.active("initiate-truncates-object") and storage.get_object(ctx.bucket, ctx.key):
        empty = storage.temp_path("empty")
        empty.touch()
        storage.install_object(
            ctx.bucket,
            ctx.key,
            empty,
            {
                "size": 0,
                "etag": hashlib.md5(b"").hexdigest(),
                "storage_class": storage_class,
                "encrypted": False,
                "segments": None,
                "content_type": None,
                "last_modified": time.time(),
            },
        )
    upload_id = Uploads(storage).create(
        ctx.bucket,
        {
            "key": ctx.key,
            "storage_class": storage_class,
            "encrypted": encrypted,
            "content_type": ctx.header("content-type"),
            "owner": ctx.user.name,
        },
    )
    id_field = "UploadID" if ctx.config.deviations.active("initiate-response-renamed") else "UploadId"
    return json_response({"Bucket": ctx.bucket, "Key": ctx.key, id_field: upload_id})


async def upload_part(ctx: RequestContext, storage: Storage, receive) -> Response:
    """UploadPart: ``PUT /bucket/key?partNumber=N&uploadId=X``; the body is streamed to disk."""
    upload_id = _upload_id(ctx)
    number = _part_number(ctx)
    access.require_bucket(ctx, storage)
    uploads = Uploads(storage)
    upload = _require_upload(ctx, uploads, upload_id)
    length = access.body_length(ctx)
    wanted_md5 = access.expected_md5(ctx)
    temp = storage.temp_path("part")
    key = storage.sse_key if upload["encrypted"] else None
    stored = await receive_to_file(receive, temp, length, key)
    if wanted_md5 is not None and wanted_md5 != stored.md5_hex:
        temp.unlink(missing_ok=True)
        raise JssError(400, "BadDigest", "The Content-MD5 you specified did not match what we received")
    meta = {"etag": stored.md5_hex, "size": stored.size, "last_modified": time.time()}
    async with storage.locks.get(upload_lock_name(ctx.bucket, upload_id)):
        installed = uploads.install_part(ctx.bucket, upload_id, number, temp, meta)
    if not installed:
        temp.unlink(missing_ok=True)
        raise JssError(404, "NoSuchUpload", "The specified upload does not exist")
    return empty_response(200, [(b"etag", quoted_etag(stored.md5_hex))])


def _parse_part_list(body: bytes) -> list[tuple[int, str]]:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise JssError(400, "MalformedJSON", "The JSON you provided was not well-formed") from exc
    entries = document.get("Part") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise JssError(400, "MalformedJSON", "The body must hold a non-empty Part list")
    parts = []
    for entry in entries:
        number = entry.get("PartNumber") if isinstance(entry, dict) else None
        etag = entry.get("ETag") if isinstance(entry, dict) else None
        if type(number) is not int or not isinstance(etag, str):
            raise JssError(400, "MalformedJSON", "Each Part needs an integer PartNumber and a string ETag")
        parts.append((number, etag.strip().strip('"').lower()))
    return parts


def _assemble(sources: list[Path], target: Path) -> None:
    """Concatenate `sources` into the new file `target`, in the kernel when it can."""
    fd_out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        for source in sources:
            with open(source, "rb") as handle:
                remaining = os.fstat(handle.fileno()).st_size
                while remaining:
                    copied = _copy_range(handle.fileno(), fd_out, min(remaining, COPY_CHUNK))
                    remaining -= copied
    finally:
        os.close(fd_out)


def _copy_range(fd_in: int, fd_out: int, count: int) -> int:
    try:
        copied = os.copy_file_range(fd_in, fd_out, count)
    except OSError:
        copied = os.sendfile(fd_out, fd_in, None, count)
    if copied == 0:
        raise OSError("source file shrank while being copied")
    return copied


async def complete(ctx: RequestContext, storage: Storage, receive) -> Response:
    """CompleteMultipartUpload: ``POST /bucket/key?uploadId=X`` with ``{"Part": [...]}``."""
    upload_id = _upload_id(ctx)
    access.require_bucket(ctx, storage)
    uploads = Uploads(storage)
    _require_upload(ctx, uploads, upload_id)
    requested = _parse_part_list(await receive_small(receive, MAX_COMPLETE_BODY))
    async with storage.locks.get(upload_lock_name(ctx.bucket, upload_id)):
        upload = _require_upload(ctx, uploads, upload_id)
        stored = {part["number"]: part for part in uploads.parts(ctx.bucket, upload_id)}
        chosen = []
        for index, (number, etag) in enumerate(requested):
            if index and number <= requested[index - 1][0]:
                raise JssError(400, "InvalidPartOrder", "The part list must be in ascending PartNumber order")
            part = stored.get(number)
            if part is None or part["etag"] != etag:
                raise JssError(
                    400, "InvalidPart", f"Part {number} was not uploaded or its ETag does not match"
                )
            chosen.append(part)
        for part in chosen[:-1]:
            if part["size"] < ctx.config.min_part_size:
                raise JssError(
                    400, "EntityTooSmall", f"Part {part['number']} is smaller than the minimum size"
                )
        target = storage.temp_path("assembly")
        sources = [uploads.part_data(ctx.bucket, upload_id, part) for part in chosen]
        try:
            await asyncio.to_thread(_assemble, sources, target)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        etag = hashlib.md5("".join(part["etag"] for part in chosen).encode("ascii")).hexdigest()
        storage.install_object(
            ctx.bucket,
            ctx.key,
            target,
            {
                "size": sum(part["size"] for part in chosen),
                "etag": etag,
                "storage_class": upload["storage_class"],
                "encrypted": upload["encrypted"],
                "segments": [part["size"] for part in chosen] if upload["encrypted"] else None,
                "content_type": upload.get("content_type"),
                "last_modified": time.time(),
            },
        )
        moved = uploads.remove(ctx.bucket, upload_id)
    storage.purge_later(moved)
    return json_response(
        {"Bucket": ctx.bucket, "Key": ctx.key, "ETag": etag}, headers=[(b"etag", quoted_etag(etag))]
    )


async def abort(ctx: RequestContext, storage: Storage, receive) -> Response:
    """AbortMultipartUpload: ``DELETE /bucket/key?uploadId=X``: 204."""
    upload_id = _upload_id(ctx)
    access.require_bucket(ctx, storage)
    uploads = Uploads(storage)
    async with storage.locks.get(upload_lock_name(ctx.bucket, upload_id)):
        _require_upload(ctx, uploads, upload_id)
        moved = uploads.remove(ctx.bucket, upload_id)
    storage.purge_later(moved)
    return empty_response(204)


async def list_parts(ctx: RequestContext, storage: Storage, receive) -> Response:
    """ListParts: ``GET /bucket/key?uploadId=X[&max-parts=N][&part-number-marker=M]``."""
    upload_id = _upload_id(ctx)
    access.require_bucket(ctx, storage)
    uploads = Uploads(storage)
    upload = _require_upload(ctx, uploads, upload_id)
    limit = page_size(ctx, "max-parts", default=1000, maximum=MAX_PART_NUMBER)
    marker = page_size(ctx, "part-number-marker", default=0, maximum=MAX_PART_NUMBER)
    remaining = [part for part in uploads.parts(ctx.bucket, upload_id) if part["number"] > marker]
    page, truncated = remaining[:limit], len(remaining) > limit
    payload = {
        "Bucket": ctx.bucket,
        "Key": ctx.key,
        "UploadId": upload_id,
        "Part": [
            {
                "PartNumber": p["number"],
                "LastModified": http_time(p["last_modified"]),
                "ETag": p["etag"],
                "Size": p["size"],
            }
            for p in page
        ],
        "StorageClass": upload["storage_class"],
        "PartNumberMarker": marker,
        "MaxParts": limit,
        "IsTruncated": truncated,
        "NextPartNumberMarker": page[-1]["number"] if page else marker,
    }
    return json_response(payload)


async def list_uploads(ctx: RequestContext, storage: Storage, receive) -> Response:
    """ListMultipartUploads: ``GET /bucket?uploads`` (prefix, max-uploads, key-marker, upload-id-marker)."""
    access.require_bucket(ctx, storage)
    if ctx.config.deviations.active("list-uploads-raises"):
        raise RuntimeError("deviation list-uploads-raises: an unexpected failure inside the handler")
    prefix = ctx.query_value("prefix") or ""
    limit = page_size(ctx, "max-uploads", default=1000, maximum=MAX_PART_NUMBER)
    key_marker = ctx.query_value("key-marker") or ""
    id_marker = ctx.query_value("upload-id-marker") or ""
    matches = sorted(
        (u for u in Uploads(storage).list(ctx.bucket) if u["key"].startswith(prefix)),
        key=lambda u: (u["key"].encode("utf-8"), u["upload_id"]),
    )
    if len(matches) > MAX_PART_NUMBER:
        raise JssError(400, "TooManyMultipartUploads", "More than 10000 uploads match; narrow the prefix")
    if key_marker:
        matches = [
            u
            for u in matches
            if (u["key"].encode("utf-8"), u["upload_id"]) > (key_marker.encode("utf-8"), id_marker)
            and (id_marker or u["key"] != key_marker)
        ]
    page, truncated = matches[:limit], len(matches) > limit
    payload = {
        "Bucket": ctx.bucket,
        "Prefix": prefix,
        "Upload": [
            {
                "Key": u["key"],
                "UploadId": u["upload_id"],
                "Initiated": http_time(u["initiated"]),
                "Enable-Encryption": "true" if u["encrypted"] else "false",
                "StorageClass": u["storage_class"],
            }
            for u in page
        ],
        "MaxUploads": limit,
        "IsTruncated": truncated,
        "NextKeyMarker": page[-1]["key"] if truncated else "",
        "NextUploadIdMarker": page[-1]["upload_id"] if truncated else "",
    }
    return json_response(payload)
