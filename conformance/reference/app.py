"""The ASGI application: parse a request, authenticate it, route it, answer it.

The wire chooses the front: JSS (errors as JSON, always) or S3 (``conformance.reference.s3``: SigV4, XML);
both map onto the same storage, regions, uploads and ownership. A server of one wire (``ServerConfig.wire``)
answers every port with it; a server of both (``--wire jss,s3``) answers each port with the wire its socket
was bound for (`ReferenceApp.port_wires`), over the one storage, so an object is seen through both APIs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from conformance import signing
from conformance.reference import buckets, complete, lists, multipart, objects
from conformance.reference.access import validate_key
from conformance.reference.auth import authenticate
from conformance.reference.bodies import ClientDisconnected
from conformance.reference.config import ServerConfig
from conformance.reference.crypto import load_or_create_key
from conformance.reference.errors import JssError, error_body, internal_error, s3_error_body
from conformance.reference.httpio import JSON_CONTENT_TYPE, RequestContext, Response, new_request_id
from conformance.reference.refusal_cleanup import clear_key_after_refusal
from conformance.reference.routing import operation_of
from conformance.reference.s3 import front as s3_front
from conformance.reference.storage import Storage
from conformance.reference.upload_index import index_every_bucket

log = logging.getLogger("conformance.reference")

#: Requests whose request line and headers together exceed this are 400 RequestHeaderSectionTooLarge.
MAX_HEADER_BYTES = 16 * 1024
#: The scope key under which the server's HTTP protocol puts the header names as sent (case kept).
RAW_HEADER_NAMES = "jss.raw_header_names"
#: The request id header of each wire.
_REQUEST_ID_HEADERS = {"jss": b"x-jss-request-id", "s3": b"x-amz-request-id"}
#: The header values as the parser gave them, trailing whitespace kept (uvicorn strips it): the recorder's.
RAW_HEADER_VALUES = "jss.raw_header_values"
#: The Content-Type of JSON answers under deviation content-type-text-plain.
PLAIN_TEXT = b"text/plain;charset=UTF-8"

Handler = Callable[[RequestContext, Storage, Callable], Awaitable[Response]]


#: The JSS front's handler of each operation (conformance.reference.routing names them).
HANDLERS: dict[str, Handler] = {
    "list-buckets": buckets.list_buckets,
    "head-service": buckets.list_buckets,
    "put-bucket": buckets.put_bucket,
    "delete-bucket": buckets.delete_bucket,
    "head-bucket": buckets.head_bucket,
    "list-objects": buckets.list_objects,
    "list-uploads": lists.list_uploads,
    "initiate": multipart.initiate,
    "complete": complete.complete,
    "upload-part": multipart.upload_part,
    "list-parts": lists.list_parts,
    "abort": multipart.abort,
    "put": objects.put_object,
    "get": objects.get_object,
    "head": objects.get_object,
    "delete": objects.delete_object,
}


def route(ctx: RequestContext) -> Handler:
    """The operation a request asks for; 405 MethodNotAllowed when there is none."""
    handler = HANDLERS.get(operation_of(ctx) or "")
    if handler is None:
        raise JssError(405, "MethodNotAllowed", "The specified method is not allowed against this resource")
    return handler


#: Sent with an error answered to a request that asked ``Expect: 100-continue``: its client may never send the
#: body it held back, and the connection must not take its next request for that body.
CONNECTION_CLOSE = (b"connection", b"close")


def _waits_for_continue(scope: dict) -> bool:
    """True when the request asked ``Expect: 100-continue``."""
    headers = scope["headers"]
    return any(name.lower() == b"expect" and value.lower() == b"100-continue" for name, value in headers)


def _decode(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


class ReferenceApp:
    """The ASGI callable. `port_regions` maps each listening port to the region it serves, `port_wires` to
    the wire it speaks (a port not in it speaks ``config.wire``)."""

    def __init__(self, config: ServerConfig, port_regions: dict[int, str] | None = None) -> None:
        self.config = config
        self.port_regions = port_regions or {}
        self.port_wires: dict[int, str] = {}
        #: The configuration a request of each wire sees (``ctx.config.wire`` is the request's wire).
        self.wire_configs = {wire: replace(config, wire=wire) for wire in config.served_wires}
        self.storage = Storage(config.data_dir, load_or_create_key(config.data_dir))
        index_every_bucket(self.storage)  # ListMultipartUploads pages from an index (upload_index)
        self.host_suffix = "." + config.service_domain.lower()
        self.s3 = config.wire == "s3"  # the first (or only) wire served is S3; a request's own: wire_of
        self.request_id_header = _REQUEST_ID_HEADERS[config.wire]
        #: The id every answer carries under deviation request-id-repeated.
        self.first_request_id: str | None = None

    def wire_of(self, scope: dict) -> str:
        """The wire a request speaks: the one of the port it came in on."""
        server = scope.get("server") or ("", 0)
        return self.port_wires.get(server[1], self.config.wire)

    def request_id_header_of(self, scope: dict) -> bytes:
        """The request-id header of the wire `scope` speaks (x-jss-request-id or x-amz-request-id)."""
        return _REQUEST_ID_HEADERS[self.wire_of(scope)]

    def parse(self, scope: dict, request_id: str) -> RequestContext:
        """Turn an ASGI scope into a RequestContext (no authentication yet)."""
        raw_headers = scope["headers"]
        raw_path, raw_query = scope.get("raw_path") or scope["path"].encode(), scope["query_string"]
        size = len(raw_path) + len(raw_query) + sum(len(n) + len(v) + 4 for n, v in raw_headers)
        if size > MAX_HEADER_BYTES:
            raise JssError(
                400, "RequestHeaderSectionTooLarge", "Your request header section exceeds the maximum"
            )
        headers = [(name.decode("latin-1").lower(), _decode(value).strip()) for name, value in raw_headers]
        host = next((value for name, value in headers if name == "host"), "").lower()
        host_name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        host_bucket = host_name[: -len(self.host_suffix)] if host_name.endswith(self.host_suffix) else None
        try:
            target = raw_path.decode("utf-8") + ("?" + raw_query.decode("latin-1") if raw_query else "")
            bucket, key, query = signing.split_request_target(target, host_bucket or None)
        except UnicodeDecodeError as exc:
            raise JssError(400, "InvalidURI", "Couldn't parse the specified URI") from exc
        server = scope.get("server") or ("", 0)
        region = self.port_regions.get(server[1], self.config.regions[0])
        config = self.wire_configs[self.wire_of(scope)]
        raw_names = [name.decode("latin-1") for name in scope.get(RAW_HEADER_NAMES, ())]
        return RequestContext(
            scope["method"], bucket, key, query, headers, region, request_id, config,
            virtual_host=bool(host_bucket),
            raw_header_names=tuple(raw_names) if len(raw_names) == len(headers) else (),
            raw_path=raw_path.decode("latin-1"),
            raw_query=raw_query.decode("latin-1"),
        )

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return
        request_id = new_request_id()
        if self.config.deviations.active("request-id-repeated"):
            request_id = self.first_request_id = self.first_request_id or request_id
        resource = "/"
        wire = self.wire_of(scope)
        s3 = wire == "s3"
        ctx = None
        try:
            ctx = self.parse(scope, request_id)
            resource = ctx.resource
            ctx.user = s3_front.authenticate(ctx) if s3 else authenticate(ctx)
            if ctx.key is not None:
                validate_key(ctx.key)
            handler = s3_front.route(ctx) if s3 else route(ctx)
            response = await handler(ctx, self.storage, receive)
            if ctx.late_refusal is not None:
                raise ctx.late_refusal
        except JssError as exc:
            if self.config.deviations.active("refused-multipart-request-clears-key"):
                clear_key_after_refusal(ctx, exc, self.storage)
            response = self.error_response(exc, resource, request_id, scope["method"], wire)
            response.headers.extend(exc.headers)
            if _waits_for_continue(scope):
                response.headers.append(CONNECTION_CLOSE)
        except ClientDisconnected:
            log.info("request %s: the client disconnected before the body was complete", request_id)
            return
        except Exception:
            log.exception("request %s: unexpected error in %s %s", request_id, scope["method"], resource)
            response = self.error_response(internal_error(), resource, request_id, scope["method"], wire)
        await self.send(send, response, request_id, wire)

    def error_response(
        self, error: JssError, resource: str, request_id: str, method: str = "GET", wire: str | None = None
    ) -> Response:
        """The error response of `error`: JSON on the JSS wire, the Error XML on the S3 wire (`wire`;
        default: the first wire served)."""
        if (wire or self.config.wire) == "s3":
            return s3_front.error_response(error, resource, request_id, method, self.config.deviations)
        deviations = self.config.deviations
        render = s3_error_body if deviations.active("error-body-uppercase-keys") else error_body
        if deviations.active("error-body-request-id-fresh"):
            request_id = new_request_id()
        if deviations.active("error-body-resource-bucket-only"):
            resource = "/" + resource.split("/")[1] if resource != "/" else resource
        body = render(error.code, error.message, resource, request_id)
        return Response(error.status, [(b"content-type", JSON_CONTENT_TYPE)], body)

    def response_headers(
        self, response: Response, request_id: str, wire: str | None = None
    ) -> list[tuple[bytes, bytes]]:
        """The headers sent with `response`: the request id (x-jss-request-id, or x-amz-request-id on the S3
        `wire`; default: the first wire served), the response's own, Content-Length."""
        deviations = self.config.deviations
        length = response.length if response.length is not None else len(response.body)
        id_header = self.request_id_header if wire is None else _REQUEST_ID_HEADERS[wire]
        headers = [(id_header, request_id.encode()), *response.headers]
        if deviations.active("no-request-id"):
            headers = headers[1:]
        if (response.status < 300 and deviations.active("content-type-text-plain")) or (
            response.status >= 300 and deviations.active("error-content-type-text-plain")
        ):
            headers = [(n, PLAIN_TEXT if v == JSON_CONTENT_TYPE else v) for n, v in headers]
        headers.append((b"content-length", str(length).encode()))
        return headers

    async def send(
        self, send: Callable, response: Response, request_id: str, wire: str | None = None
    ) -> None:
        """Send `response` with its headers (see `response_headers`), the body chunk by chunk for streams."""
        headers = self.response_headers(response, request_id, wire)
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        if response.stream is None:
            await send({"type": "http.response.body", "body": response.body})
            return
        try:
            async for chunk in response.stream:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except Exception:
            log.exception(
                "request %s: failed while streaming the response; closing the connection", request_id
            )
            raise
        await send({"type": "http.response.body", "body": b""})
