"""Start-up reconciliation of the buckets folder: what a killed process left half done is finished or undone.

The writes of ``storage`` and ``uploads`` rename data into place, then write the metadata that names it (the
commit point), then unlink what it replaced; complete installs the object (its metadata records the upload
it came from, ``completed_upload``), then removes the upload. A SIGKILL between two steps leaves:

- data files no metadata names (an object or a part installed halfway, or a superseded one): deleted;
- an upload whose object is installed (a complete cut before it removed the upload): removed, so it is no
  longer listed (its part files are the object's files when they were linked: those bytes stay);
- an upload folder without its manifest (an initiate cut short), a bucket folder without ``bucket.json`` (a
  create cut short): removed.

Runs once, before the server listens, under the data dir's lock: nothing else touches the files meanwhile.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("conformance.reference")

#: (bucket folder, key) -> the path of the key's object metadata (``Storage`` knows the layout).
MetaPathOf = Callable[[Path, str], Path]


@dataclass
class Reconciled:
    """What start-up reclaimed: files deleted, bytes freed (files whose last link went), uploads dropped."""

    files: int = 0
    bytes_freed: int = 0
    committed_uploads: list[str] = field(default_factory=list)
    folders: int = 0

    def remove_file(self, path: Path) -> None:
        """Unlink `path`, counting its bytes when this was its last link."""
        try:
            status = path.stat()
            path.unlink()
        except FileNotFoundError:
            return
        self.files += 1
        if status.st_nlink == 1:
            self.bytes_freed += status.st_size

    def remove_tree(self, folder: Path) -> None:
        """Delete `folder` and everything in it, file by file (counted)."""
        for root, dirs, files in os.walk(folder, topdown=False):
            for name in files:
                self.remove_file(Path(root) / name)
            for name in dirs:
                os.rmdir(Path(root) / name)
        os.rmdir(folder)
        self.folders += 1


def _read(path: Path) -> dict[str, Any] | None:
    """The JSON at `path`; None when it is missing. An unreadable one is left for a human: ValueError."""
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        return None


def _data_names(meta: dict[str, Any] | None) -> set[str]:
    if meta is None:
        return set()
    data = meta.get("data")
    return {data} if isinstance(data, str) else set(data or ())


def _reclaim_unnamed_data(folder: Path, result: Reconciled) -> None:
    """Delete the ``*.data`` files of `folder` that none of its ``*.json`` metadata names (nothing when one
    of them cannot be read)."""
    named: set[str] = set()
    for meta_path in folder.glob("*.json"):
        try:
            named |= _data_names(_read(meta_path))
        except ValueError:
            return
    for data_path in folder.glob("*.data"):
        if data_path.name not in named:
            result.remove_file(data_path)


def _reconcile_uploads(bucket_dir: Path, meta_path_of: MetaPathOf, result: Reconciled) -> None:
    uploads = bucket_dir / "uploads"
    for folder in sorted(uploads.iterdir()) if uploads.is_dir() else ():
        try:
            manifest = _read(folder / "upload.json")
            installed = None if manifest is None else _read(meta_path_of(bucket_dir, manifest["key"]))
        except (ValueError, KeyError, TypeError):
            continue  # unreadable: left alone
        if manifest is None:
            result.remove_tree(folder)
            continue
        if installed is not None and installed.get("completed_upload") == folder.name:
            result.remove_tree(folder)
            result.committed_uploads.append(folder.name)
            continue
        _reclaim_unnamed_data(folder, result)


def reconcile_data_dir(buckets: Path, meta_path_of: MetaPathOf) -> Reconciled:
    """Reconcile every bucket folder under `buckets` (see the module's docstring); logs one line when it
    reclaimed anything and returns what it reclaimed."""
    result = Reconciled()
    for bucket_dir in sorted(entry for entry in buckets.iterdir() if entry.is_dir()):
        if not (bucket_dir / "bucket.json").exists():
            result.remove_tree(bucket_dir)
            continue
        _reconcile_uploads(bucket_dir, meta_path_of, result)
        objects = bucket_dir / "objects"
        for shard in objects.iterdir() if objects.is_dir() else ():
            if shard.is_dir():
                _reclaim_unnamed_data(shard, result)
    if result.files or result.folders:
        log.info(
            "start-up reconciliation: %d files deleted (%d bytes freed), %d folders removed, "
            "%d completed uploads dropped from the listings",
            result.files, result.bytes_freed, result.folders, len(result.committed_uploads),
        )
    return result
