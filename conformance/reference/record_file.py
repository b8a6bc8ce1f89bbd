"""The record file (``serve --record FILE``): private (mode 0600, whatever umask or an older file's mode),
bounded (rotated before it grows past ``--record-max-bytes``: FILE becomes FILE.1, FILE.1 becomes FILE.2, ...,
the oldest beyond ``--record-keep`` removed) and safe to write from several threads."""

from __future__ import annotations

import os
import threading
from pathlib import Path

FILE_MODE = 0o600


class RecordFile:
    """An append-only, rotated, private text file of lines."""

    def __init__(self, path: Path, max_bytes: int, keep: int) -> None:
        self.path, self.max_bytes, self.keep = path, max_bytes, keep
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._fd = self._open()
        self._size = os.fstat(self._fd).st_size

    def _open(self) -> int:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        os.fchmod(fd, FILE_MODE)  # an existing file, or a umask that widened nothing: 0600 all the same
        return fd

    def write_line(self, line: str) -> None:
        """Append `line` (a newline is added), rotating first when it would pass the bound. A single line
        longer than the bound goes to a file of its own."""
        data = (line + "\n").encode("utf-8")
        with self._lock:
            if self._size and self._size + len(data) > self.max_bytes:
                self._rotate()
            os.write(self._fd, data)
            self._size += len(data)

    def rotated_paths(self) -> list[Path]:
        """FILE.1 ... FILE.keep, newest first (whether they exist or not)."""
        return [self.path.with_name(f"{self.path.name}.{n}") for n in range(1, self.keep + 1)]

    def _rotate(self) -> None:
        os.close(self._fd)
        older = self.rotated_paths()
        if older:
            older[-1].unlink(missing_ok=True)
            for newer, next_older in zip(reversed(older[:-1]), reversed(older[1:]), strict=True):
                if newer.exists():
                    newer.replace(next_older)
            self.path.replace(older[0])
        else:
            self.path.unlink(missing_ok=True)
        self._fd = self._open()
        self._size = 0

    def close(self) -> None:
        """Close the file (further writes fail)."""
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
