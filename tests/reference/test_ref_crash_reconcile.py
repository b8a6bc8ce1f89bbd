"""Start-up reconciliation after a crash: a real server kills itself (SIGKILL) at a named point of an
overwrite, a complete or a part replacement (the test-only ``JSS_REFERENCE_TEST_CRASH_AT``, see
conformance/reference/crashpoints.py), then a server restarted on the same data dir holds the old object
or the new one, never a torn one, lists the upload if and only if its complete did not commit, and leaves
no file that nothing names (checked by `disk_audit`, which shares no code with the server).

Each run starts two servers (~3 s each on a loaded CI machine), so CI runs three points: the complete cut
after its object is installed (the upload must not stay listed), the overwrite cut before the old data is
unlinked, the copying complete cut before its metadata names the new file. ``JSS_CRASH_ALL=1`` runs all 14
(point, mode) pairs, ``JSS_CRASH_RUNS=N`` each N times, and ``JSS_CRASH_REPORT=FILE`` appends one JSON line
per run (point, outcome, orphan files before / after, bytes reclaimed).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from disk_audit import audit
from ref_helpers import USERS, Api

from conformance.errorline import PREFIX
from conformance.reference.crashpoints import ENVIRONMENT_VARIABLE
from conformance.reference.launch import start_reference

KiB = 1024
MIN_PART = 64 * KiB
RUNS = int(os.environ.get("JSS_CRASH_RUNS", "1"))
ALL = os.environ.get("JSS_CRASH_ALL") == "1"
REPORT = os.environ.get("JSS_CRASH_REPORT")
COPIED = ("--max-linked-parts", "0")  # complete copies the parts into one file instead of linking them

SCENARIOS = [
    ("overwrite", "object.data-moved@2", ()),
    ("overwrite", "object.meta-written@2", ()),
    *[
        ("complete", point, mode)
        for mode in ((), COPIED)
        for point in (
            "complete.gathered",
            "object.data-moved@2",
            "object.meta-written@2",
            "complete.object-installed",
            "complete.upload-moved",
        )
    ],
    ("part-replace", "part.data-moved@2", ()),
    ("part-replace", "part.meta-written@2", ()),
]
CI_SCENARIOS = [
    ("complete", "complete.object-installed", ()),
    ("overwrite", "object.meta-written@2", ()),
    ("complete", "object.data-moved@2", COPIED),
]


def pattern(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@dataclass
class Pending:
    """A write about to crash the server: `fire` sends it; `candidates`: "old" / "new" -> (bytes, ETag)."""

    fire: Callable[[], object]
    candidates: dict[str, tuple[bytes, str]]
    upload_id: str | None = None


def setup_overwrite(api: Api, bucket: str) -> Pending:
    old, new = pattern(1, 300 * KiB), pattern(2, 700 * KiB)
    api.put(bucket, "key", old)
    fire = lambda: api.call("PUT", bucket, "key", data=new)  # noqa: E731
    return Pending(fire, {"old": (old, md5(old)), "new": (new, md5(new))})


def setup_complete(api: Api, bucket: str) -> Pending:
    old = pattern(3, 300 * KiB)
    parts = [pattern(10 + n, MIN_PART * 2) for n in range(3)] + [pattern(13, 10 * KiB)]
    api.put(bucket, "key", old)
    upload_id = api.initiate(bucket, "key")
    listed = [(n, api.upload_part(bucket, "key", upload_id, n, data)) for n, data in enumerate(parts, 1)]
    final_etag = md5("".join(etag for _, etag in listed).encode())
    candidates = {"old": (old, md5(old)), "new": (b"".join(parts), final_etag)}
    return Pending(lambda: api.complete(bucket, "key", upload_id, listed), candidates, upload_id)


def setup_part_replace(api: Api, bucket: str) -> Pending:
    old, new = pattern(4, 200 * KiB), pattern(5, 500 * KiB)
    upload_id = api.initiate(bucket, "key")
    api.upload_part(bucket, "key", upload_id, 1, old)
    query = f"partNumber=1&uploadId={upload_id}"
    fire = lambda: api.call("PUT", bucket, "key", query, data=new)  # noqa: E731
    return Pending(fire, {"old": (old, md5(old)), "new": (new, md5(new))}, upload_id)


SETUPS = {"complete": setup_complete, "overwrite": setup_overwrite, "part-replace": setup_part_replace}


def object_outcome(api: Api, bucket: str, pending: Pending) -> str:
    """"old", "new" or "torn": what the key holds (bytes and ETag)."""
    response = api.call("GET", bucket, "key")
    assert response.status_code == 200, response.text
    for name, (data, etag) in pending.candidates.items():
        if response.content == data and response.headers["ETag"].strip('"') == etag:
            return name
    return "torn"


def part_outcome(api: Api, bucket: str, pending: Pending) -> str:
    """"old", "new" or "torn": what part 1 holds, read back through a complete."""
    listed = api.call("GET", bucket, "key", f"uploadId={pending.upload_id}").json()["Part"]
    completed = api.complete(bucket, "key", pending.upload_id, [(1, listed[0]["ETag"])])
    assert completed.status_code == 200, completed.text
    content = api.call("GET", bucket, "key").content
    return next((name for name, (data, _) in pending.candidates.items() if content == data), "torn")


def is_listed(api: Api, bucket: str, upload_id: str) -> bool:
    uploads = api.call("GET", bucket, query="uploads").json().get("Upload", [])
    return any(upload["UploadId"] == upload_id for upload in uploads)


def logged_reclaim(log: str) -> int:
    """The bytes the restarted server says start-up freed (0 when it logged nothing)."""
    match = re.search(r"\((\d+) bytes freed\)", log)
    return int(match.group(1)) if match else 0


@pytest.mark.parametrize("run", range(RUNS))
@pytest.mark.parametrize(("operation", "point", "mode"), SCENARIOS if ALL else CI_SCENARIOS)
def test_restart_after_a_crash_at_a_point_keeps_whole_data_and_reclaims_every_orphan(
    tmp_path: Path, monkeypatch, operation, point, mode, run
):
    data_dir = tmp_path / "data"
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, point)
    process = start_reference(users=USERS, data_dir=data_dir, min_part_size=MIN_PART, extra_args=mode)
    monkeypatch.delenv(ENVIRONMENT_VARIABLE)
    try:
        api = Api(process)
        bucket = api.create_bucket()
        pending = SETUPS[operation](api, bucket)
        with pytest.raises(requests.ConnectionError):
            pending.fire()
        assert process.process.wait(timeout=10) == -signal.SIGKILL, "the crash point was not reached"
    finally:
        process.stop()
    before = audit(data_dir)
    process = start_reference(users=USERS, data_dir=data_dir, min_part_size=MIN_PART)
    try:
        api = Api(process)
        listed = pending.upload_id is not None and is_listed(api, bucket, pending.upload_id)
        after = audit(data_dir)  # before the checks below write anything
        log = process.stderr_tail(200)
        outcome = (part_outcome if operation == "part-replace" else object_outcome)(api, bucket, pending)
    finally:
        process.stop()
    row = {
        "operation": operation + ("-copied" if mode else ""), "point": point, "run": run, "outcome": outcome,
        "upload_listed": listed, "orphans_before": len(before.orphans), "tmp_files_before": before.tmp_files,
        "orphans_after": len(after.orphans), "tmp_files_after": after.tmp_files,
        "bytes_reclaimed": before.bytes_on_disk - after.bytes_on_disk, "bytes_logged": logged_reclaim(log),
    }
    if REPORT:
        with open(REPORT, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")
    assert before.orphans or before.tmp_files, f"the crash left nothing to reclaim: {row}"
    assert outcome != "torn", row
    assert after.orphans == [] and after.tmp_files == 0, row
    if operation == "complete":
        assert listed == (outcome == "old"), f"upload listed {listed} but the key holds the {outcome} object"
    elif operation == "part-replace":
        assert listed, "the upload of a part replacement must survive the crash"


def test_a_malformed_crash_point_is_one_line_and_status_2(tmp_path: Path):
    environment = {**os.environ, ENVIRONMENT_VARIABLE: "object.nowhere@2"}
    data_dir = str(tmp_path / "d")
    command = [sys.executable, "-m", "conformance.reference", "--port", "0", "--data-dir", data_dir]
    finished = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=60)
    assert finished.returncode == 2
    [line] = finished.stderr.strip().splitlines()
    assert line.startswith(PREFIX) and ENVIRONMENT_VARIABLE in line
