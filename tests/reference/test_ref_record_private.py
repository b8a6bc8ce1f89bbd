"""The record leaks nothing replayable (issue 21 item 3), against a running endpoint: a recorded presigned URL
(JSS and SigV4) has its signature redacted and replays to 403 where the original got the object; the file is
0600; it is rotated at ``--record-max-bytes``, keeping ``--record-keep`` old files."""

from __future__ import annotations

import json
import stat
import time

import boto3
import requests
from ref_helpers import ALICE, NORTH, USERS, Api

from conformance.reference.launch import start_reference


def _lines(*paths) -> list[dict]:
    return [json.loads(line) for path in paths for line in path.read_text(encoding="utf-8").splitlines()]


def _settled(path, count: int, limit: float = 10.0) -> None:
    """Wait until `path` holds `count` lines (the record is written just after the answer, by a thread)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text(encoding="utf-8").splitlines()) >= count:
            return
        time.sleep(0.05)


def test_recorded_presigned_urls_cannot_be_replayed_and_the_file_is_private(tmp_path):
    record = tmp_path / "requests.jsonl"
    extra = ["--wire", "jss,s3", "--record", str(record)]
    with start_reference(users=USERS, extra_args=extra) as process:
        api, s3_url = Api(process), process.wire_endpoints["s3"][NORTH]
        bucket = api.create_bucket()
        api.put(bucket, "private", b"alice's secret bytes")
        jss_url = api.presigned_url("GET", bucket, "private", int(time.time()) + 600)
        s3 = boto3.client("s3", endpoint_url=s3_url, region_name=NORTH, aws_access_key_id=ALICE.access_key,
                          aws_secret_access_key=ALICE.secret_key)
        sigv4_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "private"},
                                              ExpiresIn=600)
        assert requests.get(jss_url, timeout=10).content == b"alice's secret bytes"
        assert requests.get(sigv4_url, timeout=10).content == b"alice's secret bytes"
        _settled(record, 4)
        lines = _lines(record)
        gets = [line for line in lines if line["operation"] == "get"]
        assert len(gets) == 2
        text = record.read_text(encoding="utf-8")
        for original, line, base in ((jss_url, gets[0], api.url()), (sigv4_url, gets[1], s3_url)):
            signature = original.rpartition("ignature=")[2].partition("&")[0]
            assert signature not in text and "ignature=REDACTED" in line["target"]
            replay = requests.get(base + line["target"], timeout=10)
            assert replay.status_code == 403, replay.text
            assert b"secret bytes" not in replay.content
        assert stat.S_IMODE(record.stat().st_mode) == 0o600


def test_record_is_rotated_at_its_bound(tmp_path):
    record = tmp_path / "requests.jsonl"
    extra = ["--record", str(record), "--record-max-bytes", "4096", "--record-keep", "1"]
    with start_reference(users=USERS, extra_args=extra) as process:
        api = Api(process)
        bucket = api.create_bucket()
        for n in range(40):  # about 400 bytes a line: 16,000 bytes in all, four times the bound
            api.call("HEAD", bucket, f"k{n}")
        older = record.with_name(record.name + ".1")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(
            line["key"] == "k39" for line in _lines(record)
        ):
            time.sleep(0.05)
    assert not record.with_name(record.name + ".2").exists()
    for path in (record, older):
        assert path.stat().st_size <= 4096 and stat.S_IMODE(path.stat().st_mode) == 0o600
    keys = [line["key"] for line in _lines(older, record)]
    assert keys[-1] == "k39" and keys == [f"k{n}" for n in range(40 - len(keys), 40)]
    assert len(keys) < 41  # the oldest lines went with the rotation
