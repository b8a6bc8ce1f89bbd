"""A read-only file over several files end to end: the bytes of an object kept as its parts' files."""

from __future__ import annotations

import bisect
import os
from pathlib import Path


class ConcatReader:
    """`seek`/`read`/`close` over `paths` as if they were one file.

    Every file is opened at once, so the reader keeps seeing the bytes it opened even when the object is
    replaced or deleted meanwhile (its names are unlinked, the open files stay readable).
    """

    def __init__(self, paths: list[Path]) -> None:
        self._files = []
        try:
            for path in paths:
                self._files.append(open(path, "rb"))  # noqa: SIM115 - closed by close()
        except BaseException:
            self.close()
            raise
        self._starts = []
        total = 0
        for handle in self._files:
            self._starts.append(total)
            total += os.fstat(handle.fileno()).st_size
        self._size = total
        self._position = 0

    def seek(self, position: int) -> int:
        """Move to absolute `position`."""
        self._position = position
        return position

    def tell(self) -> int:
        """The current position."""
        return self._position

    def read(self, count: int) -> bytes:
        """Up to `count` bytes from the current position (less only at the end of the last file)."""
        pieces = []
        while count > 0 and self._position < self._size:
            index = bisect.bisect_right(self._starts, self._position) - 1
            handle = self._files[index]
            offset = self._position - self._starts[index]
            piece = os.pread(handle.fileno(), count, offset)
            if not piece:  # a file shorter than when it was opened
                break
            pieces.append(piece)
            self._position += len(piece)
            count -= len(piece)
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    @property
    def closed(self) -> bool:
        """True once closed."""
        return all(handle.closed for handle in self._files)

    def close(self) -> None:
        """Close every file."""
        for handle in self._files:
            handle.close()

    def __enter__(self) -> ConcatReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
