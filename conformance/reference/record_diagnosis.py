"""The recorder's diagnosis, off the event loop: a few worker threads judge the recorded requests (a wrong
signature is searched for the client mistake that reproduces it, milliseconds of CPU), and one writer thread
appends the lines in the order the requests were answered.

Bounded per client: at most `per_key` requests of one access key (all unknown keys count as one, anonymous
requests as another) wait for or are in diagnosis, and at most MAX_PENDING in all; beyond, a request is
recorded at once with ``"diagnosis": "skipped"`` and no verdicts. A diagnosis that raises is recorded as
``"diagnosis": "failed"`` (and logged) and never reaches the request.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger("conformance.reference.recorder")

#: Requests waiting for or in diagnosis, over every client.
MAX_PENDING = 256
#: How long closing waits for the lines still to be written.
CLOSE_TIMEOUT_SECONDS = 10.0


@dataclass
class _Job:
    record: dict
    finish: Callable[[dict], str]  # the record, its verdicts in, to the line written
    judge: Callable[[], list[dict]] | None
    client: str
    done: threading.Event = field(default_factory=threading.Event)


class DiagnosisPool:
    """`workers` threads diagnosing, one writing `write(line)` in submission order."""

    def __init__(self, write: Callable[[str], None], workers: int, per_key: int) -> None:
        self.write, self.per_key = write, per_key
        self._work: queue.Queue[_Job | None] = queue.Queue()
        self._ordered: queue.Queue[_Job | None] = queue.Queue()
        self._pending: dict[str, int] = {}
        self._lock = threading.Lock()
        self.skipped = 0
        self._threads = [threading.Thread(target=self._diagnose_loop, name=f"diagnosis-{n}", daemon=True)
                         for n in range(workers)]
        self._threads.append(threading.Thread(target=self._write_loop, name="record-writer", daemon=True))
        for thread in self._threads:
            thread.start()

    def submit(self, record: dict, judge: Callable[[], list[dict]] | None, client: str,
               finish: Callable[[dict], str]) -> None:
        """Queue `record` for diagnosis by `judge` (None: nothing to judge) on behalf of `client` (its
        access key), then writing; skipped at once past the bounds. Never blocks, never raises."""
        if judge is not None and not self._admit(client):
            record["diagnosis"], record["verdicts"] = "skipped", []
            judge = None
            self.skipped += 1
        job = _Job(record, finish, judge, client)
        if judge is None:
            record.setdefault("diagnosis", "none")
            record.setdefault("verdicts", [])
            job.done.set()
        else:
            self._work.put(job)
        self._ordered.put(job)

    def _admit(self, client: str) -> bool:
        with self._lock:
            if self._pending.get(client, 0) >= self.per_key or sum(self._pending.values()) >= MAX_PENDING:
                return False
            self._pending[client] = self._pending.get(client, 0) + 1
            return True

    def _release(self, client: str) -> None:
        with self._lock:
            left = self._pending.get(client, 1) - 1
            if left:
                self._pending[client] = left
            else:
                self._pending.pop(client, None)

    def _diagnose_loop(self) -> None:
        while (job := self._work.get()) is not None:
            try:
                job.record["verdicts"] = job.judge()
                job.record["diagnosis"] = "done"
            except Exception:  # noqa: BLE001 - a diagnosis bug must not reach the request or stop the pool
                log.exception("could not diagnose request %s", job.record.get("request_id"))
                job.record["verdicts"], job.record["diagnosis"] = [], "failed"
            finally:
                self._release(job.client)
                job.done.set()

    def _write_loop(self) -> None:
        while (job := self._ordered.get()) is not None:
            job.done.wait()
            try:
                self.write(job.finish(job.record))
            except Exception:  # noqa: BLE001 - a full disk must not stop the writer
                log.exception("could not record request %s", job.record.get("request_id"))

    def close(self, timeout: float = CLOSE_TIMEOUT_SECONDS) -> None:
        """Let the queued requests be diagnosed and written (up to `timeout`), then stop the threads."""
        workers = self._threads[:-1]
        for _ in workers:
            self._work.put(None)
        self._ordered.put(None)
        self._threads[-1].join(timeout)
