"""The S3 front's entry points for the app: authenticate a request, route it, render an error."""

from __future__ import annotations

from conformance.reference.deviations import Deviations
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext, Response
from conformance.reference.routing import operation_of
from conformance.reference.s3 import buckets, listings, multipart, objects
from conformance.reference.s3.auth import authenticate
from conformance.reference.s3.render import XML_CONTENT_TYPE, error_document

__all__ = ["authenticate", "error_response", "route"]


#: The S3 front's handler of each operation it serves (conformance.reference.routing names them).
HANDLERS = {
    "list-buckets": buckets.list_buckets,
    "put-bucket": buckets.create_bucket,
    "delete-bucket": buckets.delete_bucket,
    "head-bucket": buckets.head_bucket,
    "list-objects": listings.list_objects,
    "list-uploads": listings.list_uploads,
    "initiate": multipart.initiate,
    "complete": multipart.complete,
    "upload-part": multipart.upload_part,
    "list-parts": listings.list_parts,
    "abort": multipart.abort,
    "put": objects.put_object,
    "get": objects.get_object,
    "head": objects.get_object,
    "delete": objects.delete_object,
}


def route(ctx: RequestContext):
    """The S3 operation a request asks for; 405 MethodNotAllowed when there is none."""
    handler = HANDLERS.get(operation_of(ctx) or "")
    if handler is None:
        raise JssError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
    return handler


def error_response(
    error: JssError, resource: str, request_id: str, method: str, deviations: Deviations
) -> Response:
    """The Error XML of `error` (no body for HEAD, as S3 answers it)."""
    if method == "HEAD":
        return Response(error.status, [])
    omitted = {
        element
        for element, switched in (
            ("Message", deviations.active("s3-error-without-message")),
            ("RequestId", deviations.active("s3-error-without-request-id")),
        )
        if switched
    }
    body = error_document(error.code, error.message, resource, request_id, omitted)
    return Response(error.status, [(b"content-type", XML_CONTENT_TYPE)], body)
