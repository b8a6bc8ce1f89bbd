"""A loopback HTTP/1.1 server on raw sockets whose every request meets the next step of a script: answered
(the connection kept alive), closed without an answer, or reset (RST) without an answer. It counts the
connections it accepted and the requests each carried, so a test sees exactly what the client sent."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

ANSWER, CLOSE, RESET = "answer", "close", "reset"
_RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


@dataclass
class ScriptedServer:
    """`steps` are taken one per request, in arrival order (ANSWER once they run out); `connections` holds,
    per accepted connection, the request lines it carried."""

    url: str = ""
    steps: list[str] = field(default_factory=list)
    connections: list[list[str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> list[str]:
        """Every request line received, in order."""
        return [line for lines in self.connections for line in lines]

    def next_step(self) -> str:
        with self.lock:
            return self.steps.pop(0) if self.steps else ANSWER


def _read_request(stream) -> str | None:
    """The request line of the next request (its head and Content-Length body consumed), None at EOF."""
    line = stream.readline()
    if not line:
        return None
    length = 0
    while (header := stream.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = header.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length:
        stream.read(length)
    return line.decode("latin-1").strip()


def _serve_connection(server: ScriptedServer, conn: socket.socket) -> None:
    with server.lock:
        server.connections.append([])
        carried = server.connections[-1]
    with conn, conn.makefile("rb") as stream:
        try:
            while (request_line := _read_request(stream)) is not None:
                carried.append(request_line)
                step = server.next_step()
                if step == RESET:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                if step == CLOSE:
                    return
                conn.sendall(_RESPONSE)
        except OSError:  # the client went away, or stayed idle past the timeout
            return


@contextmanager
def scripted_server(*steps: str) -> Iterator[ScriptedServer]:
    """Run a ScriptedServer with `steps` on 127.0.0.1 (a free port) for the block."""
    server = ScriptedServer(steps=list(steps))
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(5)
            threading.Thread(target=_serve_connection, args=(server, conn), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        yield server
    finally:
        stop.set()
        thread.join(5)
        listener.close()
