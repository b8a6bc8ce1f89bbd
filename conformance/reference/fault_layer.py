"""The fault layer (``serve --faults``): an ASGI wrapper around the reference app that serves the admin route
and applies the instructions of the fault scripts (:mod:`conformance.reference.faults`) to the requests they
are bound to. Without ``--faults`` it is not installed at all, so nothing of it touches the JSS behaviour.

The admin route (``/_testbench/faults``, signed by the bucket's owner) is
:mod:`conformance.reference.fault_admin`; the scripts are kept, within the bounds of ``config.testbench``,
in :class:`conformance.reference.fault_store.ScriptStore`.

A connection reset is a real TCP RST: SO_LINGER 0 on the socket, then the transport is aborted. The server's
HTTP protocol puts the transport into the ASGI scope under ``extensions["jss.transport"]``.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
from collections.abc import Callable

from conformance.reference.errors import JssError
from conformance.reference.fault_admin import FaultAdmin, drain
from conformance.reference.fault_store import ScriptStore
from conformance.reference.faults import ERROR_CODES, TEST_ID_HEADER, Instruction
from conformance.reference.httpio import new_request_id
from conformance.reference.operation_names import operation_name

log = logging.getLogger("conformance.reference.faults")

ADMIN_PREFIX = "/_testbench/faults"
TRANSPORT_EXTENSION = "jss.transport"
#: The scope key listing the instructions that fired for a request (read by the recorder).
FIRED_KEY = "jss.faults_fired"
FLUSH_WAIT_SECONDS = 2.0


def reset_connection(scope: dict) -> None:
    """Reset the request's TCP connection (RST, not FIN): linger 0, then abort the transport."""
    transport = scope.get("extensions", {}).get(TRANSPORT_EXTENSION)
    if transport is None:
        raise RuntimeError("the server protocol did not put the transport into the scope")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


async def _flushed(scope: dict) -> None:
    """Wait (bounded) until what was written on the connection has left the process."""
    transport = scope.get("extensions", {}).get(TRANSPORT_EXTENSION)
    deadline = asyncio.get_running_loop().time() + FLUSH_WAIT_SECONDS
    while transport is not None and transport.get_write_buffer_size() and not transport.is_closing():
        if asyncio.get_running_loop().time() > deadline:
            return
        await asyncio.sleep(0.002)


class FaultLayer:
    """ASGI wrapper: the admin route, and the scripted faults applied in front of `app` (a ReferenceApp)."""

    def __init__(self, app) -> None:
        self.app = app
        bounds = app.config.testbench
        self.store = ScriptStore(bounds.fault_scripts_per_bucket, bounds.fault_scripts_total)
        self.admin = FaultAdmin(app, self.store, bounds.fault_script_max_bytes)

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            return await self.admin(scope, receive, send, path[len(ADMIN_PREFIX):].strip("/"))
        instruction = self.instruction_for(scope)
        if instruction is None:
            return await self.app(scope, receive, send)
        scope.setdefault(FIRED_KEY, []).append(instruction.text)
        log.info("fault %s fired on %s %s", instruction.text, scope["method"], path)
        await self.apply(instruction, scope, receive, send)

    def instruction_for(self, scope: dict) -> Instruction | None:
        """The next scripted instruction for this request, consumed; None when no script applies."""
        try:
            ctx = self.app.parse(scope, new_request_id())
        except JssError:
            return None
        test_id = ctx.header(TEST_ID_HEADER)
        return self.store.take(operation_name(ctx), ctx.bucket, ctx.key, test_id, ctx.request_id,
                               self.owner_of, ctx.query_value("prefix"))

    def owner_of(self, bucket: str) -> str | None:
        """The account that owns `bucket` now (None: no such bucket)."""
        record = self.app.storage.get_bucket(bucket)
        return record["owner"] if record else None

    async def apply(self, instruction: Instruction, scope: dict, receive: Callable, send: Callable) -> None:
        """Carry out one instruction for one request."""
        kind, number = instruction.kind, instruction.number
        if kind == "pass":
            await self.app(scope, receive, send)
        elif kind == "delay":
            await asyncio.sleep(number / 1000)
            await self.app(scope, receive, send)
        elif kind == "return":
            await drain(receive)
            await self.send_error(send, number, scope)
        elif kind == "reset-before-body":
            reset_connection(scope)
        elif kind == "reset-after-body-bytes":
            await self.app(scope, self._receive_then_reset(scope, receive, number), send)
        elif kind == "reset-after-head":
            await self.app(scope, receive, self._send_then_reset(scope, send))
        elif kind == "cut-body":
            await self.app(scope, receive, self._send_cut(scope, send, number))

    async def send_error(self, send: Callable, status: int, scope: dict) -> None:
        """The documented error of `status` as the app's wire renders errors: JSON on the JSS wire, the Error
        XML (with x-amz-request-id, no body for HEAD) on the S3 wire."""
        request_id = new_request_id()
        resource = scope.get("path", "/")
        error = JssError(status, ERROR_CODES[status], "Injected by a fault script")
        wire = self.app.wire_of(scope)
        response = self.app.error_response(error, resource, request_id, scope["method"], wire)
        headers = [
            (self.app.request_id_header_of(scope), request_id.encode()),
            *response.headers,
            (b"content-length", str(len(response.body)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})

    @staticmethod
    def _receive_then_reset(scope: dict, receive: Callable, limit: int) -> Callable:
        seen = 0

        async def wrapped() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen >= limit or not message.get("more_body"):
                    reset_connection(scope)
                    return {"type": "http.disconnect"}
            return message

        return wrapped

    @staticmethod
    def _send_then_reset(scope: dict, send: Callable) -> Callable:
        state = {"done": False}

        async def wrapped(message: dict) -> None:
            if state["done"]:
                return
            if message["type"] == "http.response.start":
                await send(message)
                await _flushed(scope)
                reset_connection(scope)
                state["done"] = True
                return
            await send(message)

        return wrapped

    @staticmethod
    def _send_cut(scope: dict, send: Callable, limit: int) -> Callable:
        state = {"sent": 0, "done": False}

        async def wrapped(message: dict) -> None:
            if state["done"]:
                return
            if message["type"] != "http.response.body":
                return await send(message)
            chunk = message.get("body", b"")[: limit - state["sent"]]
            state["sent"] += len(chunk)
            if state["sent"] < limit and message.get("more_body"):
                return await send(message)
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await _flushed(scope)
            transport = scope.get("extensions", {}).get(TRANSPORT_EXTENSION)
            if transport is not None:
                transport.close()
            state["done"] = True

        return wrapped
