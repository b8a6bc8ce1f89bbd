"""Large objects that are never whole in memory: a deterministic generated object, read part by part as a
file-like body (hashed while it is sent, optionally dropped in the middle), and the digests of a streamed
download.

The object's bytes at any offset come from counter-mode blocks (block i of `seed` is
``random.Random(f"{seed}/{i}").randbytes(BLOCK)``), so any part can be generated again, alone, from its
offset: a resumed upload re-sends a part without having kept it. At most one block is held at a time.

The strong hash of an object is the SHA-256 of the concatenated SHA-256 digests of its parts (a part-wise
hash: a re-sent part replaces its own digest, whatever was sent before): :func:`object_digest` on the
upload side, :class:`DownloadDigests` on the download side, which also gives each part's MD5 (the part ETags
the final ETag formula is computed from).
"""

from __future__ import annotations

import hashlib
import io
import random
import re
from dataclasses import dataclass, field

BLOCK = 1024 * 1024
MIB = 1024 * 1024
_SIZE = re.compile(r"^\s*(\d+)\s*(B|KiB|MiB|GiB)?\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "kib": 1024, "mib": MIB, "gib": 1024 * MIB}


def parse_size(text: str) -> int:
    """Bytes of a size written as ``N``, ``N KiB``, ``N MiB`` or ``N GiB`` (ValueError otherwise)."""
    match = _SIZE.match(str(text))
    if not match or int(match.group(1)) <= 0:
        raise ValueError(f"{text!r} is not a positive size (N, N KiB, N MiB or N GiB)")
    return int(match.group(1)) * _UNITS[(match.group(2) or "b").lower()]


class DroppedConnection(Exception):
    """Raised by a :class:`PartStream` that was told to stop in the middle: the HTTP client then tears its
    connection down with the request body half sent."""


@dataclass(frozen=True)
class GeneratedObject:
    """A deterministic object of `size` bytes, uploaded in parts of `part_size` (the last one shorter)."""

    seed: str
    size: int
    part_size: int

    @property
    def part_count(self) -> int:
        """How many parts the object is uploaded in."""
        return -(-self.size // self.part_size)

    def part_range(self, number: int) -> tuple[int, int]:
        """(offset, length) of part `number` (1-based)."""
        offset = (number - 1) * self.part_size
        return offset, min(self.part_size, self.size - offset)

    def part(self, number: int, drop_after: int | None = None) -> PartStream:
        """Part `number` as a file-like body (see :class:`PartStream`)."""
        offset, length = self.part_range(number)
        return PartStream(self, offset, length, drop_after)

    def block(self, index: int) -> bytes:
        """Block `index` of the object (BLOCK bytes; the object ends inside the last one)."""
        return random.Random(f"{self.seed}/{index}").randbytes(BLOCK)


class PartStream(io.RawIOBase):
    """The bytes [offset, offset + length) of a GeneratedObject, read as a seekable file (so HTTP clients
    send a Content-Length), hashed as they are read: ``md5`` (the part's ETag) and ``sha256``. Seeking back to
    the start restarts both hashes (a client that retries re-reads the body from there).

    With `drop_after`, a read past that many bytes raises DroppedConnection instead.
    """

    def __init__(self, source: GeneratedObject, offset: int, length: int, drop_after: int | None = None):
        super().__init__()
        self.source, self.offset, self.length, self.drop_after = source, offset, length, drop_after
        self.position = 0
        self.sent = 0
        self._block: tuple[int, bytes] | None = None
        self._restart()

    def _restart(self) -> None:
        self.md5, self.sha256, self.sent = hashlib.md5(), hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.length}[whence]
        self.position = max(0, min(self.length, base + offset))
        if self.position == 0:
            self._restart()
        return self.position

    def readinto(self, buffer) -> int:
        if self.drop_after is not None and self.position >= self.drop_after:
            raise DroppedConnection(f"the body was dropped after {self.position} of {self.length} bytes")
        end = self.length if self.drop_after is None else min(self.length, self.drop_after)
        wanted = min(len(buffer), end - self.position)
        if wanted <= 0:
            return 0
        absolute = self.offset + self.position
        index, within = divmod(absolute, BLOCK)
        if self._block is None or self._block[0] != index:
            self._block = (index, self.source.block(index))
        chunk = self._block[1][within:within + wanted]
        buffer[: len(chunk)] = chunk
        if self.position == self.sent:  # hash each byte once, in order (a seek forward is not a send)
            self.md5.update(chunk)
            self.sha256.update(chunk)
            self.sent += len(chunk)
        self.position += len(chunk)
        return len(chunk)


def object_digest(part_sha256: list[bytes]) -> str:
    """The strong hash of an object from its parts' SHA-256 digests, in part order."""
    return hashlib.sha256(b"".join(part_sha256)).hexdigest()


@dataclass
class DownloadDigests:
    """The digests of a downloaded object fed in chunks: its size, each part's MD5 (hex) and SHA-256, cut at
    the upload's part boundaries."""

    part_size: int
    size: int = 0
    part_md5: list[str] = field(default_factory=list)
    part_sha256: list[bytes] = field(default_factory=list)
    _md5: object = None
    _sha: object = None
    _in_part: int = 0

    def update(self, chunk: bytes) -> None:
        """Feed the next bytes of the download."""
        view = memoryview(chunk)
        while view:
            if self._md5 is None:
                self._md5, self._sha, self._in_part = hashlib.md5(), hashlib.sha256(), 0
            take = view[: self.part_size - self._in_part]
            self._md5.update(take)
            self._sha.update(take)
            self._in_part += len(take)
            self.size += len(take)
            view = view[len(take):]
            if self._in_part == self.part_size:
                self._close_part()

    def finish(self) -> DownloadDigests:
        """Close the last (short) part; returns self."""
        if self._md5 is not None and self._in_part:
            self._close_part()
        return self

    def _close_part(self) -> None:
        self.part_md5.append(self._md5.hexdigest())
        self.part_sha256.append(self._sha.digest())
        self._md5 = self._sha = None

    @property
    def digest(self) -> str:
        """The object's strong hash (see :func:`object_digest`)."""
        return object_digest(self.part_sha256)
