"""Slow and hostile clients: every connection that stands still is answered or closed within its deadline,
a stalled body leaves nothing behind, and connections and body threads are capped with a clean refusal.
The limits are set short by options so the tests are quick (defaults: conformance.reference.limits)."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from ref_helpers import ALICE, assert_error, parse_responses, signed_raw_headers, target_of

from conformance.reference.launch import start_reference

SHORT = ["--head-timeout", "1", "--body-timeout", "1", "--keep-alive-timeout", "1"]
DEADLINE = 5.0  # a deadline of 1 s, checked every 0.25 s, on a loaded machine


@pytest.fixture(scope="module")
def slow_data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("slow") / "data"


@pytest.fixture(scope="module")
def short(slow_data_dir):
    """A server with 1-second deadlines, at most 8 connections and 4 body threads; and its bucket."""
    from ref_helpers import Api

    args = [*SHORT, "--max-connections", "8", "--max-body-threads", "4"]
    users = [ALICE.as_tuple()]
    with start_reference(users=users, data_dir=slow_data_dir, extra_args=args) as process:
        api = Api(process)
        yield api, api.create_bucket()


def connect(api) -> socket.socket:
    parts = urlsplit(api.url())
    return socket.create_connection((parts.hostname, parts.port), timeout=DEADLINE + 5)


def read_until_closed(sock: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and how long that took."""
    started, received = time.monotonic(), b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received, time.monotonic() - started


def signed_put_head(bucket: str, key: str, length: int) -> bytes:
    target = target_of(bucket, key)
    head = f"PUT {target} HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n"
    return (head + signed_raw_headers("PUT", target) + "\r\n").encode()


def test_a_connection_that_sends_nothing_is_closed(short):
    api, _ = short
    with connect(api) as sock:
        received, waited = read_until_closed(sock)
    assert received == b"" and waited < DEADLINE


def test_half_a_head_is_answered_request_timeout(short):
    api, bucket = short
    with connect(api) as sock:
        sock.sendall(f"GET /{bucket} HTTP/1.1\r\nHost: x\r\nX-Half: ".encode())
        received, waited = read_until_closed(sock)
    [response] = parse_responses(received)
    assert response.status == 400 and response.json()["code"] == "RequestTimeout"
    assert waited < DEADLINE


def test_a_head_dribbled_byte_by_byte_still_meets_the_deadline(short):
    api, bucket = short
    started = time.monotonic()
    with connect(api) as sock:
        try:
            for byte in f"GET /{bucket} HTTP/1.1\r\nHost: x\r\n".encode() * 50:
                sock.send(bytes([byte]))
                time.sleep(0.05)
                if time.monotonic() - started > DEADLINE:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
        received, _ = read_until_closed(sock)
    assert time.monotonic() - started < DEADLINE + 1
    assert [r.json()["code"] for r in parse_responses(received)] == ["RequestTimeout"]


def test_a_stalled_body_is_request_timeout_and_leaves_nothing_behind(short, slow_data_dir):
    api, bucket = short
    with connect(api) as sock:
        sock.sendall(signed_put_head(bucket, "stalled", 2 * 1024 * 1024) + b"s" * (700 * 1024))
        received, waited = read_until_closed(sock)
    [response] = parse_responses(received)
    assert response.status == 400 and response.json()["code"] == "RequestTimeout"
    assert waited < DEADLINE
    assert_error(api.call("GET", bucket, "stalled"), 404, "NoSuchKey")
    assert wait_until_empty(slow_data_dir / "tmp"), list((slow_data_dir / "tmp").iterdir())


def wait_until_empty(folder: Path, timeout: float = DEADLINE) -> bool:
    """True once `folder` holds no request body (the handler removes it when it sees the disconnect)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not [p for p in folder.iterdir() if not p.name.startswith("json.")]:
            return True
        time.sleep(0.05)
    return False


def test_connections_beyond_the_cap_get_a_json_503_and_the_server_recovers(short):
    api, bucket = short
    idle = [connect(api) for _ in range(8)]
    try:
        time.sleep(0.2)
        with connect(api) as refused:
            received, _ = read_until_closed(refused)
        [response] = parse_responses(received)
        assert response.status == 503 and response.json()["code"] == "SlowDown"
        assert response.headers["x-jss-request-id"] == response.json()["requestId"]
    finally:
        for sock in idle:
            sock.close()
    time.sleep(0.5)
    assert api.call("GET", bucket).status_code == 200


def thread_count(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads:")))


def test_stalled_bodies_hold_no_more_threads_than_the_cap(short):
    api, bucket = short
    baseline = thread_count(api.reference.pid)
    bodies = [connect(api) for _ in range(7)]
    try:
        for index, sock in enumerate(bodies):
            sock.sendall(signed_put_head(bucket, f"many/{index}", 4 * 1024 * 1024) + b"m" * (1100 * 1024))
        time.sleep(0.5)
        peak = thread_count(api.reference.pid)
    finally:
        for sock in bodies:
            sock.close()
    executor = 6  # asyncio's default executor on two cores: min(32, cpu + 4)
    assert peak <= baseline + 4 + executor, (baseline, peak)


def test_a_client_that_stops_reading_its_response_is_disconnected(short):
    api, bucket = short
    size = 24 * 1024 * 1024
    api.put(bucket, "big", b"b" * size)
    target = target_of(bucket, "big")
    with connect(api) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        head = f"GET {target} HTTP/1.1\r\nHost: x\r\n" + signed_raw_headers("GET", target) + "\r\n"
        sock.sendall(head.encode())
        time.sleep(DEADLINE - 1)  # read nothing for longer than the body timeout
        received, _ = read_until_closed(sock)
    assert 0 < len(received) < size
