"""Multipart uploads on disk: one folder per upload, a small JSON manifest, one JSON + one data file per part.

    <bucket>/uploads/<UploadId>/upload.json              key, storage class, encryption, owner, initiated
    <bucket>/uploads/<UploadId>/part-00001.json          number, etag, size, last modified, data file name
    <bucket>/uploads/<UploadId>/part-00001.<token>.data  the part's bytes (encrypted when the upload is)

Callers serialise the changes of one upload with ``Storage.locks.get(upload_lock_name(...))``; the methods
that install or remove are synchronous so they never interleave on the event loop. Creating and removing an
upload keeps the bucket's listing index up to date (``upload_index``).
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path
from typing import Any

from conformance.reference import crashpoints
from conformance.reference.storage import Storage
from conformance.reference.upload_index import folder_identity, record_created, record_removed

UPLOAD_ID = re.compile(r"[0-9A-F]{32}")


def new_upload_id() -> str:
    """A fresh upload id: 32 uppercase hex characters from `secrets`."""
    return secrets.token_hex(16).upper()


def upload_lock_name(bucket: str, upload_id: str) -> str:
    """The name of the lock that guards one upload."""
    return f"upload:{bucket}:{upload_id}"


class Uploads:
    """The uploads of every bucket of a Storage."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def _dir(self, bucket: str, upload_id: str) -> Path | None:
        if UPLOAD_ID.fullmatch(upload_id) is None:
            return None
        return self.storage.bucket_dir(bucket) / "uploads" / upload_id

    def create(self, bucket: str, record: dict[str, Any]) -> str:
        """Create an upload described by `record` (key, storage_class, encrypted, ...); returns its id."""
        before = folder_identity(self.storage, bucket)
        while True:
            upload_id = new_upload_id()
            folder = self._dir(bucket, upload_id)
            try:
                folder.mkdir()
                break
            except FileExistsError:
                continue
        initiated = time.time()
        manifest = {**record, "upload_id": upload_id, "initiated": initiated}
        self.storage.write_json(folder / "upload.json", manifest)
        record_created(self.storage, bucket, upload_id, record["key"], initiated, before)
        return upload_id

    def get(self, bucket: str, upload_id: str) -> dict[str, Any] | None:
        """The upload's manifest, or None (unknown, completed or aborted)."""
        folder = self._dir(bucket, upload_id)
        return None if folder is None else self.storage.read_json(folder / "upload.json")

    def parts(self, bucket: str, upload_id: str) -> list[dict[str, Any]]:
        """Every part of the upload, ascending by part number."""
        folder = self._dir(bucket, upload_id)
        metas = (self.storage.read_json(p) for p in folder.glob("part-*.json")) if folder else ()
        return sorted((m for m in metas if m is not None), key=lambda m: m["number"])

    def part_data(self, bucket: str, upload_id: str, part: dict[str, Any]) -> Path:
        """Where the bytes of `part` are."""
        return self._dir(bucket, upload_id) / part["data"]

    def install_part(
        self,
        bucket: str,
        upload_id: str,
        number: int,
        data_file: Path,
        meta: dict[str, Any],
        *,
        expected_bucket: dict[str, Any],
    ) -> bool:
        """Make `data_file` part `number` (replacing any earlier one); False when the upload is gone.

        BucketChanged (nothing moved) when the bucket is no longer the one `expected_bucket` describes.
        """
        self.storage.check_bucket(bucket, expected_bucket)
        folder = self._dir(bucket, upload_id)
        if folder is None or not (folder / "upload.json").exists():
            return False
        name = f"part-{number:05d}"
        data_name = f"{name}.{secrets.token_hex(8)}.data"
        os.replace(data_file, folder / data_name)
        crashpoints.reach("part.data-moved")
        old = self.storage.read_json(folder / f"{name}.json")
        self.storage.write_json(folder / f"{name}.json", {**meta, "number": number, "data": data_name})
        crashpoints.reach("part.meta-written")
        if old is not None:
            (folder / old["data"]).unlink(missing_ok=True)
        return True

    def remove(self, bucket: str, upload_id: str) -> Path | None:
        """Make the upload vanish at once; returns the moved folder (for `Storage.purge_later`) or None."""
        folder = self._dir(bucket, upload_id)
        if folder is None or not (folder / "upload.json").exists():
            return None
        before = folder_identity(self.storage, bucket)
        moved = self.storage.discard_tree(folder)
        record_removed(self.storage, bucket, upload_id, before)
        return moved

    def list(self, bucket: str) -> list[dict[str, Any]]:
        """Every upload in progress in the bucket (unsorted)."""
        root = self.storage.bucket_dir(bucket) / "uploads"
        manifests = (self.storage.read_json(entry / "upload.json") for entry in root.iterdir())
        return [m for m in manifests if m is not None]
