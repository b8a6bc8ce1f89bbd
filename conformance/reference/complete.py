"""CompleteMultipartUpload: check the part list, assemble the parts into the object, drop the upload.

Assembly copies no byte for up to --max-linked-parts parts (limits): the object is its parts' files,
hard-linked (read end to end by `concat.ConcatReader`; an encrypted part file is one segment of the object).
Larger objects are concatenated into one file with copy_file_range (sendfile where it is refused).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote_plus

from conformance.reference import access, crashpoints
from conformance.reference.account_slots import account_slot
from conformance.reference.bodies import discard_small, receive_small
from conformance.reference.crypto import SEGMENT_OVERHEAD
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext, Response, json_response, quoted_etag
from conformance.reference.jsonbody import parse_bounded_json
from conformance.reference.multipart import remove_other_uploads_of_key, require_upload, upload_id_of
from conformance.reference.regions import STANDARD
from conformance.reference.storage import BucketChanged, Storage
from conformance.reference.uploads import Uploads, upload_lock_name

MAX_COMPLETE_BODY = 4 * 1024 * 1024
#: A complete body up to this size (about 1,000 parts) is read and parsed without an account slot.
SMALL_COMPLETE_BODY = 64 * 1024
#: The document is {"Part": [{...}, ...]}: three levels; deeper is refused before it is parsed.
MAX_COMPLETE_DEPTH = 8
COPY_CHUNK = 16 * 1024 * 1024
MiB = 1024 * 1024


def _parse_part_list(body: bytes) -> list[tuple[int, str]]:
    """The (PartNumber, ETag) pairs of a complete body; 400 MalformedJSON for anything else."""
    try:
        document = parse_bounded_json(body, MAX_COMPLETE_DEPTH)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, too deep, a number out of bounds
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


def _link_parts(sources: list[Path], targets: list[Path]) -> None:
    """Hard-link every part file to its target under tmp/ (the upload's own names go with the upload)."""
    for source, target in zip(sources, targets, strict=True):
        os.link(source, target)


def _gather(sources: list[Path], storage: Storage, max_linked: int) -> Path | list[Path]:
    """The object's data under tmp/: links to the part files when `max_linked` or fewer, else one file."""
    if len(sources) <= max_linked:
        targets = [storage.temp_path("assembly") for _ in sources]
        try:
            _link_parts(sources, targets)
        except BaseException:
            _remove(targets)
            raise
        return targets
    target = storage.temp_path("assembly")
    try:
        _assemble(sources, target)
    except BaseException:
        _remove(target)
        raise
    return target


def _file_sizes(parts: list[dict], encrypted: bool, target: Path | list[Path]) -> list[int] | None:
    """The stored sizes of linked part files (an encrypted one is a segment: nonce, ciphertext, tag)."""
    if not isinstance(target, list):
        return None
    return [part["size"] + (SEGMENT_OVERHEAD if encrypted else 0) for part in parts]


def _remove(data: Path | list[Path]) -> None:
    for path in data if isinstance(data, list) else [data]:
        path.unlink(missing_ok=True)


def _copy_range(fd_in: int, fd_out: int, count: int) -> int:
    try:
        copied = os.copy_file_range(fd_in, fd_out, count)
    except OSError:
        copied = os.sendfile(fd_out, fd_in, None, count)
    if copied == 0:
        raise OSError("source file shrank while being copied")
    return copied


def _chosen_parts(
    ctx: RequestContext, requested: list[tuple[int, str]], stored: dict[int, dict]
) -> list[dict]:
    """The stored parts the list names, in its order; 400 InvalidPartOrder / InvalidPart / EntityTooSmall."""
    deviations = ctx.config.deviations
    if deviations.active("complete-accepts-unordered-list"):
        requested = sorted(requested)
    unchecked = deviations.active("complete-skips-part-check")
    consecutive = deviations.active("complete-rejects-gaps")
    chosen = []
    for index, (number, etag) in enumerate(requested):
        if index and number <= requested[index - 1][0]:
            raise JssError(400, "InvalidPartOrder", "The part list must be in ascending PartNumber order")
        if consecutive and number != index + 1:
            raise JssError(400, "InvalidPart", "Part numbers must run from 1 without gaps")
        part = stored.get(number)
        if unchecked and part is None:
            continue
        if part is None or (part["etag"] != etag and not unchecked):
            raise JssError(400, "InvalidPart", f"Part {number} was not uploaded or its ETag does not match")
        chosen.append(part)
    minimum = ctx.config.min_part_size
    if deviations.active("min-part-size-above-advertised"):
        minimum += MiB
    if not deviations.active("complete-no-min-part-size"):
        for part in chosen[:-1]:
            if part["size"] < minimum:
                message = f"Part {part['number']} is smaller than the minimum size"
                raise JssError(400, "EntityTooSmall", message)
    return chosen


def _final_etag(ctx: RequestContext, chosen: list[dict]) -> str:
    """MD5 of the concatenated hex part ETags (with the deviation: S3's MD5 of the digests, then -N)."""
    if ctx.config.deviations.active("complete-etag-s3-style"):
        digests = b"".join(bytes.fromhex(part["etag"]) for part in chosen)
        return f"{hashlib.md5(digests).hexdigest()}-{len(chosen)}"
    return hashlib.md5("".join(part["etag"] for part in chosen).encode("ascii")).hexdigest()


def _declared_small(ctx: RequestContext) -> bool:
    """True when the request declares a body of at most `SMALL_COMPLETE_BODY` bytes (Content-Length; the
    protocol never hands the handler more than that)."""
    length = ctx.header("content-length")
    return length is not None and length.isascii() and length.isdigit() and int(length) <= SMALL_COMPLETE_BODY


async def _read_part_list(
    ctx: RequestContext, receive, parse_part_list: Callable[[bytes], list[tuple[int, str]]]
) -> list[tuple[int, str]]:
    """Read the complete body and parse it off the event loop; a body above `SMALL_COMPLETE_BODY` (or of
    no declared length) holds one of the account's body slots meanwhile (see ``account_slots``: 503
    SlowDown with Retry-After when none frees up in time)."""
    if _declared_small(ctx):
        body = await receive_small(receive, SMALL_COMPLETE_BODY)
        return await asyncio.to_thread(parse_part_list, body)
    limits = ctx.config.limits
    access_key = ctx.user.access_key if ctx.user is not None else ""

    async def drop_body() -> None:
        await discard_small(receive, MAX_COMPLETE_BODY)

    async with account_slot(access_key, limits.max_bodies_per_account, limits.body_slot_wait, drop_body):
        body = await receive_small(receive, MAX_COMPLETE_BODY)
        return await asyncio.to_thread(parse_part_list, body)  # up to 4 MiB: off the event loop


async def complete_upload(
    ctx: RequestContext,
    storage: Storage,
    receive,
    parse_part_list: Callable[[bytes], list[tuple[int, str]]],
    final_etag: Callable[[RequestContext, list[dict]], str],
) -> tuple[str, dict]:
    """Complete the request's upload, whatever the wire: read its body (at most 4 MiB, a bounded number
    per account at once: ``account_slots``), turn it into
    (PartNumber, ETag) pairs with `parse_part_list`, check them, install the object with the ETag
    `final_etag` computes from the chosen parts. Returns (that ETag, the upload's manifest)."""
    deviations = ctx.config.deviations
    upload_id = upload_id_of(ctx)
    bucket = access.require_bucket(ctx, storage, "complete")
    uploads = Uploads(storage)
    require_upload(ctx, uploads, upload_id)
    requested = await _read_part_list(ctx, receive, parse_part_list)
    async with storage.locks.get(upload_lock_name(ctx.bucket, upload_id)):
        try:  # the bucket may have been deleted (and created again) while the body streamed
            storage.check_bucket(ctx.bucket, bucket)
        except BucketChanged as exc:
            raise access.no_such_bucket() from exc
        upload = require_upload(ctx, uploads, upload_id)
        stored = {part["number"]: part for part in uploads.parts(ctx.bucket, upload_id)}
        try:
            chosen = _chosen_parts(ctx, requested, stored)
        except JssError:
            if deviations.active("complete-refused-deletes-object"):
                storage.delete_object(ctx.bucket, ctx.key)
            raise
        in_upload_order = deviations.active("complete-assembles-in-upload-order")
        assembled = sorted(chosen, key=lambda part: part["last_modified"]) if in_upload_order else chosen
        sources = [uploads.part_data(ctx.bucket, upload_id, part) for part in assembled]
        max_linked = ctx.config.limits.max_linked_parts
        target = await asyncio.to_thread(_gather, sources, storage, max_linked)
        crashpoints.reach("complete.gathered")
        etag = final_etag(ctx, chosen)
        removes_upload = not deviations.active("upload-id-reusable-after-complete")
        keep_existing = deviations.active("complete-keeps-existing-object")
        if keep_existing and storage.get_object(ctx.bucket, ctx.key):
            _remove(target)
        else:
            drop_class = deviations.active("complete-drops-storage-class")
            drop_type = deviations.active("complete-drops-content-type")
            meta = {
                "size": sum(part["size"] for part in chosen),
                "etag": etag,
                "storage_class": STANDARD if drop_class else upload["storage_class"],
                "encrypted": upload["encrypted"],
                "segments": [part["size"] for part in assembled] if upload["encrypted"] else None,
                "files": _file_sizes(assembled, upload["encrypted"], target),
                "content_type": None if drop_type else upload.get("content_type"),
                "last_modified": time.time(),
                # start-up drops an upload its object names (a crash before the removal below): reconcile
                "completed_upload": upload_id if removes_upload else None,
            }
            try:  # an upload in progress keeps its bucket from being deleted: a second line of defence
                storage.install_object(ctx.bucket, ctx.key, target, meta, expected_bucket=bucket)
            except BucketChanged as exc:
                _remove(target)
                raise access.no_such_bucket() from exc
            crashpoints.reach("complete.object-installed")
        moved = None
        if removes_upload:
            moved = uploads.remove(ctx.bucket, upload_id)
            crashpoints.reach("complete.upload-moved")
        if deviations.active("complete-removes-other-uploads-of-key"):
            remove_other_uploads_of_key(ctx, uploads, upload_id)
    storage.purge_later(moved)
    return etag, upload


def complete_status(ctx: RequestContext) -> int:
    """The status of a successful complete, on either wire: 200 (201 under complete-answers-201)."""
    return 201 if ctx.config.deviations.active("complete-answers-201") else 200


async def complete(ctx: RequestContext, storage: Storage, receive) -> Response:
    """CompleteMultipartUpload: ``POST /bucket/key?uploadId=X`` with ``{"Part": [...]}``."""
    deviations = ctx.config.deviations

    def parse(body: bytes) -> list[tuple[int, str]]:
        if deviations.active("complete-malformed-json-500"):
            json.loads(body)  # unguarded: a body that is not JSON escapes as an unexpected error
        return _parse_part_list(body)

    etag, _ = await complete_upload(ctx, storage, receive, parse, _final_etag)
    etag_field = "Etag" if deviations.active("complete-response-renamed") else "ETag"
    key = quote_plus(ctx.key) if deviations.active("complete-response-key-url-encoded") else ctx.key
    answered = etag.upper() if deviations.active("complete-response-etag-uppercase") else etag
    return json_response(
        {"Bucket": ctx.bucket, "Key": key, etag_field: answered},
        complete_status(ctx),
        headers=[] if deviations.active("complete-no-etag-header") else [(b"etag", quoted_etag(etag))],
    )
