"""A request whose body is sent in two halves over a raw socket, the test acting in between.

`HalfSent` sends the head with ``Expect: 100-continue`` and waits for ``100 Continue``: the server sends it
when the handler first reads the body, so the handler has passed its checks (the bucket looked up, the
caller authorised) and is streaming the body. Then it sends the first half; `finish` sends the rest and
reads the one response. Whatever the test does between the two halves happens, deterministically, while
the write is in flight: no sleeps.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from ref_helpers import RawResponse, parse_responses

TIMEOUT = 20.0


class HalfSent:
    """One request in flight on its own connection (use as a context manager)."""

    def __init__(self, base_url: str, method: str, target: str, header_lines: str, body: bytes) -> None:
        """`header_lines`: CRLF-terminated header lines (signature, Date...); Host, Content-Length and
        Expect are added here."""
        parts = urlsplit(base_url)
        self.body = body
        self.half = len(body) // 2
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT)
        head = (
            f"{method} {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Length: {len(body)}\r\n"
            f"Expect: 100-continue\r\n{header_lines}\r\n"
        )
        self.sock.sendall(head.encode("latin-1"))
        interim = self.sock.recv(4096)
        if not interim.startswith(b"HTTP/1.1 100"):
            self.sock.close()
            raise AssertionError(f"no 100 Continue, the handler did not start reading: {interim[:300]!r}")
        self.sock.sendall(body[: self.half])

    def finish(self) -> RawResponse:
        """Send the rest of the body and return the response."""
        self.sock.sendall(self.body[self.half :])
        received = b""
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            received += chunk
            if _complete(received):
                break
        [response] = parse_responses(received)
        return response

    def __enter__(self) -> HalfSent:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.sock.close()


def _complete(received: bytes) -> bool:
    """True once `received` holds a whole response (head and Content-Length bytes of body)."""
    head, separator, body = received.partition(b"\r\n\r\n")
    if not separator:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return True
