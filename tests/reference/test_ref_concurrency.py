"""Concurrency: parallel part uploads, readers during a complete (atomic replace), complete racing abort."""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor

from ref_helpers import Api, MiB, md5_hex

PART = 5 * MiB


def test_parallel_part_uploads(reference, north_bucket, key):
    upload_id = Api(reference).initiate(north_bucket, key)
    parts = {n: bytes([n]) * (PART + n) for n in range(1, 9)}

    def upload(number: int) -> tuple[int, str]:
        return number, Api(reference).upload_part(north_bucket, key, upload_id, number, parts[number])

    with ThreadPoolExecutor(max_workers=8) as pool:
        etags = dict(pool.map(upload, parts))
    api = Api(reference)
    listed = api.call("GET", north_bucket, key, f"uploadId={upload_id}").json()["Part"]
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in listed] == [
        (n, md5_hex(parts[n]), len(parts[n])) for n in sorted(parts)
    ]
    response = api.complete(north_bucket, key, upload_id, sorted(etags.items()))
    assert response.status_code == 200
    assert api.call("GET", north_bucket, key).content == b"".join(parts[n] for n in sorted(parts))


def test_parallel_uploads_of_the_same_part_number_keep_one_whole_part(reference, north_bucket, key):
    upload_id = Api(reference).initiate(north_bucket, key)
    versions = [bytes([65 + i]) * (MiB + i) for i in range(6)]

    def upload(data: bytes) -> str:
        return Api(reference).upload_part(north_bucket, key, upload_id, 1, data)

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(upload, versions))
    api = Api(reference)
    [part] = api.call("GET", north_bucket, key, f"uploadId={upload_id}").json()["Part"]
    winner = next(v for v in versions if md5_hex(v) == part["ETag"])
    assert part["Size"] == len(winner)
    assert api.complete(north_bucket, key, upload_id, [(1, part["ETag"])]).status_code == 200
    assert api.call("GET", north_bucket, key).content == winner
    upload_dir = reference.data_dir / "buckets" / north_bucket / "uploads" / upload_id
    assert not upload_dir.exists()


def test_readers_during_complete_see_old_or_new_object(reference, north_bucket, key):
    api = Api(reference)
    old = b"o" * (3 * MiB)
    api.put(north_bucket, key, old)
    new_parts = [b"n" * PART, b"N" * PART, b"e" * (2 * MiB)]
    new = b"".join(new_parts)
    upload_id = api.initiate(north_bucket, key)
    etags = [api.upload_part(north_bucket, key, upload_id, n, p) for n, p in enumerate(new_parts, 1)]
    valid = {md5_hex(old): old, hashlib.md5("".join(etags).encode()).hexdigest(): new}
    seen: list[str] = []
    stop = threading.Event()
    failures: list[str] = []

    def read() -> None:
        reader = Api(reference)
        while not stop.is_set() or len(seen) < 4:
            response = reader.call("GET", north_bucket, key)
            etag = response.headers.get("ETag", "").strip('"')
            if response.status_code != 200 or valid.get(etag) != response.content:
                failures.append(f"{response.status_code} {etag} {len(response.content)}")
                return
            seen.append(etag)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for thread in readers:
        thread.start()
    assert api.complete(north_bucket, key, upload_id, list(enumerate(etags, 1))).status_code == 200
    after = api.call("GET", north_bucket, key)
    stop.set()
    for thread in readers:
        thread.join(timeout=30)
    assert failures == []
    assert after.content == new
    assert seen  # the readers did read while the complete ran


def race_complete_and_abort(reference, bucket: str, key: str, upload_id: str, etag: str) -> tuple[int, int]:
    """Send a complete and an abort of the same upload at the same moment; their statuses."""
    barrier = threading.Barrier(2)

    def complete() -> int:
        barrier.wait()
        return Api(reference).complete(bucket, key, upload_id, [(1, etag)]).status_code

    def abort() -> int:
        barrier.wait()
        return Api(reference).call("DELETE", bucket, key, f"uploadId={upload_id}").status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        completed, aborted = pool.submit(complete), pool.submit(abort)
        return completed.result(), aborted.result()


def test_complete_racing_abort_has_exactly_one_winner(reference, north_bucket, key):
    api = Api(reference)
    for attempt in range(8):
        name = f"{key}-{attempt}"
        upload_id = api.initiate(north_bucket, name)
        etag = api.upload_part(north_bucket, name, upload_id, 1, b"x" * (MiB // 2))
        statuses = race_complete_and_abort(reference, north_bucket, name, upload_id, etag)
        assert statuses in ((200, 404), (404, 204)), statuses
        stored = api.call("GET", north_bucket, name)
        if statuses[0] == 200:
            assert stored.content == b"x" * (MiB // 2)
        else:
            assert stored.status_code == 404
        assert api.call("GET", north_bucket, name, f"uploadId={upload_id}").status_code == 404
