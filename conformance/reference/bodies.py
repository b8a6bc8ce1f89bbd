"""Request bodies streamed to a file: hashed (MD5) and optionally encrypted on the fly, never held whole.

Chunks are gathered into batches of about 1 MiB; each batch is hashed and written by a worker thread while the
event loop receives the next one (double buffering), so a part costs about 2 MiB of memory whatever its size.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from conformance.reference.crypto import SegmentEncryptor
from conformance.reference.errors import JssError

BATCH_BYTES = 1024 * 1024


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
        self.handle = os.fdopen(fd, "wb", buffering=0)
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.encryptor = SegmentEncryptor(key) if key is not None else None
        if self.encryptor is not None:
            self.handle.write(self.encryptor.header())

    def write_batch(self, chunks: list[bytes]) -> None:
        for chunk in chunks:
            self.md5.update(chunk)
            self.handle.write(self.encryptor.update(chunk) if self.encryptor else chunk)

    def finish(self) -> None:
        if self.encryptor is not None:
            self.handle.write(self.encryptor.finalize())
        self.handle.close()

    def discard(self, path: Path) -> None:
        self.handle.close()
        path.unlink(missing_ok=True)


async def receive_to_file(receive, path: Path, expected_length: int, key: bytes | None = None) -> StoredBody:
    """Stream the request body into a new file at `path` (encrypted with `key` when given).

    Raises ClientDisconnected when the client leaves, JssError 400 IncompleteBody when the body is not
    `expected_length` bytes; the file is removed in both cases.
    """
    sink = _Sink(path, key)
    size = 0
    pending: asyncio.Future | None = None
    try:
        batch: list[bytes] = []
        batch_bytes = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnected
            chunk = message.get("body", b"")
            more = message.get("more_body", False)
            if chunk:
                batch.append(chunk)
                batch_bytes += len(chunk)
                size += len(chunk)
            if batch_bytes >= BATCH_BYTES or (not more and batch):
                if pending is not None:
                    await pending
                pending = asyncio.ensure_future(asyncio.to_thread(sink.write_batch, batch))
                batch, batch_bytes = [], 0
        if pending is not None:
            await pending
            pending = None
        if size != expected_length:
            raise JssError(400, "IncompleteBody", "The request body does not match its Content-Length")
        await asyncio.to_thread(sink.finish)
    except BaseException:
        if pending is not None:
            await asyncio.gather(pending, return_exceptions=True)
        sink.discard(path)
        raise
    return StoredBody(size, sink.md5.hexdigest())


async def receive_small(receive, limit: int) -> bytes:
    """Read a small body (a JSON document) into memory; 400 MaxMessageLengthExceeded past `limit` bytes."""
    parts: list[bytes] = []
    total = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunk = message.get("body", b"")
        more = message.get("more_body", False)
        total += len(chunk)
        if total > limit:
            raise JssError(400, "MaxMessageLengthExceeded", "The request body is too large")
        parts.append(chunk)
    return b"".join(parts)
