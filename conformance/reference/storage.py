"""On-disk layout of the reference endpoint. Nothing is ever written outside the data dir.

    <data>/lock                                   held (flock) by the one server using the data dir
    <data>/tmp/                                   request bodies and assemblies in progress (same filesystem)
    <data>/keys/sse.key                           the encryption key (see crypto)
    <data>/buckets/<bucket>/bucket.json           owner, region, creation time, incarnation
    <data>/buckets/<bucket>/objects/<hh>/<h>.json object metadata (h = sha256 of the key), the commit point
    <data>/buckets/<bucket>/objects/<hh>/<h>.<token>.data   object bytes (one file per version)
    <data>/buckets/<bucket>/uploads/<UploadId>/   one upload (see uploads)

Keys never become path components (they are hashed), bucket names are validated before they do, and upload
ids must match their format. Objects change by writing a new data file, then atomically replacing the
metadata that names it, then unlinking the old data file: a reader sees the old object or the new one.
A crash between those steps leaves files no metadata names; start-up reclaims them (see `reconcile`).

A bucket has an identity, its owner and its incarnation (a random token given when it is created): a bucket
deleted and created again under the same name, by anyone, is another bucket. A write checks, on the event
loop and just before it installs, that the bucket it was authorised against is still there (`check_bucket`).
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import time
import weakref
from pathlib import Path
from typing import Any, BinaryIO

from conformance.reference import crashpoints
from conformance.reference.concat import ConcatReader, Pins
from conformance.reference.reconcile import Reconciled, reconcile_data_dir

BUCKET_NAME = re.compile(r"[a-z0-9-]{3,63}")


class DataDirInUse(OSError):
    """Another running server holds the data dir."""


class BucketChanged(LookupError):
    """The bucket a write was authorised against was deleted (perhaps created again) before it installed."""


def bucket_identity(record: dict[str, Any]) -> tuple[Any, ...]:
    """What makes a bucket the same bucket: name, owner, creation time and incarnation token."""
    return record["name"], record["owner"], record.get("created"), record.get("incarnation")


def _lock_data_dir(root: Path) -> BinaryIO:
    """Hold an exclusive lock on ``<data>/lock`` for the life of the process: one server per data dir."""
    root.mkdir(parents=True, exist_ok=True)
    handle = open(root / "lock", "wb")  # noqa: SIM115 - held open until the process ends
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as exc:
        handle.close()
        raise DataDirInUse(exc.errno, "another reference endpoint is using it") from exc
    return handle


def _unlink_quietly(path: Path) -> None:
    path.unlink(missing_ok=True)


def is_valid_bucket_name(name: str) -> bool:
    """Bucket names: 3 to 63 characters of ``[a-z0-9-]``."""
    return BUCKET_NAME.fullmatch(name) is not None


class LockTable:
    """asyncio locks by name, alive while someone holds or waits for them."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def get(self, name: str) -> asyncio.Lock:
        """The lock called `name`."""
        lock = self._locks.get(name)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[name] = lock
        return lock


