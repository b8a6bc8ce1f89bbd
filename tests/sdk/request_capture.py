"""A loopback TCP relay that keeps the head of every HTTP/1.1 request a client sends through it (request line
and headers, bodies passed on untouched), so a test sees what an SDK put on the wire: which headers, which
query. It listens on an ephemeral 127.0.0.1 port and relays to one upstream port, in a thread of its own.
Request heads are found in the client's byte stream by their shape (method, target, ``HTTP/1.1``, header
lines, an empty line); the tests' bodies are random bytes, which never take that shape in practice."""

from __future__ import annotations

import asyncio
import re
import threading
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

HEAD = re.compile(rb"(GET|PUT|POST|HEAD|DELETE) (\S+) HTTP/1\.1\r\n((?:[^\r\n]+\r\n)*)\r\n")
KEEP = 64 * 1024


@dataclass
class SentRequest:
    """One request head as the client sent it (header names lowercased)."""

    method: str
    target: str
    headers: dict[str, str]

    @property
    def path(self) -> str:
        """The target without its query."""
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, str]:
        """The query parameters (decoded; a parameter without value is "")."""
        return dict(parse_qsl(urlsplit(self.target).query, keep_blank_values=True))


def _parsed(match: re.Match) -> SentRequest:
    lines = match.group(3).decode("latin-1").split("\r\n")
    headers = {}
    for line in filter(None, lines):
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return SentRequest(match.group(1).decode(), match.group(2).decode("latin-1"), headers)


class RequestCapture:
    """The relay; `endpoint` is its URL, `sent` the request heads seen so far (in order)."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.sent: list[SentRequest] = []
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.port = 0

    def __enter__(self) -> RequestCapture:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result(10)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    @property
    def endpoint(self) -> str:
        """The relay's URL (``http://127.0.0.1:PORT``)."""
        return f"http://127.0.0.1:{self.port}"

    def clear(self) -> None:
        """Forget the requests seen so far."""
        self.sent.clear()

    async def _listen(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _relay(self, client_reader, client_writer) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        await asyncio.gather(self._pipe(client_reader, upstream_writer, watch=True),
                             self._pipe(upstream_reader, client_writer, watch=False))

    async def _pipe(self, reader, writer, watch: bool) -> None:
        seen = b""
        try:
            while data := await reader.read(KEEP):
                if watch:
                    seen += data
                    end = 0
                    for match in HEAD.finditer(seen):
                        self.sent.append(_parsed(match))
                        end = match.end()
                    seen = seen[end:][-KEEP:]
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
