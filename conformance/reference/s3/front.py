"""The S3 front's entry points for the app: authenticate a request, route it, render an error."""

from __future__ import annotations

from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext, Response
from conformance.reference.s3 import buckets, listings, multipart, objects
from conformance.reference.s3.auth import authenticate
from conformance.reference.s3.render import XML_CONTENT_TYPE, error_document

__all__ = ["authenticate", "error_response", "route"]


def route(ctx: RequestContext):
    """The S3 operation a request asks for; 405 MethodNotAllowed when there is none."""
    method = ctx.method
    if ctx.bucket is None:
        if method == "GET":
            return buckets.list_buckets
    elif ctx.key is None:
        table = {
            "PUT": buckets.create_bucket,
            "DELETE": buckets.delete_bucket,
            "HEAD": buckets.head_bucket,
            "GET": listings.list_uploads if ctx.has_query("uploads") else listings.list_objects,
        }
        if method in table:
            return table[method]
    else:
        with_upload = ctx.has_query("uploadId")
        if method == "POST" and ctx.has_query("uploads"):
            return multipart.initiate
        if method == "POST" and with_upload:
            return multipart.complete
        if method == "PUT" and (with_upload or ctx.has_query("partNumber")):
            return multipart.upload_part
        table = {
            "PUT": objects.put_object,
            "GET": listings.list_parts if with_upload else objects.get_object,
            "HEAD": objects.get_object,
            "DELETE": multipart.abort if with_upload else objects.delete_object,
        }
        if method in table:
            return table[method]
    raise JssError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")


def error_response(error: JssError, resource: str, request_id: str, method: str) -> Response:
    """The Error XML of `error` (no body for HEAD, as S3 answers it)."""
    if method == "HEAD":
        return Response(error.status, [])
    body = error_document(error.code, error.message, resource, request_id)
    return Response(error.status, [(b"content-type", XML_CONTENT_TYPE)], body)
