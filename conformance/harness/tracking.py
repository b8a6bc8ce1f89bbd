"""Tracked clients: what a case opened and wrote, so that a finalizer can undo it, pass or fail.

A :class:`Tracker` is attached to every client the fixtures hand out (``client.listeners``). It records each
exchange, answered or not (for the reports) and, from the successful ones, the uploads initiated and not yet
completed or aborted, and the objects written and not yet deleted; a write that got no answer may still have
happened, so its key is cleaned up as by :meth:`Tracker.clean_key`. :meth:`Tracker.cleanup` aborts and
deletes them, and refuses to touch anything outside the run prefix.
"""

from __future__ import annotations

import itertools
import re
import secrets
import threading
from collections import deque
from dataclasses import dataclass

from conformance import operations as ops
from conformance.client import Exchange, JssClient
from conformance.outcomes import InfraError

#: How many exchanges of one case are kept for the reports (the most recent ones).
KEPT_EXCHANGES = 60
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_OPERATION_QUERY = {"uploads", "uploadId", "partNumber"}


class CleanupError(Exception):
    """A finalizer could not abort or delete something the case left behind (or refused to)."""


class KeyMaker:
    """``make_key(suffix="")``: a new key, unique in the run, under ``<run prefix><test name>-<token>/``."""

    def __init__(self, run_prefix: str, test_name: str) -> None:
        safe = _UNSAFE.sub("_", test_name).strip("_")[:80] or "case"
        self.prefix = f"{run_prefix}{safe}-{secrets.token_hex(2)}/"
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def __call__(self, suffix: str = "") -> str:
        with self._lock:
            number = next(self._counter)
        return f"{self.prefix}{number:03d}{suffix}"


@dataclass(frozen=True)
class _Upload:
    client: JssClient
    bucket: str
    key: str
    upload_id: str | None  # None: the initiate answered 2xx but its UploadId could not be read


def _upload_id_of(exchange: Exchange) -> str | None:
    return ops.upload_id_in(exchange.dialect, exchange.response_body)


