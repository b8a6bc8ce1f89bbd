"""The server's HTTP protocol: uvicorn's httptools protocol with the wire's error bodies for the errors it
answers itself (JSON on the JSS wire, the Error XML on the S3 wire), a bound on the size of a request head, a
cap on open connections (in total, and per client address: one client cannot take every connection), and
deadlines for slow clients.

Deadlines (see ``limits``): a request head must be complete `head_timeout` seconds after the server is ready
for it (the connection opened, or the previous response sent); a request body may stand still at most
`body_timeout` seconds (the handler then sees a disconnect, so its partial file is removed); so may a response
the client does not read. ``watchdog`` checks every connection's deadlines once a tick.
"""

from __future__ import annotations

import logging

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from conformance.reference.app import MAX_HEADER_BYTES, RAW_HEADER_NAMES, RAW_HEADER_VALUES
from conformance.reference.errors import error_body
from conformance.reference.fault_layer import TRANSPORT_EXTENSION
from conformance.reference.httpio import JSON_CONTENT_TYPE, new_request_id
from conformance.reference.limits import Limits
from conformance.reference.s3.render import XML_CONTENT_TYPE, error_document

log = logging.getLogger("conformance.reference")

#: How long a connection stays open, discarding input, after an error answered by the protocol itself.
LINGER_SECONDS = 2.0
REASONS = {400: "Bad Request", 503: "Service Unavailable"}


class JsonErrorProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with the wire's error bodies, a head-size bound, a connection cap and the
    slow-client deadlines of `limits` (a subclass per server sets them, see `protocol_for`)."""

    limits = Limits()
    #: The wire of each listening port; a port not in it speaks `wire`.
    port_wires: dict[int, str] = {}
    wire = "jss"
    #: Open connections by client address (one dict per server, see `protocol_for`).
    address_counts: dict[str, int] = {}
    _counted_address: str | None = None
    _head_bytes = 0
    _in_head = True
    _rejected = False
    _waiting_since: float | None = None  # ready for a request head, which is not complete yet
    _body_moved_at: float | None = None  # a request body is being received; its last byte came then
    _write_paused_at: float | None = None  # the client stopped reading the response then

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._open_cycles: list = []  # this connection's requests, parsed, whose answer is not complete

    def connection_made(self, transport) -> None:  # noqa: D102 - asyncio hook
        super().connection_made(transport)
        self._waiting_since = self.loop.time()
        if len(self.connections) > self.limits.max_connections:
            log.warning("%d connections open: refusing a new one (503 SlowDown)", len(self.connections) - 1)
            self._send_json_error(503, "SlowDown", "Too many open connections; retry later", linger=False)
        elif self._count_address() > self.limits.max_connections_per_address:
            log.warning(
                "%d connections open from one client address: refusing a new one (503 SlowDown)",
                self.address_counts[self._counted_address] - 1,
            )
            self._send_json_error(
                503, "SlowDown", "Too many open connections from your address; retry later", linger=False
            )

    def connection_lost(self, exc: Exception | None) -> None:  # noqa: D102 - asyncio hook
        # Every request of the connection not answered yet sees the disconnect (uvicorn marks only the
        # latest one): a pipelined request being answered then returns quietly instead of writing to a
        # closed transport (a RuntimeError traceback per connection).
        for cycle in self._open_cycles:
            if not cycle.response_complete:
                cycle.disconnected = True
                cycle.message_event.set()
        self._open_cycles = []
        address, self._counted_address = self._counted_address, None
        if address is not None:
            left = self.address_counts.get(address, 1) - 1
            if left > 0:
                self.address_counts[address] = left
            else:
                self.address_counts.pop(address, None)
        super().connection_lost(exc)

    def _count_address(self) -> int:
        """Count this connection for its client address; the connections open from it, this one included
        (0 when the address is unknown, as on a Unix socket)."""
        address = self.client[0] if self.client else None
        if address is None:
            return 0
        self._counted_address = address
        self.address_counts[address] = self.address_counts.get(address, 0) + 1
        return self.address_counts[address]

    def data_received(self, data: bytes) -> None:  # noqa: D102 - asyncio hook
        if self._rejected:
            return  # lingering after an error response: discard what the client still sends
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)  # may answer a parse error itself (send_400_response): _rejected
        if self._in_head and self._head_bytes > MAX_HEADER_BYTES and not self._rejected:
            self._send_json_error(
                400, "RequestHeaderSectionTooLarge", "Your request header section is too large"
            )

    def on_message_begin(self) -> None:  # noqa: D102 - parser hook
        super().on_message_begin()
        self._in_head = True
        # The transport, for the testbench's fault layer (a connection reset); the JSS app never reads it.
        self.scope.setdefault("extensions", {})[TRANSPORT_EXTENSION] = self.transport

    def on_header(self, name: bytes, value: bytes) -> None:  # noqa: D102 - parser hook
        super().on_header(name, value)
        self.scope.setdefault(RAW_HEADER_NAMES, []).append(name)  # as sent, for the app (see app.parse)
        self.scope.setdefault(RAW_HEADER_VALUES, []).append(value)  # padding kept, for the recorder

    def on_headers_complete(self) -> None:  # noqa: D102 - parser hook
        self._in_head, self._head_bytes = False, 0
        self._waiting_since, self._body_moved_at = None, self.loop.time()
        super().on_headers_complete()
        if self.cycle is not None:
            self._open_cycles = [c for c in self._open_cycles if not c.response_complete] + [self.cycle]

    def eof_received(self) -> bool | None:
        """The client half-closed (sent FIN). Requests it sent whole are still answered: the connection stays
        open for writing and closes after the last answer. A request cut short (in its head or body) cannot
        be answered: the connection closes now, and its handler sees a disconnect."""
        latest = self.cycle
        answer_pending = latest is not None and not latest.response_complete
        whole = self._body_moved_at is None and self._head_bytes == 0 and not self._rejected
        if answer_pending and whole:
            latest.keep_alive = False  # the last answer closes the connection
            return True
        return None

    def on_body(self, body: bytes) -> None:  # noqa: D102 - parser hook
        self._body_moved_at = self.loop.time()
        super().on_body(body)

    def on_message_complete(self) -> None:  # noqa: D102 - parser hook
        super().on_message_complete()
        self._in_head, self._head_bytes, self._body_moved_at = True, 0, None

    def on_response_complete(self) -> None:  # noqa: D102 - uvicorn hook
        super().on_response_complete()
        self._waiting_since = self.loop.time()

    def pause_writing(self) -> None:  # noqa: D102 - asyncio hook
        self._write_paused_at = self.loop.time()
        super().pause_writing()

    def resume_writing(self) -> None:  # noqa: D102 - asyncio hook
        self._write_paused_at = None
        super().resume_writing()

    def send_400_response(self, msg: str) -> None:  # noqa: D102 - uvicorn hook
        self._send_json_error(400, "InvalidRequest", msg)

    def check_deadlines(self, now: float) -> None:
        """Close or answer the connection when a slow-client deadline has passed (called by the watchdog)."""
        if self.transport is None or self.transport.is_closing() or self._rejected:
            return
        limits = self.limits
        if self._write_paused_at is not None and now - self._write_paused_at > limits.body_timeout:
            log.info("closing a connection whose client stopped reading (%gs)", limits.body_timeout)
            self.transport.abort()
        elif self._waiting_since is not None and now - self._waiting_since > limits.head_timeout:
            if self.cycle is not None and not self.cycle.response_complete:
                return  # a request is being answered: the next head is not late yet
            if self._head_bytes:
                self._send_json_error(400, "RequestTimeout", "The request head was not sent in time")
            else:
                self.transport.close()  # nothing was sent: a plain idle close
        elif self._body_moved_at is not None and self.cycle is not None:
            if self.flow.read_paused:
                self._body_moved_at = now  # the handler is not reading: the client is not the one late
            elif now - self._body_moved_at > limits.body_timeout:
                log.info("request body stalled for %gs: answering 400 RequestTimeout", limits.body_timeout)
                self._send_json_error(400, "RequestTimeout", "The request body stopped arriving")

    def _send_json_error(self, status: int, code: str, message: str, linger: bool = True) -> None:
        if self._rejected or self.transport.is_closing():
            return  # one answer per connection: it is already given (or the connection is gone)
        # A malformed or late request poisons the connection: requests parsed before it in the same bytes
        # but not answered yet are dropped (their handlers see a disconnect, so nothing they were writing
        # is kept).
        cycle = self.cycle if self.cycle is not None and not self.cycle.response_complete else None
        started = cycle is not None and cycle.response_started
        if cycle is not None:
            cycle.disconnected = True
            cycle.message_event.set()
        self.pipeline.clear()
        self._rejected = True
        if started:  # a response is half sent: no room for another one
            self.transport.close()
            return
        request_id = new_request_id()
        port = self.server[1] if self.server else None
        if self.port_wires.get(port, self.wire) == "s3":
            body = error_document(code, message, "/", request_id)
            content_type, id_header = XML_CONTENT_TYPE.decode(), "x-amz-request-id"
        else:
            body = error_body(code, message, "/", request_id)
            content_type, id_header = JSON_CONTENT_TYPE.decode(), "x-jss-request-id"
        head = (
            f"HTTP/1.1 {status} {REASONS.get(status, '')}\r\ncontent-type: {content_type}\r\n"
            f"{id_header}: {request_id}\r\ncontent-length: {len(body)}\r\nconnection: close\r\n\r\n"
        )
        self.transport.write(head.encode("ascii") + body)
        if not linger:
            self.transport.close()
            return
        # Lingering close: stop sending (FIN after the response), keep reading and discarding for a moment,
        # so that a client still sending its request reads the answer instead of a connection reset.
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


def protocol_for(
    limits: Limits, port_wires: dict[int, str] | None = None, wire: str = "jss"
) -> type[JsonErrorProtocol]:
    """The protocol class of a server with these limits, whose ports speak the wires of `port_wires` (a port
    not in it: `wire`)."""
    attributes = {"limits": limits, "port_wires": dict(port_wires or {}), "wire": wire, "address_counts": {}}
    return type("LimitedJsonErrorProtocol", (JsonErrorProtocol,), attributes)
