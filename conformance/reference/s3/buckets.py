"""The S3 bucket operations: ListBuckets, CreateBucket (LocationConstraint), DeleteBucket, HeadBucket."""

from __future__ import annotations

from xml.etree import ElementTree

from conformance.reference import access
from conformance.reference import buckets as neutral_buckets
from conformance.reference.bodies import receive_small
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext, Response
from conformance.reference.s3.objects import run_neutral
from conformance.reference.s3.render import iso_time, owner, xml_response
from conformance.reference.storage import Storage, is_valid_bucket_name

MAX_CONFIGURATION_BODY = 64 * 1024


def parse_location(body: bytes) -> str | None:
    """The LocationConstraint of a CreateBucketConfiguration body (None: no body or no constraint)."""
    if not body.strip():
        return None
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise JssError(400, "MalformedXML", "The XML you provided was not well-formed") from exc
    if root.tag.rpartition("}")[2] != "CreateBucketConfiguration":
        raise JssError(400, "MalformedXML", "The body must be a CreateBucketConfiguration")
    for child in root:
        if child.tag.rpartition("}")[2] == "LocationConstraint":
            return (child.text or "").strip() or None
    return None


async def create_bucket(ctx: RequestContext, storage: Storage, receive) -> Response:
    """CreateBucket: in the LocationConstraint's region when it names a region this endpoint serves, else in
    the region of the endpoint that received it; 400 InvalidLocationConstraint for another region."""
    owner_name = access.require_user(ctx)
    location = parse_location(await receive_small(receive, MAX_CONFIGURATION_BODY))
    if location is not None and location not in ctx.config.regions:
        raise JssError(400, "InvalidLocationConstraint", "The specified location-constraint is not valid")
    if not is_valid_bucket_name(ctx.bucket):
        raise JssError(400, "InvalidBucketName", "The specified bucket is not valid")
    existing = storage.get_bucket(ctx.bucket)
    if existing is not None:
        if existing["owner"] == owner_name:
            raise JssError(
                409,
                "BucketAlreadyOwnedByYou",
                "Your previous request to create the named bucket succeeded and you already own it.",
            )
        raise JssError(409, "BucketAlreadyExists", "The requested bucket name is not available")
    if not storage.create_bucket(ctx.bucket, owner_name, location or ctx.region):
        raise JssError(409, "BucketAlreadyExists", "The requested bucket name is not available")
    return Response(200, [(b"location", f"/{ctx.bucket}".encode())])


async def delete_bucket(ctx: RequestContext, storage: Storage, receive) -> Response:
    """DeleteBucket: 204; 409 BucketNotEmpty."""
    return await run_neutral(neutral_buckets.delete_bucket, ctx, storage, receive)


async def head_bucket(ctx: RequestContext, storage: Storage, receive) -> Response:
    """HeadBucket: 200 with x-amz-bucket-region."""
    record = access.require_bucket(ctx, storage)
    return Response(200, [(b"x-amz-bucket-region", record["region"].encode())])


async def list_buckets(ctx: RequestContext, storage: Storage, receive) -> Response:
    """ListBuckets: the caller's buckets (every region); anonymous: 403 AccessDenied."""
    if ctx.user is None and ctx.config.deviations.active("s3-anonymous-list-buckets-allowed"):
        return xml_response("ListAllMyBucketsResult", [("Owner", owner("")), ("Buckets", [])])
    owner_name = access.require_user(ctx)
    mine = [b for b in storage.list_buckets() if b["owner"] == owner_name]
    entries = [
        (
            "Bucket",
            [("Name", b["name"]), ("CreationDate", iso_time(b["created"])), ("BucketRegion", b["region"])],
        )
        for b in mine
    ]
    tree = [("Owner", owner(owner_name)), ("Buckets", entries)]
    return xml_response("ListAllMyBucketsResult", tree, neutral_buckets.list_buckets_status(ctx))
