"""The two multipart listings: ListParts (one upload) and ListMultipartUploads (a bucket; a page from the
upload index, see ``upload_pages``)."""

from __future__ import annotations

from urllib.parse import quote_plus

from conformance.reference import access
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext, Response, json_response
from conformance.reference.listing import listed_time, page_size
from conformance.reference.multipart import MAX_PART_NUMBER, require_upload, upload_id_of
from conformance.reference.regions import STANDARD
from conformance.reference.storage import Storage
from conformance.reference.upload_pages import jss_page, served_from_index
from conformance.reference.uploads import Uploads


def _part_entry(ctx: RequestContext, part: dict, as_strings: bool) -> dict:
    convert = str if as_strings else int
    return {
        "PartNumber": convert(part["number"]),
        "LastModified": listed_time(ctx, part["last_modified"]),
        "ETag": part["etag"],
        "Size": convert(part["size"]),
    }


def list_parts_status(ctx: RequestContext) -> int:
    """The status of a successful ListParts, on either wire: 200 (206 under list-parts-answers-206)."""
    return 206 if ctx.config.deviations.active("list-parts-answers-206") else 200


def list_uploads_status(ctx: RequestContext) -> int:
    """The status of a successful ListMultipartUploads, on either wire: 200 (206 under
    list-uploads-answers-206)."""
    return 206 if ctx.config.deviations.active("list-uploads-answers-206") else 200


def parts_page(
    ctx: RequestContext, uploads: Uploads, upload_id: str, max_parts: int
) -> tuple[dict, list[dict], bool, int, int]:
    """The page of an upload's parts ListParts answers on either wire: (the upload, the parts listed,
    whether more follow, max-parts, part-number-marker); max-parts at most `max_parts`."""
    deviations = ctx.config.deviations
    if deviations.active("list-parts-unknown-upload-empty") and uploads.get(ctx.bucket, upload_id) is None:
        upload = {"storage_class": STANDARD, "owner": None}
    else:
        upload = require_upload(ctx, uploads, upload_id)
    limit = page_size(ctx, "max-parts", default=1000, maximum=max_parts)
    marker = page_size(ctx, "part-number-marker", default=0, maximum=MAX_PART_NUMBER)
    if deviations.active("list-parts-ignores-paging"):
        limit, marker = 1000, 0
    parts = uploads.parts(ctx.bucket, upload_id)
    if deviations.active("list-parts-in-upload-order"):
        parts.sort(key=lambda part: part["last_modified"])
    remaining = [part for part in parts if part["number"] > marker]
    return upload, remaining[:limit], len(remaining) > limit, limit, marker


def matching_uploads(ctx: RequestContext, uploads: Uploads, prefix: str, sort_key) -> list[dict]:
    """The uploads of the bucket ListMultipartUploads lists on either wire: those of keys under `prefix`,
    in the order of `sort_key`."""
    deviations = ctx.config.deviations
    matching_prefix = "" if deviations.active("list-uploads-ignores-prefix") else prefix
    matches = [u for u in uploads.list(ctx.bucket) if u["key"].startswith(matching_prefix)]
    if deviations.active("list-uploads-needs-a-part"):
        matches = [u for u in matches if uploads.parts(ctx.bucket, u["upload_id"])]
    in_initiation_order = deviations.active("list-uploads-in-initiation-order")
    return sorted(matches, key=_initiated if in_initiation_order else sort_key)


def _initiated(upload: dict) -> float:
    return upload["initiated"]


def max_uploads(ctx: RequestContext, maximum: int) -> int:
    """The max-uploads of a ListMultipartUploads on either wire (default and cap 1000 on S3)."""
    limit = page_size(ctx, "max-uploads", default=1000, maximum=maximum)
    return 1000 if ctx.config.deviations.active("list-uploads-ignores-max-uploads") else limit


