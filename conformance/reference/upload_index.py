"""An in-memory index of the uploads in progress, per bucket, so that one page of ListMultipartUploads costs
O(page + log n) instead of reading every upload's manifest.

Two sorted lists per bucket (``sortedcontainers.SortedList``): the JSS order (key as UTF-8 bytes, upload id)
and the S3 order (key as UTF-8 bytes, initiation time, upload id). `Uploads.create` adds to them,
`Uploads.remove` takes out. The disk stays the truth: every bucket's index is built from its ``uploads/``
folder when the server starts (`index_every_bucket`; a bucket created later, on its first use), rebuilt when
that folder is another one (the bucket was deleted and created again) or was changed behind the index's back
(its modification time is not the one the index's own changes left), and a page reads the manifest of each
upload it lists: an entry whose upload vanished from disk meanwhile is dropped there and then.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sortedcontainers import SortedList

from conformance.reference.storage import is_valid_bucket_name

#: Sorts after every upload id (32 uppercase hex characters) and every float.
_AFTER_ALL = float("inf")


def _successor(prefix: bytes) -> bytes | None:
    """The smallest byte string greater than every string that starts with `prefix` (None: no bound)."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])


@dataclass
class BucketIndex:
    """The uploads of one bucket in both listing orders, and where their folder was (its identity)."""

    identity: tuple[int, int, int]
    jss: SortedList = field(default_factory=SortedList)  # (key bytes, upload id)
    s3: SortedList = field(default_factory=SortedList)  # (key bytes, initiated, upload id)
    entries: dict[str, tuple[bytes, float]] = field(default_factory=dict)  # upload id -> (key, initiated)

    def add(self, upload_id: str, key: str, initiated: float) -> None:
        """Index an upload (again: replaces its entry)."""
        self.discard(upload_id)
        key_bytes = key.encode("utf-8")
        self.entries[upload_id] = (key_bytes, initiated)
        self.jss.add((key_bytes, upload_id))
        self.s3.add((key_bytes, initiated, upload_id))

    def discard(self, upload_id: str) -> None:
        """Forget an upload (nothing when it is not indexed)."""
        entry = self.entries.pop(upload_id, None)
        if entry is not None:
            self.jss.discard((entry[0], upload_id))
            self.s3.discard((entry[0], entry[1], upload_id))

    def prefix_bounds(self, order: SortedList, prefix: str) -> tuple[int, int]:
        """The index range [start, end) of the uploads of keys that start with `prefix` in `order`."""
        prefix_bytes = prefix.encode("utf-8")
        start = order.bisect_left((prefix_bytes,))
        successor = _successor(prefix_bytes)
        end = len(order) if successor is None else order.bisect_left((successor,))
        return start, end

    def count(self, prefix: str) -> int:
        """How many uploads have a key that starts with `prefix` (O(log n))."""
        start, end = self.prefix_bounds(self.jss, prefix)
        return end - start

    def jss_start(self, key_marker: str, id_marker: str) -> int:
        """Where a JSS page after the markers starts in the JSS order: after (key, upload id) when an
        upload id marker is given, else after every upload of that key."""
        key_bytes = key_marker.encode("utf-8")
        if id_marker:
            return self.jss.bisect_right((key_bytes, id_marker))
        return self.jss.bisect_left((key_bytes + b"\x00",))

    def s3_start(self, key_marker: str, id_marker: str) -> int:
        """Where an S3 page after the markers starts in the S3 order: right after the upload the markers
        name when it is listed, else after every upload of that key."""
        key_bytes = key_marker.encode("utf-8")
        entry = self.entries.get(id_marker) if id_marker else None
        if entry is not None and entry[0] == key_bytes:
            return self.s3.bisect_right((key_bytes, entry[1], id_marker))
        return self.s3.bisect_left((key_bytes + b"\x00",))


#: Storage -> bucket name -> its index; a Storage's indexes go with it.
_indexes: weakref.WeakKeyDictionary[Any, dict[str, BucketIndex]] = weakref.WeakKeyDictionary()


