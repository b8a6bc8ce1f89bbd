"""The multipart operations on one upload: initiate, upload part, abort (complete: ``complete``; the two
listings: ``lists``), and the request checks they share."""

from __future__ import annotations

import hashlib
import secrets
import time
from urllib.parse import quote_plus

from conformance.reference import access, truncated
from conformance.reference.bodies import ClientDisconnected, receive_to_file
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext, Response, empty_response, json_response, quoted_etag
from conformance.reference.listing import query_integer
from conformance.reference.regions import resolve_storage_class
from conformance.reference.storage import BucketChanged, Storage
from conformance.reference.uploads import Uploads, upload_lock_name

MAX_PART_NUMBER = 10000


def upload_id_of(ctx: RequestContext) -> str:
    """The request's uploadId; 400 InvalidArgument when it is blank."""
    upload_id = ctx.query_value("uploadId")
    if not upload_id:
        if ctx.config.deviations.active("blank-upload-id-no-such-upload"):
            raise JssError(404, "NoSuchUpload", "The specified upload does not exist")
        raise JssError(400, "InvalidArgument", "uploadId must not be blank")
    return upload_id


def require_upload(ctx: RequestContext, uploads: Uploads, upload_id: str) -> dict:
    """The manifest of the request's upload; 404 NoSuchUpload when it is unknown or of another key."""
    upload = uploads.get(ctx.bucket, upload_id)
    if upload is None or upload["key"] != ctx.key:
        raise JssError(404, "NoSuchUpload", "The specified upload does not exist")
    return upload


def _part_number(ctx: RequestContext) -> int:
    number = query_integer("partNumber", ctx.query_value("partNumber") or "")
    if number < 1:
        raise JssError(400, "InvalidArgument", "partNumber must be an integer from 1 to 10000")
    limit = part_number_limit(ctx)
    if limit is not None and number > limit:
        raise JssError(400, "TooManyParts", "partNumber must not exceed 10000")
    return number


def part_number_limit(ctx: RequestContext) -> int | None:
    """The highest part number UploadPart takes, on either wire: 10000 (9999 under
    part-number-limit-off-by-one; None, no limit, under part-number-no-upper-limit)."""
    deviations = ctx.config.deviations
    if deviations.active("part-number-no-upper-limit"):
        return None
    return MAX_PART_NUMBER - 1 if deviations.active("part-number-limit-off-by-one") else MAX_PART_NUMBER


def _truncate_existing(
    ctx: RequestContext, storage: Storage, storage_class: str | None, bucket: dict
) -> None:
    """Replace the key's object by an empty one (initiate-truncates-object, -placeholder-object)."""
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
        expected_bucket=bucket,  # no await since require_bucket: the same bucket
    )


def create_upload(ctx: RequestContext, storage: Storage) -> str:
    """The wire-neutral part of an initiate: check the bucket, the storage class and the encryption flag
    (``x-jss-*`` headers), create the upload (or not, under the deviations of this room), and return its
    UploadId."""
    deviations = ctx.config.deviations
    bucket = access.require_bucket(ctx, storage, "initiate")
    storage_class = resolve_storage_class(ctx.header("x-jss-storage-class"), bucket["region"], deviations)
    encrypted = access.parse_sse_flag(ctx)
    truncate = deviations.active("initiate-truncates-object")
    placeholder = deviations.active("initiate-placeholder-object")
    if (truncate or placeholder) and storage.get_object(ctx.bucket, ctx.key):
        _truncate_existing(ctx, storage, storage_class if truncate else None, bucket)
    elif deviations.active("initiate-overwrites-object-metadata"):
        storage.update_object_meta(ctx.bucket, ctx.key, {"storage_class": storage_class})
    elif deviations.active("initiate-overwrites-object-content-type") and ctx.header("content-type"):
        storage.update_object_meta(ctx.bucket, ctx.key, {"content_type": ctx.header("content-type")})
    uploads = Uploads(storage)
    if deviations.active("initiate-aborts-other-uploads-of-key"):
        remove_other_uploads_of_key(ctx, uploads, "")
    same_key = []
    if deviations.active("initiate-reuses-upload-of-key"):
        same_key = [u["upload_id"] for u in uploads.list(ctx.bucket) if u["key"] == ctx.key]
    if same_key:
        upload_id = same_key[0]
    else:
        record = {
            "key": ctx.key,
            "storage_class": storage_class,
            "encrypted": encrypted,
            "content_type": ctx.header("content-type"),
            "owner": ctx.user.name if ctx.user is not None else None,  # the initiator
        }
        upload_id = uploads.create(ctx.bucket, record)
    return upload_id


def remove_other_uploads_of_key(ctx: RequestContext, uploads: Uploads, upload_id: str) -> None:
    """Remove every other upload of the request's key (abort- and complete-removes-other-uploads-of-key)."""
    for other in uploads.list(ctx.bucket):
        if other["key"] == ctx.key and other["upload_id"] != upload_id:
            uploads.storage.purge_later(uploads.remove(ctx.bucket, other["upload_id"]))


