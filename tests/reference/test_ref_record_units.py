"""The record's parts, in process (issue 21 item 3): the file is 0600 and rotated at its bound; the diagnosis
runs on worker threads, bounded per client (skipped beyond, and the line says so), lines in answer order;
redaction of every credential-bearing value; a presigned URL without Expires is a verdict, not a KeyError."""

from __future__ import annotations

import json
import stat
import threading
import time

from conformance.diagnosis import SentRequest, diagnose
from conformance.reference.record_diagnosis import DiagnosisPool
from conformance.reference.record_file import RecordFile
from conformance.reference.record_redaction import REDACTED, redact_target, scrub, secret_values


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_record_file_is_0600_even_when_it_existed_wider(tmp_path):
    fresh, older = tmp_path / "fresh.jsonl", tmp_path / "older.jsonl"
    older.write_text("")
    older.chmod(0o644)
    for path in (fresh, older):
        RecordFile(path, 4096, 1).write_line("{}")
        assert _mode(path) == 0o600


def test_record_file_rotates_at_its_bound_keeping_n(tmp_path):
    path = tmp_path / "r.jsonl"
    record = RecordFile(path, max_bytes=100, keep=2)
    lines = [json.dumps({"n": n, "pad": "x" * 20}) for n in range(12)]  # 40-41 bytes a line: 2 per file
    for line in lines:
        record.write_line(line)
    record.close()
    files = [path, path.with_name("r.jsonl.1"), path.with_name("r.jsonl.2")]
    assert not path.with_name("r.jsonl.3").exists()
    assert all(f.stat().st_size <= 100 and _mode(f) == 0o600 for f in files)
    kept = [line for f in reversed(files) for line in f.read_text().splitlines()]
    assert kept == lines[-len(kept):] and len(kept) == 6  # the newest 6, in order; the oldest dropped


def test_record_file_keep_zero_keeps_no_old_file(tmp_path):
    path = tmp_path / "r.jsonl"
    record = RecordFile(path, max_bytes=10, keep=0)
    for n in range(3):
        record.write_line(f"line-{n}")
    record.close()
    assert path.read_text() == "line-2\n" and list(tmp_path.iterdir()) == [path]


def test_diagnosis_runs_off_the_caller_bounded_per_client_in_order():
    written: list[str] = []
    release = threading.Event()
    threads: set[str] = set()

    def slow_judge():
        threads.add(threading.current_thread().name)
        release.wait(10)
        return [{"clause": "c", "verdict": "PASS"}]

    pool = DiagnosisPool(written.append, workers=1, per_key=2)
    for n in range(5):
        pool.submit({"n": n}, slow_judge, "alice-key", json.dumps)
    pool.submit({"n": 5}, slow_judge, "bob-key", json.dumps)  # another client still gets its diagnosis
    pool.submit({"n": 6}, None, "anonymous", json.dumps)
    release.set()
    pool.close()
    records = [json.loads(line) for line in written]
    assert [r["n"] for r in records] == list(range(7))
    assert [r["diagnosis"] for r in records] == ["done", "done", "skipped", "skipped", "skipped", "done",
                                                 "none"]
    assert records[2]["verdicts"] == [] and pool.skipped == 3
    assert threads and threading.current_thread().name not in threads


def test_a_raising_diagnosis_is_recorded_as_failed():
    written: list[str] = []
    pool = DiagnosisPool(written.append, workers=1, per_key=1)

    def broken():
        raise KeyError("Expires")

    pool.submit({"n": 0}, broken, "k", json.dumps)
    deadline = time.monotonic() + 10
    while not written and time.monotonic() < deadline:
        time.sleep(0.01)
    pool.submit({"n": 1}, lambda: [], "k", json.dumps)  # the key's slot was given back
    pool.close()
    assert [json.loads(line)["diagnosis"] for line in written] == ["failed", "done"]


def test_redaction_of_query_values_and_header_signatures():
    target = ("/b/k?Expires=1&AccessKey=AK&Signature=c2lnbmF0dXJlLXZhbHVl%3D&x-amz-signature=abcdef0123456789"
              "&X-Amz-Credential=AK%2F20260101%2Fcn-north-1%2Fs3%2Faws4_request&X-Amz-Security-Token=tok-tok-tok")
    redacted = redact_target(target)
    assert redacted == ("/b/k?Expires=1&AccessKey=AK&Signature=REDACTED&x-amz-signature=REDACTED"
                        "&X-Amz-Credential=AK%2F20260101%2Fcn-north-1%2Fs3%2Faws4_request"
                        "&X-Amz-Security-Token=REDACTED")
    headers = [("Authorization", "jingdong AK:c2lnbmF0dXJlLWhlYWRlcg=="),
               ("authorization", "AWS4-HMAC-SHA256 Credential=AK/x, SignedHeaders=host, Signature=feedface9"),
               ("X-Amz-Security-Token", "session-token-1")]
    values = secret_values(target, headers)
    assert {"c2lnbmF0dXJlLXZhbHVl%3D", "c2lnbmF0dXJlLXZhbHVl=", "abcdef0123456789", "tok-tok-tok",
            "c2lnbmF0dXJlLWhlYWRlcg==", "feedface9", "session-token-1"} <= values
    line = scrub("canonical: X-Amz-Security-Token=tok-tok-tok sig c2lnbmF0dXJlLWhlYWRlcg==", values)
    assert line == f"canonical: X-Amz-Security-Token={REDACTED} sig {REDACTED}"


def test_a_presigned_url_without_expires_is_a_verdict_not_a_key_error():
    request = SentRequest("GET", "/b/k?AccessKey=AKDIAG&Signature=abc", [])
    (verdict,) = diagnose(request, "get", lambda key: "secret")
    assert (verdict["verdict"], verdict["clause"]) == ("FAIL", "signature.malformed-authorization")
    assert "Expires" in verdict["detail"]
