"""One page of ListMultipartUploads from the bucket's upload index (``upload_index``), on either wire:
O(page + log n) whatever the number of uploads. The deviations that change which uploads are listed or their
order are served by the scan of every manifest instead (``lists.matching_uploads``), as before the index."""

from __future__ import annotations

from itertools import islice

from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext
from conformance.reference.upload_index import bucket_index, walk

#: Deviations that filter or reorder the listed uploads: the listing then scans every manifest.
SCANNING_DEVIATIONS = (
    "list-uploads-ignores-prefix",
    "list-uploads-needs-a-part",
    "list-uploads-in-initiation-order",
)


def served_from_index(ctx: RequestContext) -> bool:
    """True when the listing comes from the index (no deviation of `SCANNING_DEVIATIONS` is active)."""
    return not any(ctx.config.deviations.active(name) for name in SCANNING_DEVIATIONS)


def _take(manifests, limit: int) -> tuple[list[dict], bool]:
    page = list(islice(manifests, limit + 1))
    return page[:limit], len(page) > limit


def jss_page(
    ctx: RequestContext, storage, prefix: str, key_marker: str, id_marker: str, limit: int, most: int
) -> tuple[list[dict], bool]:
    """(the uploads listed, whether more follow) of a JSS page: keys under `prefix`, ordered by (key as
    UTF-8 bytes, upload id), after (key_marker, id_marker) (after every upload of key_marker without
    id_marker); 400 TooManyMultipartUploads when more than `most` uploads match the prefix."""
    index = bucket_index(storage, ctx.bucket)
    if index.count(prefix) > most:
        raise JssError(400, "TooManyMultipartUploads", "More than 10000 uploads match; narrow the prefix")
    start = index.jss_start(key_marker, id_marker) if key_marker else 0
    return _take(walk(storage, ctx.bucket, index, index.jss, start, prefix), limit)


def s3_page(
    ctx: RequestContext, storage, prefix: str, key_marker: str, id_marker: str, limit: int
) -> tuple[list[dict], bool]:
    """(the uploads listed, whether more follow) of an S3 page: keys under `prefix`, ordered by (key as
    UTF-8 bytes, initiation time), after the upload the markers name (after every upload of key_marker
    when they name none)."""
    index = bucket_index(storage, ctx.bucket)
    start = index.s3_start(key_marker, id_marker) if key_marker else 0
    return _take(walk(storage, ctx.bucket, index, index.s3, start, prefix), limit)