class Storage:
    """Buckets and objects on disk, under one data dir."""

    def __init__(self, root: Path, sse_key: bytes) -> None:
        self.root = root
        self.sse_key = sse_key
        self.tmp = root / "tmp"
        self.buckets = root / "buckets"
        self.locks = LockTable()
        self.pins = Pins()
        self._background: set[asyncio.Future] = set()
        self._lock = _lock_data_dir(root)
        self.buckets.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.tmp, ignore_errors=True)  # leftovers of a killed process
        self.tmp.mkdir(exist_ok=True)
        #: What start-up reclaimed from the files a killed process left behind.
        self.reconciled: Reconciled = reconcile_data_dir(self.buckets, self._meta_path_in)

    # -- helpers -------------------------------------------------------------------------------------------
    def temp_path(self, label: str = "body") -> Path:
        """A fresh path under tmp/ (not created)."""
        return self.tmp / f"{label}.{secrets.token_hex(8)}"

    def write_json(self, path: Path, data: dict[str, Any]) -> None:
        """Write `data` to `path` atomically (temp file, then rename)."""
        temp = self.temp_path("json")
        temp.write_bytes(json.dumps(data, ensure_ascii=False).encode("utf-8"))
        os.replace(temp, path)

    @staticmethod
    def read_json(path: Path) -> dict[str, Any] | None:
        """The JSON document at `path`, or None when it does not exist."""
        try:
            return json.loads(path.read_bytes())
        except FileNotFoundError:
            return None

    def purge_later(self, moved: Path | None) -> None:
        """Delete a folder moved away by `discard_tree` in a worker thread, without waiting for it."""
        if moved is not None:
            self._in_background(shutil.rmtree, moved, True)

    def unlink_later(self, path: Path) -> None:
        """Delete a file no one will open again in a worker thread (freeing a big file takes a while)."""
        self._in_background(_unlink_quietly, path)

    def _in_background(self, function, *args) -> None:
        future = asyncio.get_running_loop().run_in_executor(None, function, *args)
        self._background.add(future)
        future.add_done_callback(self._background.discard)

    def discard_tree(self, path: Path) -> Path | None:
        """Move `path` into tmp/ at once (it vanishes atomically); returns where it went, for deletion."""
        target = self.temp_path("trash")
        try:
            os.replace(path, target)
        except FileNotFoundError:
            return None
        return target

    # -- buckets -------------------------------------------------------------------------------------------
    def bucket_dir(self, bucket: str) -> Path:
        """The folder of a bucket whose name has been validated."""
        if not is_valid_bucket_name(bucket):
            raise ValueError(f"invalid bucket name {bucket!r}")
        return self.buckets / bucket

    def get_bucket(self, bucket: str) -> dict[str, Any] | None:
        """The bucket's record (name, owner, region, created), or None."""
        if not is_valid_bucket_name(bucket):
            return None
        return self.read_json(self.bucket_dir(bucket) / "bucket.json")

    def create_bucket(self, bucket: str, owner: str, region: str) -> bool:
        """Create the bucket; False when it already exists."""
        folder = self.bucket_dir(bucket)
        try:
            folder.mkdir()
        except FileExistsError:
            return False
        (folder / "objects").mkdir()
        (folder / "uploads").mkdir()
        record = {
            "name": bucket,
            "owner": owner,
            "region": region,
            "created": time.time(),
            "incarnation": secrets.token_hex(16),
        }
        self.write_json(folder / "bucket.json", record)
        return True

    def list_buckets(self) -> list[dict[str, Any]]:
        """Every bucket's record, sorted by name."""
        records = (self.read_json(entry / "bucket.json") for entry in self.buckets.iterdir())
        return sorted((r for r in records if r is not None), key=lambda r: r["name"])

    def check_bucket(self, bucket: str, expected: dict[str, Any]) -> None:
        """BucketChanged unless `bucket` is still the bucket `expected` describes (same identity)."""
        current = self.get_bucket(bucket)
        if current is None or bucket_identity(current) != bucket_identity(expected):
            raise BucketChanged(bucket)

    def bucket_is_empty(self, bucket: str) -> bool:
        """True when the bucket holds no object and no upload in progress."""
        folder = self.bucket_dir(bucket)
        has_upload = any((folder / "uploads").iterdir())
        return not has_upload and not any(self._iter_meta_paths(bucket))

    def delete_bucket(self, bucket: str) -> None:
        """Remove the bucket at once (its folder is deleted in the background)."""
        self.purge_later(self.discard_tree(self.bucket_dir(bucket)))

    # -- objects -------------------------------------------------------------------------------------------
    def _object_base(self, bucket: str, key: str) -> Path:
        return self._meta_path_in(self.bucket_dir(bucket), key).with_suffix("")

    @staticmethod
    def _meta_path_in(bucket_dir: Path, key: str) -> Path:
        """The metadata path of `key` in the bucket folder `bucket_dir` (as `_object_base` lays it out)."""
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return bucket_dir / "objects" / digest[:2] / f"{digest}.json"

    def get_object(self, bucket: str, key: str) -> dict[str, Any] | None:
        """The object's metadata, or None."""
        return self.read_json(self._object_base(bucket, key).with_suffix(".json"))

    def open_object(self, bucket: str, key: str) -> tuple[dict[str, Any], BinaryIO] | None:
        """The object's metadata and an open handle on its bytes (consistent with each other), or None."""
        base = self._object_base(bucket, key)
        for _ in range(5):
            meta = self.read_json(base.with_suffix(".json"))
            if meta is None:
                return None
            try:
                return meta, self._open_data(base.parent, meta)
            except FileNotFoundError:
                continue  # replaced between the two reads: read the new metadata
        raise RuntimeError("object kept changing while being opened")

    def install_object(
        self,
        bucket: str,
        key: str,
        data_file: Path | list[Path],
        meta: dict[str, Any],
        *,
        expected_bucket: dict[str, Any],
    ) -> None:
        """Make `data_file` (under tmp/) the bytes of `key`, described by `meta`, atomically.

        A list of files is an object kept as its parts' files (hard links made by complete), read end to
        end (see `concat`). BucketChanged (nothing moved: `data_file` is still the caller's) when the bucket
        is no longer the one `expected_bucket` describes.

        Synchronous on purpose: run on the event loop, it cannot interleave with another install of the
        same key, nor with a DeleteBucket.
        """
        self.check_bucket(bucket, expected_bucket)
        base = self._object_base(bucket, key)
        base.parent.mkdir(exist_ok=True)
        token = secrets.token_hex(8)
        if isinstance(data_file, list):
            data: str | list[str] = [f"{base.name}.{token}.{index}.data" for index in range(len(data_file))]
            for source, name in zip(data_file, data, strict=True):
                os.replace(source, base.parent / name)
        else:
            data = f"{base.name}.{token}.data"
            os.replace(data_file, base.parent / data)
        crashpoints.reach("object.data-moved")
        old = self.read_json(base.with_suffix(".json"))
        self.write_json(base.with_suffix(".json"), {**meta, "key": key, "data": data})
        crashpoints.reach("object.meta-written")
        if old is not None:
            self._unlink_data_later(base.parent, old["data"])

    def _unlink_data_later(self, folder: Path, data: str | list[str]) -> None:
        for name in [data] if isinstance(data, str) else data:
            self._in_background(self.pins.unlink, folder / name)

    def _open_data(self, folder: Path, meta: dict[str, Any]) -> BinaryIO | ConcatReader:
        """An open handle on an object's bytes: its one data file, or its part files end to end (pinned)."""
        if isinstance(meta["data"], str):
            return open(folder / meta["data"], "rb")  # noqa: SIM115 - the caller closes it
        paths = [folder / name for name in meta["data"]]
        self.pins.pin(paths)
        try:
            return ConcatReader(paths, meta.get("files"), lambda: self.pins.release(paths))
        except BaseException:
            self.pins.release(paths)
            raise

    def update_object_meta(self, bucket: str, key: str, changes: dict[str, Any]) -> None:
        """Rewrite fields of the object's metadata (its bytes stay); nothing when there is no object.

        Synchronous, like install_object: it cannot interleave with an install of the same key.
        """
        path = self._object_base(bucket, key).with_suffix(".json")
        meta = self.read_json(path)
        if meta is not None:
            self.write_json(path, {**meta, **changes})

    def delete_object(self, bucket: str, key: str) -> bool:
        """Remove the object; False when there was none."""
        base = self._object_base(bucket, key)
        old = self.read_json(base.with_suffix(".json"))
        if old is None:
            return False
        base.with_suffix(".json").unlink(missing_ok=True)
        self._unlink_data_later(base.parent, old["data"])
        return True

    def _iter_meta_paths(self, bucket: str):
        objects = self.bucket_dir(bucket) / "objects"
        for shard in objects.iterdir():
            for entry in shard.iterdir():
                if entry.suffix == ".json":
                    yield entry

    def list_objects(self, bucket: str) -> list[dict[str, Any]]:
        """Metadata of every object of the bucket, sorted by key."""
        metas = (self.read_json(path) for path in self._iter_meta_paths(bucket))
        return sorted((m for m in metas if m is not None), key=lambda m: m["key"].encode("utf-8"))
