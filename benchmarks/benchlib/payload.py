"""A deterministic multipart payload served as zero-copy views of one reusable buffer.

The buffer is one part long plus a few kilobytes; part N is the window starting at a small offset that
depends on N, so consecutive parts differ (a server cannot get away with caching one part) while the
client never allocates or hashes anything inside the timed section: every part's MD5 is computed up front.
"""

from __future__ import annotations

import hashlib
import random
from functools import cached_property

SEED = 20261125
STRIDE = 4096
VARIANTS = 16


class Payload:
    """An object of `size` bytes cut into `part_size` parts (the last one may be shorter)."""

    def __init__(self, size: int, part_size: int, seed: int = SEED) -> None:
        if size <= 0 or part_size <= 0:
            raise ValueError("size and part size must be positive")
        self.size = size
        self.part_size = part_size
        self._buffer = random.Random(seed).randbytes(part_size + STRIDE * VARIANTS)
        self._view = memoryview(self._buffer)
        self._md5_cache: dict[tuple[int, int], bytes] = {}

    @property
    def part_count(self) -> int:
        """How many parts the object has."""
        return -(-self.size // self.part_size)

    def _window(self, number: int) -> tuple[int, int]:
        if not 1 <= number <= self.part_count:
            raise IndexError(number)
        offset = ((number - 1) % VARIANTS) * STRIDE
        length = min(self.part_size, self.size - (number - 1) * self.part_size)
        return offset, length

    def part(self, number: int) -> memoryview:
        """The bytes of part `number` (1-based), a view into the shared buffer: no copy."""
        offset, length = self._window(number)
        return self._view[offset : offset + length]

    def part_md5(self, number: int) -> bytes:
        """The binary MD5 digest of part `number` (cached per distinct window)."""
        window = self._window(number)
        if window not in self._md5_cache:
            self._md5_cache[window] = hashlib.md5(self.part(number)).digest()
        return self._md5_cache[window]

    @cached_property
    def part_etags(self) -> list[str]:
        """Lowercase hex MD5 of every part, in part order (computed once, before any timing)."""
        return [self.part_md5(n).hex() for n in range(1, self.part_count + 1)]

    @cached_property
    def jss_etag(self) -> str:
        """The JSS final ETag: md5 of the concatenated lowercase hex part ETags, no suffix."""
        return hashlib.md5("".join(self.part_etags).encode("ascii")).hexdigest()

    @cached_property
    def s3_etag(self) -> str:
        """The S3 final ETag: md5 of the concatenated binary part digests, then ``-<part count>``."""
        digests = b"".join(bytes.fromhex(etag) for etag in self.part_etags)
        return f"{hashlib.md5(digests).hexdigest()}-{self.part_count}"