def initiate_status(ctx: RequestContext) -> int:
    """The status of a successful initiate, on either wire: 200 (201 under initiate-answers-201)."""
    return 201 if ctx.config.deviations.active("initiate-answers-201") else 200


async def initiate(ctx: RequestContext, storage: Storage, receive) -> Response:
    """InitiateMultipartUpload: ``POST /bucket/key?uploads`` → the JSON of the JSS wire."""
    deviations = ctx.config.deviations
    upload_id = create_upload(ctx, storage)
    id_field = "UploadID" if deviations.active("initiate-response-renamed") else "UploadId"
    key = quote_plus(ctx.key) if deviations.active("initiate-key-echo-url-encoded") else ctx.key
    return json_response({"Bucket": ctx.bucket, "Key": key, id_field: upload_id}, initiate_status(ctx))


async def upload_part(ctx: RequestContext, storage: Storage, receive) -> Response:
    """UploadPart: ``PUT /bucket/key?partNumber=N&uploadId=X``; the body is streamed to disk."""
    deviations = ctx.config.deviations
    upload_id = upload_id_of(ctx)
    number = _part_number(ctx)
    bucket = access.require_bucket(ctx, storage, "upload-part")
    uploads = Uploads(storage)
    unchecked = deviations.active("upload-part-skips-upload-check")
    upload = uploads.get(ctx.bucket, upload_id)
    if not unchecked and not (upload is not None and deviations.active("upload-part-any-key")):
        upload = require_upload(ctx, uploads, upload_id)
    length = access.body_length(ctx)
    wanted_md5 = access.expected_md5(ctx)
    temp = storage.temp_path("part")
    key = storage.sse_key if upload and upload["encrypted"] else None
    tee = None
    if deviations.active("dropped-part-kept") and key is None and upload is not None:
        tee = truncated.Tee(storage.temp_path("tee"))
        receive = truncated.teeing(receive, tee)
    try:
        stored = await receive_to_file(receive, temp, length, key, ctx.config.limits.max_body_threads)
    except ClientDisconnected:
        if tee is not None:
            await truncated.keep_truncated(storage, bucket, upload_id, number, tee)
        raise
    finally:
        if tee is not None:
            tee.discard()
    if wanted_md5 not in (None, stored.md5_hex) and not deviations.active("bad-digest-accepted"):
        temp.unlink(missing_ok=True)
        raise JssError(400, "BadDigest", "The Content-MD5 you specified did not match what we received")
    etag = secrets.token_hex(16) if deviations.active("part-etag-not-md5") else stored.md5_hex
    meta = {"etag": etag, "size": stored.size, "last_modified": time.time()}
    async with storage.locks.get(upload_lock_name(ctx.bucket, upload_id)):
        keep_first = deviations.active("part-replace-keeps-first")
        if keep_first and any(part["number"] == number for part in uploads.parts(ctx.bucket, upload_id)):
            installed = None  # the new part is dropped, the answer is a success
        else:
            try:  # the bucket may have been deleted (and created again) while the body streamed
                installed = uploads.install_part(
                    ctx.bucket, upload_id, number, temp, meta, expected_bucket=bucket
                )
            except BucketChanged as exc:
                temp.unlink(missing_ok=True)
                raise access.no_such_bucket() from exc
    if not installed:
        temp.unlink(missing_ok=True)
        if installed is False and not unchecked:
            raise JssError(404, "NoSuchUpload", "The specified upload does not exist")
    headers = [(b"etag", quoted_etag(etag))]
    if deviations.active("upload-part-returns-json-body"):
        return json_response({"ETag": etag}, headers=headers)
    return empty_response(201 if deviations.active("upload-part-answers-201") else 200, headers)


async def abort(ctx: RequestContext, storage: Storage, receive) -> Response:
    """AbortMultipartUpload: ``DELETE /bucket/key?uploadId=X``: 204."""
    deviations = ctx.config.deviations
    upload_id = upload_id_of(ctx)
    access.require_bucket(ctx, storage, "abort")
    uploads = Uploads(storage)
    moved = None
    async with storage.locks.get(upload_lock_name(ctx.bucket, upload_id)):
        lenient = deviations.active("abort-unknown-upload-succeeds")
        if not (lenient and uploads.get(ctx.bucket, upload_id) is None):
            require_upload(ctx, uploads, upload_id)
            if not deviations.active("abort-keeps-upload"):
                moved = uploads.remove(ctx.bucket, upload_id)
            if deviations.active("abort-removes-other-uploads-of-key"):
                remove_other_uploads_of_key(ctx, uploads, upload_id)
    storage.purge_later(moved)
    return empty_response(200 if deviations.active("abort-returns-200") else 204)
