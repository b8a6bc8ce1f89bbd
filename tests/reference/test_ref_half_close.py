"""A client that half-closes after whole requests gets its answers; one that closes a pipelined connection
costs the log nothing (no traceback, no line per request); a request cut short by the FIN is not stored."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import pytest
from ref_helpers import USERS, Api, parse_responses, signed_raw_headers, target_of

from conformance.reference.launch import start_reference

CONNECTIONS, PIPELINED = 100, 3


@pytest.fixture(scope="module")
def served():
    """A reference endpoint, its API helper and a bucket."""
    with start_reference(users=USERS) as reference:
        api = Api(reference)
        yield reference, api, api.create_bucket()


def connect(api: Api) -> socket.socket:
    """A raw connection to the north endpoint."""
    parts = urlsplit(api.url())
    return socket.create_connection((parts.hostname, parts.port), timeout=20)


def put_request(target: str, body: bytes) -> bytes:
    """A signed PUT of `body`, head and body."""
    head = f"PUT {target} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
    return (head + signed_raw_headers("PUT", target) + "\r\n").encode() + body


def get_request(target: str) -> bytes:
    """A signed GET."""
    return (f"GET {target} HTTP/1.1\r\nHost: x\r\n" + signed_raw_headers("GET", target) + "\r\n").encode()


def half_close_and_read(sock: socket.socket, data: bytes) -> bytes:
    """Send `data`, half-close (FIN), read until the server closes."""
    sock.sendall(data)
    sock.shutdown(socket.SHUT_WR)
    received = bytearray()
    while chunk := sock.recv(65536):
        received += chunk
    return bytes(received)


def test_a_put_followed_by_a_half_close_is_answered_and_stored(served):
    _, api, bucket = served
    target, body = target_of(bucket, "half-closed-put"), b"h" * 5000
    with connect(api) as sock:
        [response] = parse_responses(half_close_and_read(sock, put_request(target, body)))
    assert (response.status, api.call("GET", bucket, "half-closed-put").content) == (200, body)


def test_pipelined_requests_before_a_half_close_are_all_answered_in_order(served):
    _, api, bucket = served
    api.put(bucket, "pipelined", b"p" * 100)
    target = target_of(bucket, "pipelined")
    with connect(api) as sock:
        responses = parse_responses(half_close_and_read(sock, get_request(target) * PIPELINED))
    assert [(r.status, r.body) for r in responses] == [(200, b"p" * 100)] * PIPELINED


def test_a_body_cut_short_by_a_half_close_is_not_stored(served):
    _, api, bucket = served
    target = target_of(bucket, "cut-by-fin")
    with connect(api) as sock:
        received = half_close_and_read(sock, put_request(target, b"c" * 5000)[:-1000])
    assert not any(response.status == 200 for response in parse_responses(received))
    assert api.call("GET", bucket, "cut-by-fin").status_code == 404


def test_closing_pipelined_connections_logs_no_traceback(served):
    reference, api, bucket = served
    api.put(bucket, "closed-pipeline", b"q" * 100_000)
    target = target_of(bucket, "closed-pipeline")
    lines_before = len(reference.log_path.read_text().splitlines())
    for _ in range(CONNECTIONS):
        with connect(api) as sock:
            sock.sendall(get_request(target) * PIPELINED)
    time.sleep(1.0)  # the server answers into closed connections
    new_lines = reference.log_path.read_text().splitlines()[lines_before:]
    assert (sum("Traceback" in line for line in new_lines), len(new_lines) <= CONNECTIONS) == (0, True)
