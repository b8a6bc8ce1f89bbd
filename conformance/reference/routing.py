"""Which operation a request asks for, by name, the same on both wires (method, bucket, key and the
sub-resource decide it): ``initiate``, ``upload-part``, ``complete``, ``abort``, ``list-parts``,
``list-uploads``, ``put``, ``get``, ``head``, ``delete``, ``list-buckets``, ``head-service``, ``put-bucket``,
``delete-bucket``, ``head-bucket``, ``list-objects``. Each wire maps the names it serves to its handlers
(conformance.reference.app for JSS, conformance.reference.s3.front for S3); fault scripts and records name
operations by these names too (conformance.reference.operation_names)."""

from __future__ import annotations

from conformance.reference.httpio import RequestContext

_BUCKET_OPERATIONS = {"PUT": "put-bucket", "DELETE": "delete-bucket", "HEAD": "head-bucket"}
_OBJECT_OPERATIONS = {"PUT": "put", "HEAD": "head"}


def operation_of(ctx: RequestContext) -> str | None:
    """The name of the operation `ctx` asks for (None when it asks for none)."""
    method = ctx.method
    if ctx.bucket is None:
        return {"GET": "list-buckets", "HEAD": "head-service"}.get(method)
    if ctx.key is None:
        if method == "GET":
            return "list-uploads" if ctx.has_query("uploads") else "list-objects"
        return _BUCKET_OPERATIONS.get(method)
    with_upload = ctx.has_query("uploadId")
    if method == "POST" and ctx.has_query("uploads"):
        return "initiate"
    if method == "POST" and with_upload:
        return "complete"
    if method == "PUT" and (with_upload or ctx.has_query("partNumber")):
        return "upload-part"
    if method == "GET":
        return "list-parts" if with_upload else "get"
    if method == "DELETE":
        return "abort" if with_upload else "delete"
    return _OBJECT_OPERATIONS.get(method)
