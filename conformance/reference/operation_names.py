"""The operation name of a request (``initiate``, ``upload-part``...) as fault scripts and records use it."""

from __future__ import annotations

from conformance.reference import buckets, complete, lists, multipart, objects
from conformance.reference.app import route
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext

_NAMES = {
    multipart.initiate: "initiate",
    multipart.upload_part: "upload-part",
    complete.complete: "complete",
    multipart.abort: "abort",
    lists.list_parts: "list-parts",
    lists.list_uploads: "list-uploads",
    objects.put_object: "put",
    objects.get_object: "get",
    objects.delete_object: "delete",
    buckets.list_buckets: "list-buckets",
    buckets.put_bucket: "put-bucket",
    buckets.delete_bucket: "delete-bucket",
    buckets.head_bucket: "head-bucket",
    buckets.list_objects: "list-objects",
}


def operation_name(ctx: RequestContext) -> str:
    """The name of the operation `ctx` asks for (``head`` for HEAD on an object); ``unknown`` if none."""
    try:
        handler = route(ctx)
    except JssError:
        return "unknown"
    name = _NAMES.get(handler, "unknown")
    return "head" if name == "get" and ctx.method == "HEAD" else name
