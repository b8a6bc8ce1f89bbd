"""AbortMultipartUpload of the reference endpoint: the data of the upload leaves the disk, also when a part is
still being received."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

from ref_helpers import assert_error, parse_responses, signed_raw_headers, target_of

WAIT = 10.0


def _files_holding(root: Path, data: bytes) -> list[Path]:
    """The files under `root` whose bytes are `data`."""
    found = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            try:
                if path.stat().st_size == len(data) and path.read_bytes() == data:
                    found.append(path)
            except FileNotFoundError:
                continue
    return found


def _eventually_none_hold(root: Path, data: bytes) -> list[Path]:
    """Wait (bounded) until no file under `root` holds `data`; returns those that still do."""
    deadline = time.monotonic() + WAIT
    while (left := _files_holding(root, data)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def test_abort_removes_the_parts_from_disk(api, north_bucket, key):
    data = os.urandom(4096)
    upload_id = api.initiate(north_bucket, key)
    api.upload_part(north_bucket, key, upload_id, 1, data)
    assert _files_holding(api.reference.data_dir, data)
    assert api.call("DELETE", north_bucket, key, f"uploadId={upload_id}").status_code == 204
    assert _eventually_none_hold(api.reference.data_dir, data) == []


def test_abort_while_a_part_is_received_refuses_the_part_and_keeps_nothing(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    data = os.urandom(64 * 1024)
    target = target_of(north_bucket, key, f"partNumber=1&uploadId={upload_id}")
    head = f"PUT {target} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(data)}\r\nConnection: close\r\n"
    head += signed_raw_headers("PUT", target) + "\r\n"
    address = urlsplit(api.url())
    with socket.create_connection((address.hostname, address.port), timeout=WAIT) as sock:
        sock.sendall(head.encode() + data[:1024])
        deadline = time.monotonic() + WAIT  # the server is receiving the part once its temp file exists
        while not list((api.reference.data_dir / "tmp").glob("part.*")) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert api.call("DELETE", north_bucket, key, f"uploadId={upload_id}").status_code == 204
        sock.sendall(data[1024:])
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    (response,) = parse_responses(received)
    assert (response.status, response.json()["code"]) == (404, "NoSuchUpload")
    assert_error(api.call("GET", north_bucket, key, f"uploadId={upload_id}"), 404, "NoSuchUpload")
    assert _eventually_none_hold(api.reference.data_dir, data) == []
