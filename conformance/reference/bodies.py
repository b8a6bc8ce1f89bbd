"""Request bodies streamed to a file: hashed (MD5) and optionally encrypted on the fly, never held whole.

Chunks are gathered into batches of about 512 KiB. For a body of more than one batch, two threads of its own
take them in order, one hashing and the next writing, while the event loop receives the next batches (at most
4 in flight), so a part costs under 3 MiB of memory whatever its size, and the three stages overlap.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import queue
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from conformance.reference.crypto import SegmentEncryptor
from conformance.reference.errors import JssError

BATCH_BYTES = 512 * 1024
QUEUE_DEPTH = 4


class ClientDisconnected(Exception):
    """The client went away before the body was complete: there is nobody to answer."""


@dataclass(frozen=True)
class StoredBody:
    """What was written: plaintext size and its MD5."""

    size: int
    md5_hex: str


class _Sink:
    """The file end of a body: hashing, optional encryption, writing. Used from one thread at a time."""

    def __init__(self, path: Path, key: bytes | None) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.handle = os.fdopen(fd, "wb")
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.encryptor = SegmentEncryptor(key) if key is not None else None
        if self.encryptor is not None:
            self.handle.write(self.encryptor.header())

    def hash_batch(self, chunks: list[bytes]) -> None:
        for chunk in chunks:
            self.md5.update(chunk)

    def write_batch(self, chunks: list[bytes]) -> None:
        for chunk in chunks:
            self.handle.write(self.encryptor.update(chunk) if self.encryptor else chunk)

    def finish(self) -> None:
        if self.encryptor is not None:
            self.handle.write(self.encryptor.finalize())
        self.handle.close()

    def discard(self, path: Path) -> None:
        if not self.handle.closed:
            self.handle.close()
        path.unlink(missing_ok=True)


class _Writer:
    """Two threads per body: one hashes the batches, the next writes them, both in order.

    At most `QUEUE_DEPTH` batches are between the event loop and the disk at any time.
    """

    def __init__(self, sink: _Sink) -> None:
        self.sink = sink
        self.to_hash: queue.SimpleQueue[list[bytes] | None] = queue.SimpleQueue()
        self.to_write: queue.SimpleQueue[list[bytes] | None] = queue.SimpleQueue()
        self.slots = asyncio.Semaphore(QUEUE_DEPTH)
        self.error: BaseException | None = None
        self.loop = asyncio.get_running_loop()
        self.finished = self.loop.create_future()
        self.closed = False
        threading.Thread(target=self._hash, name="body-hash", daemon=True).start()
        threading.Thread(target=self._write, name="body-write", daemon=True).start()

    def _hash(self) -> None:
        while (batch := self.to_hash.get()) is not None:
            self._guard(self.sink.hash_batch, batch)
            self.to_write.put(batch)
        self.to_write.put(None)

    def _write(self) -> None:
        while (batch := self.to_write.get()) is not None:
            self._guard(self.sink.write_batch, batch)
            self._notify(self.slots.release)
        self._guard(self.sink.finish)
        self._notify(self._set_finished)

    def _guard(self, step, *args) -> None:
        if self.error is None:
            try:
                step(*args)
            except BaseException as exc:  # reported by close()
                self.error = exc

    def _notify(self, callback) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is gone: the server is shutting down
            self.loop.call_soon_threadsafe(callback)

    def _set_finished(self) -> None:
        if not self.finished.done():
            self.finished.set_result(None)

    async def put(self, batch: list[bytes]) -> None:
        """Queue `batch`; waits while `QUEUE_DEPTH` batches are in flight."""
        await self.slots.acquire()
        self.to_hash.put(batch)

    async def close_quietly(self) -> None:
        """Stop the threads after a failure, ignoring their errors."""
        if not self.closed:
            self.closed = True
            self.to_hash.put(None)
        await asyncio.gather(asyncio.shield(self.finished), return_exceptions=True)

    async def close(self) -> None:
        """Wait until every batch is hashed and written and the file closed; re-raise an error."""
        self.closed = True
        self.to_hash.put(None)
        await asyncio.shield(self.finished)
        if self.error is not None:
            raise self.error


async def _body_chunks(receive) -> AsyncIterator[bytes]:
    """The non-empty chunks of an ASGI request body, in order; ClientDisconnected when the client leaves."""
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        more = message.get("more_body", False)
        if chunk := message.get("body", b""):
            yield chunk


async def receive_to_file(receive, path: Path, expected_length: int, key: bytes | None = None) -> StoredBody:
    """Stream the request body into a new file at `path` (encrypted with `key` when given).

    Raises ClientDisconnected when the client leaves, JssError 400 IncompleteBody when the body is not
    `expected_length` bytes; the file is removed in both cases.
    """
    sink = _Sink(path, key)
    writer: _Writer | None = None
    size = 0
    try:
        batch: list[bytes] = []
        batch_bytes = 0
        async with contextlib.aclosing(_body_chunks(receive)) as chunks:
            async for chunk in chunks:
                batch.append(chunk)
                batch_bytes += len(chunk)
                size += len(chunk)
                if batch_bytes >= BATCH_BYTES:
                    writer = writer or _Writer(sink)
                    await writer.put(batch)
                    batch, batch_bytes = [], 0
        if size != expected_length:
            raise JssError(400, "IncompleteBody", "The request body does not match its Content-Length")
        if writer is None:  # a small body: one hop to a thread
            await asyncio.to_thread(_write_all, sink, batch)
        else:
            if batch:
                await writer.put(batch)
            await writer.close()
    except BaseException:
        if writer is not None:
            await writer.close_quietly()
        sink.discard(path)
        raise
    return StoredBody(size, sink.md5.hexdigest())


def _write_all(sink: _Sink, batch: list[bytes]) -> None:
    sink.hash_batch(batch)
    sink.write_batch(batch)
    sink.finish()


async def receive_small(receive, limit: int) -> bytes:
    """Read a small body (a JSON document) into memory; 400 MaxMessageLengthExceeded past `limit` bytes."""
    parts: list[bytes] = []
    total = 0
    async with contextlib.aclosing(_body_chunks(receive)) as chunks:
        async for chunk in chunks:
            total += len(chunk)
            if total > limit:
                raise JssError(400, "MaxMessageLengthExceeded", "The request body is too large")
            parts.append(chunk)
    return b"".join(parts)
