"""The fault-script admin route (``serve --faults``), outside the JSS namespace (no bucket name can start with
``_``), JSON in and out, every request signed by the account it acts for, as the wire signs (JSS signature on
the JSS wire, SigV4 or V2 on the S3 wire; the endpoint's own authentication checks it, the resource signed is
the path, ``/_testbench/faults[/<id>]``):

- ``POST /_testbench/faults`` with a script: 201 and the script's read-back; the script's bucket must be the
  caller's (403 AccessDenied, 404 NoSuchBucket); 400 InvalidScript for an invalid or too large script, 400
  TooManyScripts past the count per bucket or in total;
- ``GET /_testbench/faults[?bucket=B][&max-scripts=N][&marker=M]``: a page of the caller's scripts,
  ``{"scripts": [...], "truncated": bool, "next_marker": M | null}``, at most N (default 100, at most 1000)
  and about PAGE_MAX_BYTES of JSON (at least one script);
  parsing a script and building a page run in a worker thread, not on the event loop;
- ``GET /_testbench/faults/<id>``: one of the caller's scripts (404 NoSuchScript when unknown, 403
  AccessDenied when another account's);
- ``DELETE /_testbench/faults/<id>``: 204 (404, 403 as for GET); ``DELETE /_testbench/faults``: every
  script of the caller (``?bucket=B``: those of bucket B), 200 ``{"deleted": N}``;
- another method: 405 with ``Allow`` (GET, POST, DELETE on the collection; GET, DELETE on a script).

An unsigned request, or one whose signature the wire refuses, gets 403 (or the wire's authentication error)
in the wire's error format (JSON on JSS, the Error XML on S3), and nothing is read back or changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
from collections.abc import Callable
from urllib.parse import parse_qs

from conformance.reference.auth import authenticate as jss_authenticate
from conformance.reference.errors import JssError
from conformance.reference.fault_store import Page, ScriptStore, TooManyScripts
from conformance.reference.faults import ScriptError
from conformance.reference.httpio import JSON_CONTENT_TYPE, RequestContext, new_request_id
from conformance.reference.jsonbody import parse_bounded_json
from conformance.reference.s3.front import authenticate as s3_authenticate
from conformance.reference.s3.payload import body_receive

MAX_SCRIPT_DEPTH = 16  # a script is {"instructions": {"op": [...]}}: three levels
#: The read-back's page: scripts by default and at most, and the JSON bytes a page stops adding scripts at.
DEFAULT_PAGE_SCRIPTS, MAX_PAGE_SCRIPTS = 100, 1000
PAGE_MAX_BYTES = 256 * 1024
#: The methods of the admin route, as its 405 answers list them in Allow.
COLLECTION_METHODS = "GET, POST, DELETE"
ITEM_METHODS = "GET, DELETE"


def tracking(receive: Callable) -> Callable:
    """`receive` noting when the request body has been read to its end (`drain` then returns at once)."""

    async def tracked() -> dict:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            tracked.finished = True
        return message

    tracked.finished = False
    return tracked


async def drain(receive: Callable) -> None:
    """Read and drop what is left of the request body (nothing when a `tracking` receive saw its end)."""
    while not getattr(receive, "finished", False):
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            return


async def _read_body(receive: Callable, limit: int) -> bytes:
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return bytes(body)
        body += message.get("body", b"")
        if len(body) > limit:
            raise ScriptError(f"a script is at most {limit} bytes")
        if not message.get("more_body"):
            return bytes(body)


async def send_json(send: Callable, status: int, payload: object | None, extra: list | None = None) -> None:
    """Answer `status` with `payload` as JSON (no body for None)."""
    body = b"" if payload is None else json.dumps(payload).encode("utf-8")
    await send_raw_json(send, status, body, extra)


async def send_raw_json(send: Callable, status: int, body: bytes, extra: list | None = None) -> None:
    """Answer `status` with `body`, already JSON."""
    headers = [(b"content-type", JSON_CONTENT_TYPE), (b"content-length", str(len(body)).encode())]
    headers += extra or []
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def return_freed_memory() -> None:
    """Give the heap's free memory back to the system after scripts are deleted (glibc ``malloc_trim``; the
    server keeps up to 32 MiB of freed memory otherwise, see conformance.reference.server.tune_allocator).
    Not glibc: nothing to do."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _page_size(text: str | None) -> int:
    if text is None:
        return DEFAULT_PAGE_SCRIPTS
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE_SCRIPTS:
        raise ScriptError(f"max-scripts must be a number from 1 to {MAX_PAGE_SCRIPTS}")
    return int(text)


