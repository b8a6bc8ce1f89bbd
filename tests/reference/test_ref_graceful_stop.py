"""`serve --graceful-timeout S`: after SIGTERM or SIGINT, a transfer in progress may run for S seconds.

Each test starts a real server, begins a transfer that outlasts the old fixed grace of 5 s (or the short grace
the test sets), signals the server in the middle of it, and checks what the client received and what the data
dir holds afterwards.
"""

from __future__ import annotations

import signal
import socket
import time
from urllib.parse import urlsplit

import pytest
from ref_helpers import USERS, Api, parse_responses, signed_raw_headers, target_of

from conformance.reference.launch import start_reference

#: The grace a test sets, and the time its transfer takes (longer than the old fixed grace of 5 s).
LONG_GRACE, SLOW_TRANSFER = 12.0, 6.5
#: A grace shorter than the transfer: it is cut.
SHORT_GRACE = 1.0
PIECES = 13


def connect(api: Api) -> socket.socket:
    """A raw connection to the north endpoint."""
    parts = urlsplit(api.url())
    return socket.create_connection((parts.hostname, parts.port), timeout=30)


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes (b"" and no error when it resets)."""
    received = bytearray()
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return bytes(received)


def trickle_put(api: Api, sock: socket.socket, target: str, body: bytes, on_started) -> bytes:
    """Send a signed PUT of `body` in PIECES pieces over SLOW_TRANSFER seconds, `on_started()` after the
    first; the server's answer (b"" when the connection was cut)."""
    head = f"PUT {target} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
    sock.sendall((head + signed_raw_headers("PUT", target) + "\r\n").encode())
    piece = len(body) // PIECES
    try:
        for index in range(PIECES):
            end = len(body) if index == PIECES - 1 else (index + 1) * piece
            sock.sendall(body[index * piece : end])
            if index == 0:
                on_started()
            time.sleep(SLOW_TRANSFER / PIECES)
    except (BrokenPipeError, ConnectionResetError):
        return b""
    return read_all(sock)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_an_upload_longer_than_five_seconds_finishes_within_the_grace(tmp_path, sig):
    with start_reference(
        users=USERS, data_dir=tmp_path / "d", extra_args=("--graceful-timeout", str(LONG_GRACE))
    ) as reference:
        api = Api(reference)
        bucket = api.create_bucket()
        target, body = target_of(bucket, "slow-put"), b"s" * 65000
        started = time.monotonic()
        with connect(api) as sock:
            received = trickle_put(api, sock, target, body, lambda: reference.process.send_signal(sig))
        [response] = parse_responses(received)
        assert response.status == 200
        assert time.monotonic() - started > 5.0
        assert reference.process.wait(timeout=20) == 0
    with start_reference(users=USERS, data_dir=tmp_path / "d") as again:
        assert Api(again).call("GET", bucket, "slow-put").content == body


def test_an_upload_longer_than_the_grace_is_cut_and_nothing_is_stored(tmp_path):
    with start_reference(
        users=USERS, data_dir=tmp_path / "d", extra_args=("--graceful-timeout", str(SHORT_GRACE))
    ) as reference:
        api = Api(reference)
        bucket = api.create_bucket()
        target = target_of(bucket, "cut-put")
        with connect(api) as sock:
            received = trickle_put(
                api, sock, target, b"c" * 65000, lambda: reference.process.send_signal(signal.SIGTERM)
            )
        assert not any(response.status == 200 for response in parse_responses(received))
        assert reference.process.wait(timeout=20) == 0
    with start_reference(users=USERS, data_dir=tmp_path / "d") as again:
        assert Api(again).call("GET", bucket, "cut-put").status_code == 404


def test_a_slow_download_finishes_within_the_grace(tmp_path):
    size = 64 * 1024 * 1024
    with start_reference(
        users=USERS, data_dir=tmp_path / "d", extra_args=("--graceful-timeout", str(LONG_GRACE))
    ) as reference:
        api = Api(reference)
        bucket = api.create_bucket()
        body = bytes(range(256)) * (size // 256)
        api.put(bucket, "slow-get", body)
        target = target_of(bucket, "slow-get")
        with connect(api) as sock:
            sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n".encode())
            sock.sendall((signed_raw_headers("GET", target) + "\r\n").encode())
            received = bytearray(sock.recv(65536))
            reference.process.send_signal(signal.SIGTERM)
            started = time.monotonic()
            rate = size / SLOW_TRANSFER  # bytes per second: the whole body takes SLOW_TRANSFER seconds
            while chunk := sock.recv(65536):
                received += chunk
                ahead = len(received) / rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
        [response] = parse_responses(bytes(received))
        assert response.status == 200 and len(response.body) == len(body)
        assert response.body == body
        assert time.monotonic() - started > 5.0
        assert reference.process.wait(timeout=20) == 0
