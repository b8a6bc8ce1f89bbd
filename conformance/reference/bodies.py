"""Request bodies streamed to a file: hashed (MD5) and optionally encrypted on the fly, never held whole.

Chunks are gathered into batches of about 512 KiB. For a body of more than one batch, two threads of its own
take them in order, one hashing and the next writing, while the event loop receives the next batches (at most
4 in flight), so a part costs under 3 MiB of memory whatever its size, and the three stages overlap.

Bounded under many slow bodies at once: at most `max_threads` threads are dedicated to bodies (the bodies
beyond write their batches, one at a time, through the event loop's small shared executor), and once
`BUFFER_BUDGET` bytes wait in unfinished batches across all bodies, batches are handed on as they come
(a stalled body then holds at most the chunk it last received).
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
#: Bytes all bodies together may keep in batches not yet handed to a writer.
BUFFER_BUDGET = 64 * 1024 * 1024
#: Threads dedicated to bodies by default (two per body); see receive_to_file.
DEFAULT_MAX_THREADS = 64


class _Activity:
    """Process-wide counters of the bodies being received (read by the watchdog)."""

    threads = 0  # threads of _Writer pipelines alive
    active = 0  # bodies being received
    received = 0  # body bytes received since the start
    buffered = 0  # bytes in batches not yet handed on


def activity() -> tuple[int, int]:
    """(bodies being received now, body bytes received since the process started)."""
    return _Activity.active, _Activity.received


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
        _Activity.threads += 2
        self.finished.add_done_callback(self._release_threads)
        threading.Thread(target=self._hash, name="body-hash", daemon=True).start()
        threading.Thread(target=self._write, name="body-write", daemon=True).start()

    @staticmethod
    def _release_threads(_) -> None:
        _Activity.threads -= 2

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


class _PooledWriter:
    """The writer of a body beyond the thread cap: each batch hashed and written by the shared executor,
    one batch in flight (the next is received meanwhile). Same interface as _Writer."""

    def __init__(self, sink: _Sink) -> None:
        self.sink = sink
        self.pending: asyncio.Future | None = None

    async def put(self, batch: list[bytes]) -> None:
        """Hand `batch` on once the previous one is written."""
        if self.pending is not None:
            await self.pending
        self.pending = asyncio.ensure_future(asyncio.to_thread(_hash_and_write, self.sink, batch))

    async def close_quietly(self) -> None:
        """Wait for the batch in flight, ignoring its error."""
        if self.pending is not None:
            await asyncio.gather(self.pending, return_exceptions=True)

    async def close(self) -> None:
        """Wait until every batch is written and the file closed; re-raise an error."""
        if self.pending is not None:
            await self.pending
        await asyncio.to_thread(self.sink.finish)


def _new_writer(sink: _Sink, max_threads: int) -> _Writer | _PooledWriter:
    if _Activity.threads + 2 <= max_threads:
        return _Writer(sink)
    return _PooledWriter(sink)


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


async def receive_to_file(
    receive,
    path: Path,
    expected_length: int,
    key: bytes | None = None,
    max_threads: int = DEFAULT_MAX_THREADS,
) -> StoredBody:
    """Stream the request body into a new file at `path` (encrypted with `key` when given).

    `max_threads`: the threads all bodies together may dedicate to the writing (see the module docstring).
    Raises ClientDisconnected when the client leaves, JssError 400 IncompleteBody when the body is not
    `expected_length` bytes; the file is removed in both cases.
    """
    sink = _Sink(path, key)
    writer: _Writer | _PooledWriter | None = None
    size = 0
    batch: list[bytes] = []
    batch_bytes = 0
    _Activity.active += 1
    try:
        async with contextlib.aclosing(_body_chunks(receive)) as chunks:
            async for chunk in chunks:
                batch.append(chunk)
                batch_bytes += len(chunk)
                size += len(chunk)
                _Activity.received += len(chunk)
                _Activity.buffered += len(chunk)
                if batch_bytes >= BATCH_BYTES or _Activity.buffered > BUFFER_BUDGET:
                    writer = writer or _new_writer(sink, max_threads)
                    _Activity.buffered -= batch_bytes
                    batch_bytes = 0
                    await writer.put(batch)
                    batch = []
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
    finally:
        _Activity.active -= 1
        _Activity.buffered -= batch_bytes
    return StoredBody(size, sink.md5.hexdigest())


def _hash_and_write(sink: _Sink, batch: list[bytes]) -> None:
    sink.hash_batch(batch)
    sink.write_batch(batch)


def _write_all(sink: _Sink, batch: list[bytes]) -> None:
    _hash_and_write(sink, batch)
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


async def discard_small(receive, limit: int) -> None:
    """Read and drop a small body (at most `limit` bytes, then stop reading), so that an error answered
    without it reaches a client still sending it (a close with unread bytes would reset the connection)."""
    total = 0
    async with contextlib.aclosing(_body_chunks(receive)) as chunks:
        async for chunk in chunks:
            total += len(chunk)
            if total > limit:
                return
