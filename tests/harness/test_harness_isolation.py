"""Isolation: a full run leaves a bucket's foreign objects byte-for-byte as they were, and no uploads;
`-n 2` gives the same outcomes as a serial run."""

from __future__ import annotations

import hashlib

from harness_helpers import EAST_BUCKET, NORTH_BUCKET, list_all_objects, reference_endpoint, run_cli

from conformance import operations as ops

FOREIGN_KEYS = [
    "foreign.txt",
    "jssc-",  # the prefix family itself
    "jssc-20990101T000000-abcdef/main/keep-me",  # looks like another run's leftovers
    "jssc-20990101T000000-abcdef/gw0/test_initiate_default-0000/001",
    "dir/with spaces/and-ü-tf8.bin",
]


def _snapshot(client, bucket: str) -> dict[str, tuple]:
    """key -> (md5 of the bytes, ETag, size, storage class) for every object of `bucket`."""
    state = {}
    for key in list_all_objects(client, bucket):
        got = ops.get_object(client, bucket, key)
        state[key] = (hashlib.md5(got.body).hexdigest(), got.etag, len(got.body), got.storage_class)
    return state


def _uploads(client, bucket: str) -> set[tuple[str, str]]:
    return {(u.key, u.upload_id) for u in ops.list_uploads(client, bucket).uploads}


def test_harness_full_run_leaves_foreign_objects_untouched(tmp_path):
    with reference_endpoint() as endpoint:
        clients = {NORTH_BUCKET: endpoint.client("cn-north-1"), EAST_BUCKET: endpoint.client("cn-east-2")}
        for number, key in enumerate(FOREIGN_KEYS):
            for bucket, client in clients.items():
                storage = "REDUCED_REDUNDANCY" if bucket == NORTH_BUCKET and number % 2 else None
                ops.put_object(
                    client, bucket, key, f"{bucket}/{key}/{number}".encode() * 50, storage_class=storage
                )
        foreign_upload = ops.initiate(clients[NORTH_BUCKET], NORTH_BUCKET, FOREIGN_KEYS[2])
        ops.upload_part(
            clients[NORTH_BUCKET], NORTH_BUCKET, FOREIGN_KEYS[2], foreign_upload.upload_id, 1, b"p1"
        )
        before = {bucket: _snapshot(client, bucket) for bucket, client in clients.items()}
        uploads_before = {bucket: _uploads(client, bucket) for bucket, client in clients.items()}

        run = run_cli(
            ["run", "--target", str(endpoint.profile(tmp_path)), "-n", "2", "-p", "no:cacheprovider"],
            tmp_path,
        )

        failing = {case: outcome for case, outcome in run.outcomes().items() if outcome != "PASS"}
        assert run.status == 0 and not failing, (failing, run.stdout[-2000:])
        assert len(run.outcomes()) >= 64
        after = {bucket: _snapshot(client, bucket) for bucket, client in clients.items()}
        assert after == before
        assert {bucket: _uploads(client, bucket) for bucket, client in clients.items()} == uploads_before
        parts = ops.list_parts(clients[NORTH_BUCKET], NORTH_BUCKET, FOREIGN_KEYS[2], foreign_upload.upload_id)
        assert [(p.part_number, p.size) for p in parts.parts] == [(1, 2)]


def test_harness_parallel_run_gives_same_outcomes_as_serial(tmp_path):
    serial_dir, parallel_dir = tmp_path / "serial", tmp_path / "parallel"
    serial_dir.mkdir()
    parallel_dir.mkdir()
    serial = run_cli(["run", "-p", "no:cacheprovider"], serial_dir)
    parallel = run_cli(["run", "-n", "2", "-p", "no:cacheprovider"], parallel_dir)
    assert (serial.status, parallel.status) == (0, 0), (serial.stdout[-1500:], parallel.stdout[-1500:])
    assert serial.outcomes() == parallel.outcomes()
    assert set(serial.outcomes().values()) == {"PASS"}
    prefixes = {
        line.split("run prefix ")[1].split("/")[0]
        for line in (serial.stdout + parallel.stdout).splitlines()
        if "run prefix " in line
    }
    assert len(prefixes) == 2  # a unique prefix per run
