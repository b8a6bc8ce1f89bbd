"""Crash safety: the reference endpoint killed with SIGKILL during a PUT overwrite or a complete, then
restarted on the same data dir. The key holds the old object or the new one, byte for byte with a matching
ETag, never a torn one; an upload whose complete did not happen can still be completed.

The moment of the kill, a bounded list each: for a PUT, while its body is being written (its temporary file
seen growing in the data dir) and a few fixed delays after the body is all on disk (around the install);
for a complete, while the parts are copied into one file (the assembly file seen, with
--max-linked-parts 0) and a few delays after it was sent.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import threading
import time
from pathlib import Path

import pytest
import requests
from ref_helpers import USERS, Api, MiB

from conformance.reference.launch import ReferenceProcess, start_reference

DELAYS = [0.0, 0.003, 0.01, 0.03]  # seconds after the request was sent, for the kill
OLD_SIZE, NEW_SIZE, PART_SIZE = 1 * MiB, 24 * MiB, 6 * MiB


def pattern(seed: int, size: int) -> bytes:
    """Deterministic bytes, distinct per seed (a mix of two would show)."""
    return random.Random(seed).randbytes(size)


def start(data_dir: Path, extra_args: tuple[str, ...] = ()) -> tuple[ReferenceProcess, Api]:
    process = start_reference(users=USERS, data_dir=data_dir, extra_args=extra_args)
    return process, Api(process)


def kill(process: ReferenceProcess) -> None:
    """SIGKILL, then what start_reference created besides the data dir is removed."""
    process.process.kill()
    process.process.wait()
    process.stop()


def in_background(call) -> threading.Thread:
    """Run `call` in a thread that ignores the connection error the kill causes."""

    def run() -> None:
        with contextlib.suppress(requests.RequestException):
            call()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def wait_for_temporary(data_dir: Path, prefix: str, size: int = 1, timeout: float = 20.0) -> bool:
    """True once a temporary file `prefix`.* under the data dir's tmp/ holds `size` bytes or more (or was
    seen and is gone again: moved into place)."""
    deadline, seen = time.monotonic() + timeout, False
    while time.monotonic() < deadline:
        paths = list((data_dir / "tmp").glob(prefix + ".*"))
        if seen and not paths:
            return True
        for path in paths:
            seen = True
            with contextlib.suppress(FileNotFoundError):
                if path.stat().st_size >= size:
                    return True
        time.sleep(0.0005)
    return False


def whole(data: bytes, etag: str | None = None) -> tuple[bytes, str]:
    """An object candidate: its bytes and its ETag (default: their MD5)."""
    return data, etag or hashlib.md5(data).hexdigest()


def assert_whole(api: Api, bucket: str, key: str, candidates: dict[str, tuple[bytes, str]]) -> str:
    """The key holds exactly one of `candidates` (name -> (bytes, ETag)), with its ETag; returns the name."""
    response = api.call("GET", bucket, key)
    assert response.status_code == 200, response.text
    matches = [name for name, (data, _) in candidates.items() if response.content == data]
    assert matches, f"torn object: {len(response.content)} bytes, none of {sorted(candidates)}"
    assert response.headers["ETag"].strip('"') == candidates[matches[0]][1]
    return matches[0]


@pytest.mark.parametrize("moment", ["while-writing", *DELAYS])
def test_kill_during_a_put_overwrite_leaves_the_old_or_the_new_object(tmp_path, moment):
    """`moment`: while the body is written, or that many seconds after it is all on disk."""
    data_dir = tmp_path / "data"
    old, new = pattern(1, OLD_SIZE), pattern(2, NEW_SIZE)
    process, api = start(data_dir)
    bucket = api.create_bucket()
    api.put(bucket, "key", old)
    in_background(lambda: api.call("PUT", bucket, "key", data=new))
    if moment == "while-writing":
        assert wait_for_temporary(data_dir, "object")
    else:
        assert wait_for_temporary(data_dir, "object", NEW_SIZE)
        time.sleep(moment)
    kill(process)
    process, api = start(data_dir)
    try:
        assert_whole(api, bucket, "key", {"old": whole(old), "new": whole(new)})
    finally:
        process.stop()


@pytest.mark.parametrize("moment", ["while-assembling", *DELAYS])
def test_kill_during_a_complete_leaves_the_old_or_the_new_object_and_the_upload_completable(tmp_path, moment):
    data_dir = tmp_path / "data"
    parts = [pattern(10 + index, PART_SIZE) for index in range(3)] + [pattern(13, MiB)]
    old, new = pattern(3, OLD_SIZE), b"".join(parts)
    # linking the parts takes no time to catch: the copying assembly is the one killed while assembling
    process, api = start(data_dir, ("--max-linked-parts", "0") if moment == "while-assembling" else ())
    bucket = api.create_bucket()
    api.put(bucket, "key", old)
    upload_id = api.initiate(bucket, "key")
    listed = [(n, api.upload_part(bucket, "key", upload_id, n, data)) for n, data in enumerate(parts, 1)]
    final_etag = hashlib.md5("".join(etag for _, etag in listed).encode()).hexdigest()
    in_background(lambda: api.complete(bucket, "key", upload_id, listed))
    if moment == "while-assembling":
        assert wait_for_temporary(data_dir, "assembly")
    else:
        time.sleep(moment)
    kill(process)
    process, api = start(data_dir)
    try:
        holds = assert_whole(api, bucket, "key", {"old": whole(old), "new": whole(new, final_etag)})
        still_there = api.call("GET", bucket, "key", f"uploadId={upload_id}").status_code == 200
        assert still_there or holds == "new", "the upload is gone but its object was not installed"
        if still_there:
            completed = api.complete(bucket, "key", upload_id, listed)
            assert completed.status_code == 200, completed.text
            assert json.loads(completed.content)["ETag"] == final_etag
            assert assert_whole(api, bucket, "key", {"new": whole(new, final_etag)}) == "new"
    finally:
        process.stop()
