"""Start-up reconciliation of the data dir, in process: leftovers made by hand, then a new Storage on it."""

from __future__ import annotations

import json
import os
from pathlib import Path

from conformance.reference.storage import Storage

KEY = b"k" * 32


def reopen(storage: Storage) -> Storage:
    """Release `storage`'s data dir lock and start a new Storage on the same dir (start-up runs again)."""
    storage._lock.close()
    return Storage(storage.root, KEY)


def test_orphans_are_reclaimed_and_a_committed_upload_dropped(tmp_path: Path):
    storage = Storage(tmp_path, KEY)
    storage.create_bucket("bkt", "alice", "cn-north-1")
    record = storage.get_bucket("bkt")
    data = storage.temp_path("object")
    data.write_bytes(b"x" * 1000)
    storage.install_object("bkt", "key", data, {"completed_upload": "A" * 32}, expected_bucket=record)
    shard = next((tmp_path / "buckets" / "bkt" / "objects").iterdir())
    (shard / "superseded.data").write_bytes(b"o" * 300)  # an old version nothing names
    uploads = tmp_path / "buckets" / "bkt" / "uploads"
    committed = uploads / ("A" * 32)
    committed.mkdir()
    (committed / "upload.json").write_text(json.dumps({"key": "key"}))
    (committed / "part-00001.d.data").write_bytes(b"p" * 200)
    (committed / "part-00001.json").write_text(json.dumps({"data": "part-00001.d.data"}))
    os.link(committed / "part-00001.d.data", shard / "linked.data")  # a link: no byte freed by its removal
    live = uploads / ("B" * 32)
    live.mkdir()
    (live / "upload.json").write_text(json.dumps({"key": "other"}))
    (live / "part-00001.old.data").write_bytes(b"r" * 50)  # a replaced part's bytes
    (uploads / ("C" * 32)).mkdir()  # an initiate cut before its manifest
    (tmp_path / "buckets" / "half-made").mkdir()  # a create cut before bucket.json

    reconciled = reopen(storage).reconciled

    assert reconciled.committed_uploads == ["A" * 32]
    assert not committed.exists() and not (uploads / ("C" * 32)).exists()
    assert not (tmp_path / "buckets" / "half-made").exists()
    assert (live / "upload.json").exists() and not (live / "part-00001.old.data").exists()
    assert not (shard / "superseded.data").exists() and not (shard / "linked.data").exists()
    assert reconciled.files == 6  # superseded, linked, the committed upload's 3 files, the replaced part
    # freed: superseded (300) + the replaced part (50) + the manifests; the linked part counted once (200)
    freed_floor = 300 + 50 + 200
    assert freed_floor <= reconciled.bytes_freed < freed_floor + 200
    assert reconciled.folders == 3


def test_a_clean_data_dir_reclaims_nothing_and_keeps_every_object(tmp_path: Path):
    storage = Storage(tmp_path, KEY)
    storage.create_bucket("bkt", "alice", "cn-north-1")
    data = storage.temp_path("object")
    data.write_bytes(b"x" * 10)
    storage.install_object("bkt", "key", data, {"size": 10}, expected_bucket=storage.get_bucket("bkt"))
    again = reopen(storage)
    assert (again.reconciled.files, again.reconciled.folders) == (0, 0)
    assert again.open_object("bkt", "key")[1].read() == b"x" * 10


def test_an_unreadable_manifest_is_left_alone(tmp_path: Path):
    storage = Storage(tmp_path, KEY)
    storage.create_bucket("bkt", "alice", "cn-north-1")
    upload = tmp_path / "buckets" / "bkt" / "uploads" / ("D" * 32)
    upload.mkdir()
    (upload / "upload.json").write_text("{not json")
    (upload / "part-00001.x.data").write_bytes(b"p")
    assert reopen(storage).reconciled.files == 0
    assert (upload / "part-00001.x.data").exists()
