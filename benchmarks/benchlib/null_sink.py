"""The client's own ceiling: the same uploads sent to a sink that reads and discards every body.

The sink is a tiny HTTP/1.1 responder in its own process (plain sockets, keep-alive, Content-Length bodies
only): if the client could not go much faster than the servers under test, the benchmark would measure
the client.
"""

from __future__ import annotations

import subprocess
import sys
import time

import requests

from .payload import Payload

SINK_PROGRAM = r"""
import socket, sys
server = socket.create_server(("127.0.0.1", 0))
print(server.getsockname()[1], flush=True)
buffer = memoryview(bytearray(1 << 20))
while True:
    conn, _ = server.accept()
    reader = conn.makefile("rb")
    while True:
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            line = reader.readline()
            if not line:
                break
            head += line
        if not head.endswith(b"\r\n\r\n"):
            break
        remaining = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                remaining = int(line.split(b":", 1)[1])
        while remaining:
            got = reader.readinto(buffer[: min(remaining, len(buffer))])
            if not got:
                break
            remaining -= got
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    conn.close()
"""


def client_ceiling(payload: Payload, timeout: float = 60.0) -> float:
    """MiB/s at which one requests.Session sends every part of `payload` to a discarding sink."""
    process = subprocess.Popen([sys.executable, "-c", SINK_PROGRAM], stdout=subprocess.PIPE)
    try:
        port = int(process.stdout.readline())
        with requests.Session() as session:
            url = f"http://127.0.0.1:{port}/bench/ceiling"
            session.put(url, data=payload.part(1), timeout=timeout).raise_for_status()  # warm the connection
            started = time.perf_counter()
            for number in range(1, payload.part_count + 1):
                part = payload.part(number)
                response = session.put(f"{url}?partNumber={number}", data=part, timeout=timeout)
                response.raise_for_status()
            return payload.size / (1024 * 1024) / (time.perf_counter() - started)
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