async def list_parts(ctx: RequestContext, storage: Storage, receive) -> Response:
    """ListParts: ``GET /bucket/key?uploadId=X[&max-parts=N][&part-number-marker=M]``."""
    deviations = ctx.config.deviations
    upload_id = upload_id_of(ctx)
    access.require_bucket(ctx, storage, "list-parts")
    upload, page, truncated, limit, marker = parts_page(ctx, Uploads(storage), upload_id, MAX_PART_NUMBER)
    as_strings = deviations.active("list-parts-numbers-as-strings")
    payload = {
        "Bucket": ctx.bucket,
        "Key": quote_plus(ctx.key) if deviations.active("list-parts-key-echo-url-encoded") else ctx.key,
        "UploadId": upload_id,
        "Part": [_part_entry(ctx, part, as_strings) for part in page],
        "StorageClass": upload["storage_class"],
        "PartNumberMarker": marker,
        "MaxParts": limit,
        "IsTruncated": truncated,
        "NextPartNumberMarker": page[-1]["number"] if page else marker,
    }
    if deviations.active("list-parts-omits-storage-class"):
        del payload["StorageClass"]
    return json_response(payload, list_parts_status(ctx))


def _encryption_flag(ctx: RequestContext, encrypted: bool) -> str | bool:
    """The Enable-Encryption value of an upload: "true" / "false" (or what a deviation makes of it)."""
    deviations = ctx.config.deviations
    if deviations.active("encryption-flag-not-reported"):
        encrypted = False
    if deviations.active("list-uploads-encryption-flag-boolean"):
        return encrypted
    return "true" if encrypted else "false"


def _next_marker(page: list[dict], truncated: bool, field: str, sent: str) -> str:
    """Where the next page starts: the last upload listed; the marker sent for an empty truncated page
    (max-uploads=0: nothing listed, the same position again); "" when the listing is complete."""
    if not truncated:
        return ""
    return page[-1][field] if page else sent


def scanned_jss_page(
    ctx: RequestContext, storage: Storage, prefix: str, key_marker: str, id_marker: str, limit: int
) -> tuple[list[dict], bool]:
    """The JSS page `upload_pages.jss_page` answers, from every manifest of the bucket (O(n)): the listing
    under a deviation that filters or reorders, and the reference the index is tested against."""
    matches = matching_uploads(
        ctx, Uploads(storage), prefix, lambda u: (u["key"].encode("utf-8"), u["upload_id"])
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
    return matches[:limit], len(matches) > limit


async def list_uploads(ctx: RequestContext, storage: Storage, receive) -> Response:
    """ListMultipartUploads: ``GET /bucket?uploads`` (prefix, max-uploads, key-marker, upload-id-marker)."""
    deviations = ctx.config.deviations
    access.require_bucket(ctx, storage, "list-uploads")
    if deviations.active("list-uploads-raises"):
        raise RuntimeError("deviation list-uploads-raises: an unexpected failure inside the handler")
    prefix = ctx.query_value("prefix") or ""
    limit = max_uploads(ctx, MAX_PART_NUMBER)
    key_marker = ctx.query_value("key-marker") or ""
    id_marker = ctx.query_value("upload-id-marker") or ""
    if served_from_index(ctx):
        page, truncated = jss_page(ctx, storage, prefix, key_marker, id_marker, limit, MAX_PART_NUMBER)
    else:
        page, truncated = scanned_jss_page(ctx, storage, prefix, key_marker, id_marker, limit)
    payload = {
        "Bucket": ctx.bucket,
        "Prefix": "" if ctx.config.deviations.active("list-uploads-prefix-not-echoed") else prefix,
        "Upload": [
            {
                "Key": u["key"],
                "UploadId": u["upload_id"],
                "Initiated": listed_time(ctx, u["initiated"]),
                "Enable-Encryption": _encryption_flag(ctx, u["encrypted"]),
                "StorageClass": u["storage_class"],
            }
            for u in page
        ],
        "MaxUploads": limit,
        "IsTruncated": truncated,
        "NextKeyMarker": _next_marker(page, truncated, "key", key_marker),
        "NextUploadIdMarker": _next_marker(page, truncated, "upload_id", id_marker),
    }
    return json_response(payload, list_uploads_status(ctx))
