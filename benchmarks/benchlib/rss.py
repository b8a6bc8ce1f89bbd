"""Resident set size of a server process tree, sampled in a background thread."""

from __future__ import annotations

import threading

import psutil


def tree_rss(process: psutil.Process) -> int:
    """RSS in bytes of `process` plus all its descendants (processes that vanish meanwhile count 0)."""
    total = 0
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


class RssSampler:
    """Samples the RSS of a process tree every `interval` seconds; `peak` since the last `reset()`.

    Use as a context manager: the thread starts on enter and stops on exit.
    """

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.samples = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rss-{pid}", daemon=True)

    def current(self) -> int:
        """The tree's RSS right now (also folded into the peak)."""
        value = tree_rss(self.process)
        with self._lock:
            self.peak = max(self.peak, value)
            self.samples += 1
        return value

    def reset(self) -> int:
        """Start a new peak window at the current RSS and return that RSS (the 'at rest' value)."""
        value = tree_rss(self.process)
        with self._lock:
            self.peak = value
            self.samples = 1
        return value

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.current()

    def __enter__(self) -> RssSampler:
        self.reset()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