class Tracker:
    """The exchanges, open uploads and written objects of one case's tracked clients."""

    def __init__(self, run_prefix: str, protected_buckets: tuple[str, ...] = ()) -> None:
        if not run_prefix:
            raise ValueError("a tracker needs a non-empty run prefix")
        self.run_prefix = run_prefix
        self.protected_buckets = set(protected_buckets)
        self.exchanges: deque[Exchange] = deque(maxlen=KEPT_EXCHANGES)
        self.exchange_count = 0
        self._uploads: dict[tuple[str, str, str | None], _Upload] = {}
        self._objects: dict[tuple[str, str], JssClient] = {}
        self._buckets: dict[str, JssClient] = {}
        self._lock = threading.Lock()
        self._cleaning = False

    def track(self, client: JssClient, cleanup_by: JssClient | None = None) -> JssClient:
        """Attach this tracker to `client` (returned for chaining). What `client` creates is undone with
        `cleanup_by` (default: `client` itself), e.g. the bucket owner's client for another account's."""
        undo_with = cleanup_by or client
        client.listeners.append(lambda exchange: self._record(undo_with, exchange))
        return client

    def clean_key(self, client: JssClient, bucket: str, key: str) -> None:
        """At cleanup, also abort every upload of exactly `key` and delete the object `key` with `client`,
        whatever the exchanges showed (a request that answered an error may still have left something: the
        access family's refusals); an object already gone is fine."""
        with self._lock:
            self._uploads.setdefault((bucket, key, None), _Upload(client, bucket, key, None))
            self._objects.setdefault((bucket, key), client)

    @property
    def open_uploads(self) -> list[tuple[str, str, str | None]]:
        """(bucket, key, upload id) of the uploads still open, as far as the tracker saw."""
        with self._lock:
            return [(u.bucket, u.key, u.upload_id) for u in self._uploads.values()]

    @property
    def written_objects(self) -> list[tuple[str, str]]:
        """(bucket, key) of the objects written and not deleted, as far as the tracker saw."""
        with self._lock:
            return list(self._objects)

    def _record(self, client: JssClient, exchange: Exchange) -> None:
        if self._cleaning:
            return
        with self._lock:
            self.exchanges.append(exchange)
            self.exchange_count += 1
            status = exchange.status or 0
            names = {name for name, _ in exchange.query} & _OPERATION_QUERY
            method, bucket, key = exchange.method, exchange.bucket, exchange.key
            if exchange.error and bucket is not None and key is not None and method in ("POST", "PUT"):
                self._unanswered_write(client, bucket, key, names)
            if not 200 <= status < 300 or bucket is None:
                return
            if key is None:
                if method == "PUT" and not names:
                    self._buckets[bucket] = client
                elif method == "DELETE" and not names:
                    self._buckets.pop(bucket, None)
                return
            if method == "POST" and "uploads" in names:
                upload = _Upload(client, bucket, key, _upload_id_of(exchange))
                self._uploads[(bucket, key, upload.upload_id)] = upload
            elif "uploadId" in names and method in ("POST", "DELETE"):
                upload_id = dict(exchange.query).get("uploadId")
                self._uploads.pop((bucket, key, upload_id), None)
                if method == "POST":
                    self._objects[(bucket, key)] = client
            elif method == "PUT" and not names:
                self._objects[(bucket, key)] = client
            elif method == "DELETE" and not names:
                self._objects.pop((bucket, key), None)

    def _unanswered_write(self, client: JssClient, bucket: str, key: str, names: set[str]) -> None:
        """A write without an answer may have happened: abort every upload of an initiated key, delete an
        object put or completed (an upload part belongs to an upload tracked already)."""
        if "uploads" in names:
            self._uploads.setdefault((bucket, key, None), _Upload(client, bucket, key, None))
        elif "partNumber" not in names:
            self._objects.setdefault((bucket, key), client)

    # -- cleanup -------------------------------------------------------------------------------------

    def _outside(self, key: str) -> bool:
        return not key.startswith(self.run_prefix)

    def cleanup(self) -> None:
        """Abort every open upload, delete every written object (and bucket) the case left.

        Raises CleanupError listing what could not be done (or was refused: a key outside the run prefix),
        InfraError when the endpoint could not be reached.
        """
        self._cleaning = True
        problems: list[str] = []
        with self._lock:
            uploads = list(self._uploads.values())
            objects = list(self._objects.items())
            buckets = list(self._buckets.items())
            self._uploads.clear()
            self._objects.clear()
            self._buckets.clear()
        for upload in uploads:
            if self._outside(upload.key):
                problems.append(f"refused to abort an upload of {upload.key!r}: outside the run prefix")
            elif upload.upload_id is None:
                problems += self._abort_all_of_key(upload)
            else:
                problems += _expect(
                    upload.client.request(
                        "DELETE", upload.bucket, upload.key, query=[("uploadId", upload.upload_id)]
                    ),
                    f"abort of upload {upload.upload_id} of {upload.key!r}",
                )
        for (bucket, key), client in objects:
            if self._outside(key):
                problems.append(f"refused to delete {key!r}: outside the run prefix")
            else:
                problems += _expect(client.request("DELETE", bucket, key), f"delete of {key!r}")
        for bucket, client in buckets:
            if bucket in self.protected_buckets:
                problems.append(f"refused to delete the target's bucket {bucket!r}")
            else:
                problems += _expect(client.request("DELETE", bucket), f"delete of bucket {bucket!r}")
        if problems:
            raise CleanupError("cleanup: " + "; ".join(problems))

    def _abort_all_of_key(self, upload: _Upload) -> list[str]:
        """The initiate's UploadId was unreadable: abort every upload listed for exactly that key."""
        try:
            listing = ops.list_uploads(upload.client, upload.bucket, prefix=upload.key)
        except (ops.ApiError, AssertionError) as exc:
            return [f"cannot list the uploads of {upload.key!r} to abort them: {exc}"]
        problems: list[str] = []
        for item in listing.uploads:
            if item.key == upload.key and item.upload_id:
                problems += _expect(
                    upload.client.request(
                        "DELETE", upload.bucket, upload.key, query=[("uploadId", item.upload_id)]
                    ),
                    f"abort of upload {item.upload_id} of {upload.key!r}",
                )
        return problems


def _expect(response, what: str) -> list[str]:
    """No problem when the call succeeded or the thing is already gone (404)."""
    if 200 <= response.status_code < 300 or response.status_code == 404:
        return []
    return [f"{what} answered HTTP {response.status_code}"]


def run_cleanup(tracker: Tracker) -> None:
    """Clean up `tracker`, turning a lost connection into InfraError with the cleanup named."""
    try:
        tracker.cleanup()
    except InfraError as exc:
        raise InfraError(f"cleanup: {exc}") from exc
