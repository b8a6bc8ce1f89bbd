"""The S3 listings: ListParts, ListMultipartUploads, ListObjects (V1) and ListObjectsV2, read from the
wire-neutral storage and uploads."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from urllib.parse import quote_plus

from conformance.reference import access
from conformance.reference.buckets import list_objects_status
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext, Response, quoted_etag
from conformance.reference.listing import object_page, page_size
from conformance.reference.lists import (
    list_parts_status,
    list_uploads_status,
    matching_uploads,
    max_uploads,
    parts_page,
)
from conformance.reference.multipart import upload_id_of
from conformance.reference.s3.render import NOT_XML, Tree, iso_time, owner, xml_response
from conformance.reference.storage import Storage
from conformance.reference.upload_pages import s3_page, served_from_index
from conformance.reference.uploads import Uploads

MAX_KEYS = 1000
#: The query values a listing writes back into its XML document.
ECHOED = (
    "prefix", "delimiter", "marker", "start-after", "continuation-token", "key-marker", "upload-id-marker"
)


def refuse_unwritable(ctx: RequestContext) -> None:
    """400 InvalidArgument when a value the listing echoes holds a character XML 1.0 cannot carry (a control
    character: no key holds one, the endpoint refuses them in keys), instead of a document no parser reads."""
    for name in ECHOED:
        if NOT_XML.search(ctx.query_value(name) or ""):
            raise JssError(400, "InvalidArgument", f"The {name} contains a control character")


async def list_parts(ctx: RequestContext, storage: Storage, receive) -> Response:
    """ListParts: ``GET /bucket/key?uploadId=X[&max-parts=N][&part-number-marker=M]``."""
    upload_id = upload_id_of(ctx)
    access.require_bucket(ctx, storage, "list-parts")
    upload, page, truncated, limit, marker = parts_page(ctx, Uploads(storage), upload_id, MAX_KEYS)
    initiator = owner(upload.get("owner") or "")
    tree: Tree = [
        ("Bucket", ctx.bucket),
        ("Key", ctx.key),
        ("UploadId", upload_id),
        ("Initiator", initiator),
        ("Owner", initiator),
        ("StorageClass", upload["storage_class"]),
        ("PartNumberMarker", marker),
        ("NextPartNumberMarker", page[-1]["number"] if page else marker),
        ("MaxParts", limit),
        ("IsTruncated", truncated),
    ]
    tree += [
        (
            "Part",
            [
                ("PartNumber", p["number"]),
                ("LastModified", iso_time(p["last_modified"])),
                ("ETag", quoted_etag(p["etag"]).decode()),
                ("Size", p["size"]),
            ],
        )
        for p in page
    ]
    if ctx.config.deviations.active("s3-list-parts-omits-storage-class"):
        tree = [(tag, value) for tag, value in tree if tag != "StorageClass"]
    return xml_response("ListPartsResult", tree, list_parts_status(ctx))


def scanned_s3_page(
    ctx: RequestContext, storage: Storage, prefix: str, key_marker: str, id_marker: str, limit: int
) -> tuple[list[dict], bool]:
    """The S3 page `upload_pages.s3_page` answers, from every manifest of the bucket (O(n)): the listing
    under a deviation that filters or reorders, and the reference the index is tested against."""
    matches = matching_uploads(
        ctx, Uploads(storage), prefix, lambda u: (u["key"].encode("utf-8"), u["initiated"])
    )
    if key_marker:
        position = [(u["key"], u["upload_id"]) for u in matches]
        if id_marker and (key_marker, id_marker) in position:
            matches = matches[position.index((key_marker, id_marker)) + 1 :]
        else:
            matches = [u for u in matches if u["key"].encode("utf-8") > key_marker.encode("utf-8")]
    return matches[:limit], len(matches) > limit


async def list_uploads(ctx: RequestContext, storage: Storage, receive) -> Response:
    """ListMultipartUploads: ``GET /bucket?uploads``, sorted by key, then by initiation time."""
    access.require_bucket(ctx, storage, "list-uploads")
    refuse_unwritable(ctx)
    prefix = ctx.query_value("prefix") or ""
    limit = max_uploads(ctx, MAX_KEYS)
    key_marker = ctx.query_value("key-marker") or ""
    id_marker = ctx.query_value("upload-id-marker") or ""
    if served_from_index(ctx):
        page, truncated = s3_page(ctx, storage, prefix, key_marker, id_marker, limit)
    else:
        page, truncated = scanned_s3_page(ctx, storage, prefix, key_marker, id_marker, limit)
    # max-uploads=0 with uploads left: an empty page, truncated; the next page starts at the markers sent
    last = page[-1] if page else {"key": key_marker, "upload_id": id_marker}
    tree: Tree = [
        ("Bucket", ctx.bucket),
        ("KeyMarker", key_marker),
        ("UploadIdMarker", id_marker),
        ("NextKeyMarker", last["key"] if truncated else ""),
        ("NextUploadIdMarker", last["upload_id"] if truncated else ""),
        ("Prefix", prefix),
        ("MaxUploads", limit),
        ("IsTruncated", truncated),
    ]
    initiated = not ctx.config.deviations.active("s3-list-uploads-omits-initiated")
    for u in page:
        initiator = owner(u.get("owner") or "")
        tree.append(
            (
                "Upload",
                [
                    ("Key", u["key"]),
                    ("UploadId", u["upload_id"]),
                    ("Initiator", initiator),
                    ("Owner", initiator),
                    ("StorageClass", u["storage_class"]),
                    *([("Initiated", iso_time(u["initiated"]))] if initiated else []),
                ],
            )
        )
    return xml_response("ListMultipartUploadsResult", tree, list_uploads_status(ctx))




def _entries(
    contents: list[dict], prefixes: list[str], with_owner: str | None, encode: Callable[[str], str]
) -> Tree:
    tree: Tree = []
    for meta in contents:
        entry: Tree = [
            ("Key", encode(meta["key"])),
            ("LastModified", iso_time(meta["last_modified"])),
            ("ETag", quoted_etag(meta["etag"]).decode()),
            ("Size", meta["size"]),
            ("StorageClass", meta["storage_class"] or "STANDARD"),
        ]
        if with_owner is not None:
            entry.append(("Owner", owner(with_owner)))
        tree.append(("Contents", entry))
    tree += [("CommonPrefixes", [("Prefix", encode(common))]) for common in prefixes]
    return tree


def _token_key(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode("ascii")).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise JssError(400, "InvalidArgument", "The continuation token provided is incorrect") from exc


def _encoder(ctx: RequestContext) -> Callable[[str], str]:
    """How keys are written: as they are, or URL-encoded for ``encoding-type=url`` (botocore asks for it)."""
    encoding = ctx.query_value("encoding-type")
    if encoding is None:
        return lambda value: value
    if encoding != "url":
        raise JssError(400, "InvalidArgument", "Invalid Encoding Method specified in Request")
    return lambda value: quote_plus(value, safe="/")


async def list_objects(ctx: RequestContext, storage: Storage, receive) -> Response:
    """ListObjects (V1, ``marker``) or ListObjectsV2 (``list-type=2``: continuation-token, start-after)."""
    bucket = access.require_bucket(ctx, storage)
    refuse_unwritable(ctx)
    prefix = ctx.query_value("prefix") or ""
    delimiter = ctx.query_value("delimiter") or ""
    limit = page_size(ctx, "max-keys", default=MAX_KEYS, maximum=MAX_KEYS)
    encode = _encoder(ctx)
    v2 = ctx.query_value("list-type") == "2"
    if v2:
        token = ctx.query_value("continuation-token")
        start_after = ctx.query_value("start-after") or ""
        after = _token_key(token) if token else start_after
    else:
        after = ctx.query_value("marker") or ""
    contents, prefixes, truncated, last = object_page(storage, ctx.bucket, prefix, delimiter, after, limit)
    tree: Tree = [("Name", ctx.bucket), ("Prefix", encode(prefix))]
    if v2:
        if token:
            tree.append(("ContinuationToken", token))
        if start_after:
            tree.append(("StartAfter", encode(start_after)))
        tree += [("KeyCount", len(contents) + len(prefixes)), ("MaxKeys", limit)]
    else:
        tree += [("Marker", encode(after)), ("MaxKeys", limit)]
    if delimiter:
        tree.append(("Delimiter", encode(delimiter)))
    if encode("+") != "+":
        tree.append(("EncodingType", "url"))
    tree.append(("IsTruncated", truncated))
    if truncated and v2:
        tree.append(("NextContinuationToken", base64.urlsafe_b64encode(last.encode()).decode()))
    elif truncated and delimiter:
        tree.append(("NextMarker", encode(last)))
    owner_name = bucket["owner"] if not v2 or ctx.query_value("fetch-owner") == "true" else None
    tree += _entries(contents, prefixes, owner_name, encode)
    return xml_response("ListBucketResult", tree, list_objects_status(ctx))
