"""An object kept as its parts' files, read end to end; its files outlive the readers that opened it.

A reader holds one file open at a time (the connection's file budget in `limits` stays true), so the
files it has not opened yet must not vanish when the object is replaced or deleted meanwhile: `Pins`
counts the readers of every file and defers the unlink of a pinned file until its last reader closes.
"""

from __future__ import annotations

import bisect
import os
import threading
from collections.abc import Callable
from pathlib import Path


class Pins:
    """Files in use by readers: `unlink` of a pinned file waits until `release` drops its last pin."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count: dict[Path, int] = {}
        self._doomed: set[Path] = set()

    def pin(self, paths: list[Path]) -> None:
        """One more reader of each of `paths`."""
        with self._lock:
            for path in paths:
                self._count[path] = self._count.get(path, 0) + 1

    def release(self, paths: list[Path]) -> None:
        """One reader fewer; files unlinked meanwhile are deleted once nobody reads them."""
        with self._lock:
            free = []
            for path in paths:
                self._count[path] -= 1
                if not self._count[path]:
                    del self._count[path]
                    if path in self._doomed:
                        self._doomed.discard(path)
                        free.append(path)
        for path in free:
            path.unlink(missing_ok=True)

    def unlink(self, path: Path) -> None:
        """Delete `path` now, or when its last reader is done."""
        with self._lock:
            if path in self._count:
                self._doomed.add(path)
                return
        path.unlink(missing_ok=True)


class ConcatReader:
    """`seek`/`read`/`close` over `paths` as if they were one file, one of them open at a time.

    The first file is opened at once (FileNotFoundError if it is gone, as for a single data file). `sizes`
    are the files' sizes; `on_close` is called once, by close().
    """

    def __init__(self, paths: list[Path], sizes: list[int] | None = None,
                 on_close: Callable[[], None] | None = None) -> None:
        self._paths = paths
        self._on_close = on_close
        self._open_index = 0
        self._handle = open(paths[0], "rb")  # noqa: SIM115 - closed by close()
        if sizes is None:
            sizes = [os.stat(path).st_size for path in paths]
        self._starts = []
        total = 0
        for size in sizes:
            self._starts.append(total)
            total += size
        self._size = total
        self._position = 0
        self.closed = False

    def seek(self, position: int) -> int:
        """Move to absolute `position`."""
        self._position = position
        return position

    def tell(self) -> int:
        """The current position."""
        return self._position

    def _file(self, index: int) -> int:
        if index != self._open_index:
            self._handle.close()
            self._handle = open(self._paths[index], "rb")  # noqa: SIM115 - closed by close()
            self._open_index = index
        return self._handle.fileno()

    def read(self, count: int) -> bytes:
        """Up to `count` bytes from the current position (less only at the end of the last file)."""
        pieces = []
        while count > 0 and self._position < self._size:
            index = bisect.bisect_right(self._starts, self._position) - 1
            piece = os.pread(self._file(index), count, self._position - self._starts[index])
            if not piece:  # a file shorter than its size
                break
            pieces.append(piece)
            self._position += len(piece)
            count -= len(piece)
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    def close(self) -> None:
        """Close the open file and release the pins."""
        if not self.closed:
            self.closed = True
            self._handle.close()
            if self._on_close is not None:
                self._on_close()

    def __enter__(self) -> ConcatReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
