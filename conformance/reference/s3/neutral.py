"""The S3 request and response headers mapped to and from the names the wire-neutral handlers read.

The object and part handlers (``conformance.reference.objects``, ``multipart``) read the storage class and the
encryption flag from ``x-jss-*`` headers and answer with them; the S3 front hands them a copy of the request
with the ``x-amz-*`` values moved there, and maps their answer back.
"""

from __future__ import annotations

import dataclasses

from conformance.reference.errors import JssError
from conformance.reference.httpio import JSON_CONTENT_TYPE, RequestContext, Response
from conformance.reference.regions import STANDARD

SSE = "x-amz-server-side-encryption"
SSE_AES256 = "AES256"
SSE_ECHO = (SSE.encode(), SSE_AES256.encode())
S3_METADATA, JSS_METADATA = "x-amz-meta-", "x-jss-meta-"


def requested_encryption(ctx: RequestContext) -> bool:
    """True for ``x-amz-server-side-encryption: AES256``; 400 InvalidArgument for any other value (JSS
    encrypts with its own keys only)."""
    value = ctx.header(SSE)
    if value is None:
        return False
    if value != SSE_AES256:
        raise JssError(400, "InvalidArgument", "The server-side encryption algorithm must be AES256")
    return True


def neutral_context(ctx: RequestContext) -> RequestContext:
    """A copy of `ctx` whose headers say in ``x-jss-*`` what the S3 request says in ``x-amz-*`` (user metadata
    ``x-amz-meta-*`` as ``x-jss-meta-*``); the body
    length is ``x-amz-decoded-content-length`` for an aws-chunked body."""
    headers = [(name, value) for name, value in ctx.headers if not name.startswith("x-jss-")]
    if (storage_class := ctx.header("x-amz-storage-class")) is not None:
        headers.append(("x-jss-storage-class", storage_class))
    if requested_encryption(ctx):
        headers.append(("x-jss-server-side-encryption", "true"))
    headers += [(JSS_METADATA + name[len(S3_METADATA):], value) for name, value in ctx.headers
                if name.startswith(S3_METADATA)]
    decoded = ctx.header("x-amz-decoded-content-length")
    if decoded is not None and (ctx.header("x-amz-content-sha256") or "").startswith("STREAMING-"):
        headers = [(n, v) for n, v in headers if n != "content-length"] + [("content-length", decoded)]
    copy = dataclasses.replace(ctx, headers=headers)
    copy.user = ctx.user
    return copy


def s3_headers(response: Response) -> Response:
    """`response` with its ``x-jss-*`` headers in S3 form (the storage class only when not STANDARD, the
    encryption as AES256, user metadata as ``x-amz-meta-*``) and without the JSON content type of an empty
    answer."""
    headers = []
    for name, value in response.headers:
        if name == b"x-jss-storage-class":
            if value != STANDARD.encode():
                headers.append((b"x-amz-storage-class", value))
        elif name == b"x-jss-server-side-encryption":
            if value == b"true":
                headers.append(SSE_ECHO)
        elif name.startswith(JSS_METADATA.encode()):
            headers.append((S3_METADATA.encode() + name[len(JSS_METADATA):], value))
        elif not (name == b"content-type" and value == JSON_CONTENT_TYPE):
            headers.append((name, value))
    response.headers = headers
    return response