def _identity(folder: Path) -> tuple[int, int, int] | None:
    """The folder's device, inode and modification time (an entry added or removed changes it)."""
    try:
        status = folder.stat()
    except OSError:
        return None
    return status.st_dev, status.st_ino, status.st_mtime_ns


def _build(storage, folder: Path, identity: tuple[int, int, int]) -> BucketIndex:
    index = BucketIndex(identity)
    for entry in folder.iterdir():
        manifest = storage.read_json(entry / "upload.json")
        if manifest is not None:
            index.add(manifest["upload_id"], manifest["key"], manifest["initiated"])
    return index


def bucket_index(storage, bucket: str) -> BucketIndex:
    """The index of `bucket`'s uploads (built from disk on first use, or when the bucket's ``uploads/``
    folder is another one, or was changed by anything but `record_created` / `record_removed`; empty when
    the bucket has none)."""
    folder = storage.bucket_dir(bucket) / "uploads"
    identity = _identity(folder)
    buckets = _indexes.setdefault(storage, {})
    index = buckets.get(bucket)
    if index is None or index.identity != identity:
        index = BucketIndex((0, 0, 0)) if identity is None else _build(storage, folder, identity)
        if identity is not None:
            buckets[bucket] = index
        else:
            buckets.pop(bucket, None)
    return index


def folder_identity(storage, bucket: str) -> tuple[int, int, int] | None:
    """The identity of `bucket`'s ``uploads/`` folder now (taken before a change, see `record_created`)."""
    return _identity(storage.bucket_dir(bucket) / "uploads")


def _index_as_of(storage, bucket: str, before: tuple[int, int, int] | None) -> BucketIndex:
    """The index of `bucket`, if it was up to date with the folder as it was `before` the caller's change;
    else built from disk now (the caller's change included)."""
    index = _indexes.get(storage, {}).get(bucket)
    if index is not None and before is not None and index.identity == before:
        return index
    return bucket_index(storage, bucket)


def record_created(
    storage, bucket: str, upload_id: str, key: str, initiated: float, before: tuple[int, int, int] | None
) -> None:
    """Index an upload `Uploads.create` has just written; `before`: `folder_identity` before it did."""
    index = _index_as_of(storage, bucket, before)
    index.add(upload_id, key, initiated)
    index.identity = folder_identity(storage, bucket) or index.identity


def record_removed(storage, bucket: str, upload_id: str, before: tuple[int, int, int] | None) -> None:
    """Forget an upload `Uploads.remove` has just moved away; `before`: `folder_identity` before it did."""
    index = _index_as_of(storage, bucket, before)
    index.discard(upload_id)
    index.identity = folder_identity(storage, bucket) or index.identity


def index_every_bucket(storage) -> int:
    """Build the index of every bucket of `storage` from disk (at start-up, before any request: so that no
    request pays for a build); returns the number of uploads indexed."""
    total = 0
    for folder in sorted(storage.buckets.iterdir()):
        if folder.is_dir() and is_valid_bucket_name(folder.name):
            total += len(bucket_index(storage, folder.name).entries)
    return total


def walk(
    storage, bucket: str, index: BucketIndex, order: SortedList, start: int, prefix: str
) -> Iterator[dict]:
    """The manifests of the uploads of `order` from position `start` on whose key starts with `prefix`, read
    from disk one by one (an upload gone from disk is dropped from the index and skipped)."""
    first, end = index.prefix_bounds(order, prefix)
    position = max(start, first)
    while position < end:
        upload_id = order[position][-1]
        manifest = storage.read_json(storage.bucket_dir(bucket) / "uploads" / upload_id / "upload.json")
        if manifest is None:
            index.discard(upload_id)
            end -= 1
            continue
        yield manifest
        position += 1


def forget(storage) -> None:
    """Drop every index of `storage` (each is built from disk again on its next use, as after a restart)."""
    _indexes.pop(storage, None)
