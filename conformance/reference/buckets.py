"""The bucket operations: PutBucket, DeleteBucket, HeadBucket, ListBuckets (GetService), GetBucket."""

from __future__ import annotations

from conformance.reference import access
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext, Response, empty_response, json_response
from conformance.reference.listing import listed_time, object_page, page_size
from conformance.reference.storage import Storage, is_valid_bucket_name

MAX_BUCKETS_PER_REGION = 20
MAX_KEYS = 1000


async def put_bucket(ctx: RequestContext, storage: Storage, receive) -> Response:
    """PutBucket: 201; the bucket's region is the region of the endpoint that received the request."""
    owner = access.require_user(ctx)
    if not is_valid_bucket_name(ctx.bucket):
        raise JssError(400, "InvalidBucketName", "Bucket names are 3 to 63 characters of a-z, 0-9 and '-'")
    existing = storage.get_bucket(ctx.bucket)
    if existing is not None:
        if existing["owner"] == owner:
            raise JssError(409, "BucketAlreadyOwnedByYou", "You already own this bucket")
        raise JssError(409, "BucketAlreadyExists", "The requested bucket name is not available")
    mine = [b for b in storage.list_buckets() if b["owner"] == owner and b["region"] == ctx.region]
    if len(mine) >= MAX_BUCKETS_PER_REGION:
        raise JssError(400, "TooManyBuckets", "You have attempted to create more buckets than allowed")
    if not storage.create_bucket(ctx.bucket, owner, ctx.region):
        raise JssError(409, "BucketAlreadyExists", "The requested bucket name is not available")
    return empty_response(201)


async def delete_bucket(ctx: RequestContext, storage: Storage, receive) -> Response:
    """DeleteBucket: 204; 409 BucketNotEmpty while it holds objects or uploads in progress."""
    access.require_bucket(ctx, storage)
    if not storage.bucket_is_empty(ctx.bucket):
        raise JssError(409, "BucketNotEmpty", "The bucket you tried to delete is not empty")
    storage.delete_bucket(ctx.bucket)
    return empty_response(204)


async def head_bucket(ctx: RequestContext, storage: Storage, receive) -> Response:
    """HeadBucket: 200 when the bucket exists and is the caller's."""
    access.require_bucket(ctx, storage)
    return empty_response(200)


def list_buckets_status(ctx: RequestContext) -> int:
    """The status of a successful ListBuckets, on either wire: 200 (203 under list-buckets-answers-203)."""
    return 203 if ctx.config.deviations.active("list-buckets-answers-203") else 200


def list_objects_status(ctx: RequestContext) -> int:
    """The status of a successful ListObjects, on either wire: 200 (206 under list-objects-answers-206)."""
    return 206 if ctx.config.deviations.active("list-objects-answers-206") else 200


async def list_buckets(ctx: RequestContext, storage: Storage, receive) -> Response:
    """ListBuckets (GetService): the caller's buckets in every region; anonymous: 403 AccessDenied."""
    if ctx.user is None and ctx.config.deviations.active("anonymous-list-buckets-allowed"):
        return json_response({"Buckets": []})
    owner = access.require_user(ctx)
    buckets = [
        {
            "Name": b["name"],
            "CreationDate": listed_time(ctx, b["created"]),
            "Location": b["region"],
            "maxAge": 0,
            "crrStatus": 0,
        }
        for b in storage.list_buckets()
        if b["owner"] == owner
    ]
    return json_response({"Buckets": buckets}, list_buckets_status(ctx))


async def list_objects(ctx: RequestContext, storage: Storage, receive) -> Response:
    """GetBucket: the objects of a bucket, with prefix, marker, maxKeys (at most 1000) and delimiter."""
    access.require_bucket(ctx, storage)
    prefix = ctx.query_value("prefix") or ""
    marker = ctx.query_value("marker") or ""
    delimiter = ctx.query_value("delimiter") or ""
    listed_delimiter = "" if ctx.config.deviations.active("list-objects-ignores-delimiter") else delimiter
    limit = page_size(ctx, "maxKeys", default=MAX_KEYS, maximum=MAX_KEYS)
    deviations = ctx.config.deviations
    uppercase_etags = deviations.active("list-objects-etag-uppercase")
    metas, prefixes, truncated, last = object_page(
        storage, ctx.bucket, prefix, listed_delimiter, marker, limit
    )
    contents = [
        {
            "Key": meta["key"],
            "LastModified": listed_time(ctx, meta["last_modified"]),
            "ETag": meta["etag"].upper() if uppercase_etags else meta["etag"],
            "Size": meta["size"],
            "StorageClass": meta["storage_class"],
        }
        for meta in metas
    ]
    payload = {
        "Name": ctx.bucket,
        "Prefix": "" if deviations.active("list-objects-prefix-not-echoed") else prefix,
        "Marker": marker,
        "NextMarker": (last or marker) if truncated else "",
        "Delimiter": delimiter,
        "MaxKeys": limit,
        "HasNext": truncated and not deviations.active("list-objects-has-next-false"),
        "Contents": contents,
        "CommonPrefixes": prefixes,
    }
    return json_response(payload, list_objects_status(ctx))