class FaultAdmin:
    """The admin route over `store`, for the ReferenceApp `app` (parsing, authentication, bucket owners,
    the wire's error format); `max_script_bytes` bounds a script document."""

    def __init__(self, app, store: ScriptStore, max_script_bytes: int) -> None:
        self.app, self.store, self.max_script_bytes = app, store, max_script_bytes

    async def __call__(self, scope: dict, receive: Callable, send: Callable, script_id: str) -> None:
        request_id = new_request_id()
        receive = tracking(receive)
        try:
            ctx = self.app.parse(scope, request_id)
            wire = self.app.wire_of(scope)
            user = s3_authenticate(ctx) if wire == "s3" else jss_authenticate(ctx)
            if user is None:
                raise JssError(403, "AccessDenied", "Access Denied")
            await self.serve(ctx, user.name, receive, send, script_id)
        except JssError as error:
            await drain(receive)
            await self.send_error(scope, send, error, request_id)

    async def send_error(self, scope: dict, send: Callable, error: JssError, request_id: str) -> None:
        """`error` in the wire's error format (JSON on JSS, the Error XML on S3)."""
        wire = self.app.wire_of(scope)
        response = self.app.error_response(error, scope.get("path", "/"), request_id, scope["method"], wire)
        headers = [(self.app.request_id_header_of(scope), request_id.encode()), *response.headers,
                   (b"content-length", str(len(response.body)).encode())]
        await send({"type": "http.response.start", "status": error.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})

    async def serve(self, ctx: RequestContext, owner: str, receive: Callable, send: Callable,
                    script_id: str) -> None:
        """The request of `owner` (signed): create, list, read back or delete scripts."""
        method = ctx.method
        allowed = ITEM_METHODS if script_id else COLLECTION_METHODS
        if method not in allowed:
            await drain(receive)
            return await send_json(send, 405, {"code": "MethodNotAllowed", "message": f"allowed: {allowed}"},
                                   [(b"allow", allowed.encode())])
        if not script_id and method == "POST":
            return await self.create(ctx, owner, receive, send)
        await drain(receive)
        query = parse_qs(ctx.raw_query, keep_blank_values=True)
        bucket = query.get("bucket", [None])[0]
        if not script_id and method == "GET":
            return await self.list_page(owner, query, bucket, send)
        if not script_id:  # DELETE of the collection
            deleted = self.store.delete_all(owner, bucket)
            if deleted:
                await asyncio.to_thread(return_freed_memory)
            return await send_json(send, 200, {"deleted": deleted})
        script = self.store.get(script_id)
        if script is None:
            return await send_json(send, 404, {"code": "NoSuchScript", "message": "no such script"})
        if script.owner != owner:
            raise JssError(403, "AccessDenied", "Access Denied")
        if method == "GET":
            return await send_json(send, 200, script.view())
        self.store.delete(script_id)
        return await send_json(send, 204, None)

    async def create(self, ctx: RequestContext, owner: str, receive: Callable, send: Callable) -> None:
        """Arm the script of the request body on one of `owner`'s buckets."""
        drained = receive
        if ctx.config.wire == "s3":
            receive = body_receive(ctx, receive)  # the signed payload hash, checked as the body arrives
        try:
            body = await _read_body(receive, self.max_script_bytes) or b"null"
            script = await asyncio.to_thread(self.parse, body, owner)
            self.require_owner(script.bucket, owner)
            self.store.add(script)
        except (ValueError, ScriptError) as exc:
            await drain(drained)
            message = str(exc) if isinstance(exc, ScriptError) else f"not JSON: {exc}"
            return await send_json(send, 400, {"code": "InvalidScript", "message": message})
        except TooManyScripts as exc:
            return await send_json(send, 400, {"code": "TooManyScripts", "message": str(exc)})
        return await send_json(send, 201, script.view())

    def parse(self, body: bytes, owner: str):
        """The script of a request body (run on a worker thread); ValueError or ScriptError when invalid."""
        return self.store.parse(parse_bounded_json(body, MAX_SCRIPT_DEPTH), owner)

    def require_owner(self, bucket: str, owner: str) -> None:
        """404 NoSuchBucket when `bucket` does not exist, 403 AccessDenied when `owner` does not own it."""
        record = self.app.storage.get_bucket(bucket)
        if record is None:
            raise JssError(404, "NoSuchBucket", "The specified bucket does not exist")
        if record["owner"] != owner:
            raise JssError(403, "AccessDenied", "Access Denied")

    async def list_page(self, owner: str, query: dict, bucket: str | None, send: Callable) -> None:
        """A page of `owner`'s scripts, bounded in count and (about) in bytes."""
        try:
            limit = _page_size(query.get("max-scripts", [None])[0])
        except ScriptError as exc:
            return await send_json(send, 400, {"code": "InvalidArgument", "message": str(exc)})
        page = self.store.page(owner, query.get("marker", [None])[0], limit, bucket)
        body = await asyncio.to_thread(self.page_body, page)
        await send_raw_json(send, 200, body)

    def page_body(self, page: Page) -> bytes:
        """The JSON of a page, cut after the script that passes PAGE_MAX_BYTES (at least one)."""
        parts: list[str] = []
        size, next_marker = 0, page.next_marker
        for index, script in enumerate(page.scripts):
            text = json.dumps(script.view())
            if parts and size + len(text) > PAGE_MAX_BYTES:
                next_marker = self.store.marker_of(page.scripts[index - 1])
                break
            parts.append(text)
            size += len(text) + 1
        head = json.dumps({"truncated": next_marker is not None, "next_marker": next_marker})
        return (head[:-1] + ', "scripts": [' + ",".join(parts) + "]}").encode("utf-8")
