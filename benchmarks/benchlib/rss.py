"""Resident set size of a server process tree, sampled in a background thread.

Finding a tree's members means reading every process of the machine (psutil's `children`), so a sampler
looks the tree up again only every `TREE_REFRESH` seconds (and on every `reset` and explicit `current`),
and in between reads the RSS of the members it knows. Three samplers at 50 Hz then cost the client about
1% of a core instead of a whole one, which on a 2-core machine lowered the measured throughput of the
server under test by 12-17%.
"""

from __future__ import annotations

import threading
import time

import psutil

#: Seconds between two lookups of a sampled tree's members.
TREE_REFRESH = 1.0


def tree_members(process: psutil.Process) -> list[psutil.Process]:
    """`process` and all its descendants now (empty when `process` is gone)."""
    try:
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def members_rss(members: list[psutil.Process]) -> int:
    """RSS in bytes of `members` together (processes that vanished meanwhile count 0)."""
    total = 0
    for member in members:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def tree_rss(process: psutil.Process) -> int:
    """RSS in bytes of `process` plus all its descendants."""
    return members_rss(tree_members(process))


class RssSampler:
    """Samples the RSS of a process tree every `interval` seconds; `peak` since the last `reset()`.

    Use as a context manager: the thread starts on enter and stops on exit.
    """

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.samples = 0
        self._members: list[psutil.Process] = []
        self._looked_up = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rss-{pid}", daemon=True)

    def _sample(self, fresh_tree: bool) -> int:
        now = time.monotonic()
        if fresh_tree or now - self._looked_up >= TREE_REFRESH:
            self._members, self._looked_up = tree_members(self.process), now
        return members_rss(self._members)

    def current(self) -> int:
        """The tree's RSS right now, its members looked up afresh (also folded into the peak)."""
        with self._lock:
            value = self._sample(fresh_tree=True)
            self.peak = max(self.peak, value)
            self.samples += 1
        return value

    def reset(self) -> int:
        """Start a new peak window at the current RSS and return that RSS (the 'at rest' value)."""
        with self._lock:
            value = self._sample(fresh_tree=True)
            self.peak = value
            self.samples = 1
        return value

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                value = self._sample(fresh_tree=False)
                self.peak = max(self.peak, value)
                self.samples += 1

    def __enter__(self) -> RssSampler:
        self.reset()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
