"""The S3 object operations: PutObject, GetObject (Range), HeadObject, DeleteObject, through the
wire-neutral handlers of ``conformance.reference.objects``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from conformance.reference import objects
from conformance.reference.httpio import RequestContext, Response
from conformance.reference.s3.neutral import SSE_ECHO, neutral_context, requested_encryption, s3_headers
from conformance.reference.s3.payload import body_receive
from conformance.reference.storage import Storage

NeutralHandler = Callable[[RequestContext, Storage, Callable], Awaitable[Response]]


async def run_neutral(handler: NeutralHandler, ctx: RequestContext, storage: Storage, receive) -> Response:
    """Run a wire-neutral `handler` on the S3 request `ctx` (headers mapped both ways)."""
    neutral = neutral_context(ctx)
    response = await handler(neutral, storage, receive)
    ctx.late_refusal = neutral.late_refusal
    return s3_headers(response)


async def put_object(ctx: RequestContext, storage: Storage, receive) -> Response:
    """PutObject: the body in any ``x-amz-content-sha256`` form; the SSE algorithm echoed."""
    response = await run_neutral(objects.put_object, ctx, storage, body_receive(ctx, receive))
    if requested_encryption(ctx):
        response.headers.append(SSE_ECHO)
    return response


async def get_object(ctx: RequestContext, storage: Storage, receive) -> Response:
    """GetObject / HeadObject (with Range); x-amz-storage-class when not STANDARD."""
    return await run_neutral(objects.get_object, ctx, storage, receive)


async def delete_object(ctx: RequestContext, storage: Storage, receive) -> Response:
    """DeleteObject: 204."""
    return await run_neutral(objects.delete_object, ctx, storage, receive)
