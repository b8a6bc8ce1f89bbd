"""The judgement of the object steps (conformance.sdk.judge_objects), on constructed observations: a correct
run of each object scenario passes; each way of getting a step wrong gives the finding of its behaviour."""

from __future__ import annotations

import base64
import hashlib

import pytest

from conformance.sdk.judge import EndState, Source, judge
from conformance.sdk.judge_objects import md5_of_header
from conformance.sdk.scenarios import load_scenarios

SCENARIOS = {s.id: s for s in load_scenarios()}
BODY = b"x" * 4096
MD5 = hashlib.md5(BODY).hexdigest()
SOURCE = Source(MD5, len(BODY), None)
HEAD = {"size": 4096, "etag": MD5, "content_type": "text/plain", "metadata": {}}
KEYS = [f"k/{n:03d}" for n in range(5)]


def record(operation: str, status: int = 200, **sent) -> dict:
    return {"operation": operation, "method": "X", "status": status, "part_number": None, "verdicts": [],
            "sent": {"authorization": True, "query_signed": False, **sent}}


def presigned(operation: str, status: int = 200) -> dict:
    return record(operation, status, authorization=False, query_signed=True)


def state(**changes) -> EndState:
    fields = {"object_exists": True, "object_md5": MD5, "object_size": 4096, "object_etag": MD5, "head": HEAD}
    return EndState(**{**fields, **changes})


PUT = record("put", **{"content-type": "text/plain", "content-md5": MD5, "meta": {"color": "blue",
                                                                                    "owner": "conformance"}})
GOOD = {
    "put-object-metadata": ({"status": "ok", "head": HEAD}, [PUT, record("head")], state()),
    "get-range": ({"status": "ok"},
                  [record("get", range="bytes=0-1023"), record("get", range="bytes=40000-65535")],
                  state(files={"get-range #1": ("a", "a"), "get-range #2": ("b", "b")})),
    "head-delete": ({"status": "ok", "head": HEAD}, [record("head"), record("delete", 204)],
                    state(object_exists=False, head=None, setup_head=HEAD)),
    "list-objects-paged": ({"status": "ok", "listed": {"objects": KEYS}}, [record("list-objects")] * 3,
                           state(object_exists=False, head=None, listed_keys=KEYS)),
    "presigned-get-put": ({"status": "ok"}, [presigned("put"), presigned("get")],
                          state(files={"presign-get #2": (MD5, MD5)})),
    "abort-upload": ({"status": "ok"}, [record("abort", 204)], state()),
}


def ids(scenario_id: str, result=None, records=None, end=None) -> list[str]:
    good_result, good_records, good_state = GOOD[scenario_id]
    judgement = judge(SCENARIOS[scenario_id], result or good_result, "", 0,
                      good_records if records is None else records, end or good_state, SOURCE)
    return [finding.id for finding in judgement.findings]


@pytest.mark.parametrize("scenario_id", sorted(GOOD))
def test_judge_objects_correct_run_passes(scenario_id):
    assert ids(scenario_id) == []


def test_judge_objects_put_without_metadata_or_md5():
    bare = record("put", **{"content-type": "text/plain"})
    assert set(ids("put-object-metadata", records=[bare, record("head")])) == {"sdk.put.as-sent"}
    wrong_md5 = record("put", **{**PUT["sent"], "content-md5": "0" * 32})
    assert ids("put-object-metadata", records=[wrong_md5, record("head")]) == ["sdk.put.as-sent"]


def test_judge_objects_put_stored_with_another_content_type():
    stored = state(head={**HEAD, "content_type": "application/octet-stream"})
    result = {"status": "ok", "head": stored.head}
    assert ids("put-object-metadata", result=result, end=stored) == ["sdk.put.as-sent"]


def test_judge_objects_head_misreported_or_not_sent():
    result = {"status": "ok", "head": {**HEAD, "size": 4095, "etag": f'"{MD5}"'}}
    assert ids("head-delete", result=result) == ["sdk.head.reported"]  # the quotes of an ETag do not count
    assert ids("head-delete", records=[record("delete", 204)]) == ["sdk.head.reported"]


def test_judge_objects_range_header_and_bytes():
    records = [record("get", range="bytes=0-1022"), record("get", range="bytes=40000-65535")]
    assert ids("get-range", records=records) == ["sdk.get.range"]
    short = state(files={"get-range #1": ("a", "a"), "get-range #2": ("c", "b")})
    assert ids("get-range", end=short) == ["sdk.get.range"]


def test_judge_objects_listing_incomplete_or_not_paged():
    result = {"status": "ok", "listed": {"objects": KEYS[:2]}}
    assert ids("list-objects-paged", result=result) == ["sdk.list.complete"]
    assert ids("list-objects-paged", records=[record("list-objects")]) == ["sdk.list.complete"]


def test_judge_objects_presign_needs_a_query_signed_request():
    records = [record("put"), presigned("get")]  # the PUT went with an Authorization header
    assert ids("presigned-get-put", records=records) == ["sdk.presign.url"]


def test_judge_objects_delete_and_abort_remove_what_they_must():
    assert ids("head-delete", end=state(setup_head=HEAD)) == ["sdk.delete.removed"]
    gone = state(object_exists=False, head=None, uploads_left=1)
    assert set(ids("abort-upload", records=[record("delete", 204)], end=gone)) == {
        "sdk.abort.upload", "sdk.cleanup.no-upload-left", "sdk.object.stored"}


def test_judge_objects_content_md5_hex_or_base64():
    digest = hashlib.md5(b"abc")
    assert md5_of_header(digest.hexdigest()) == digest.hexdigest()
    assert md5_of_header(base64.b64encode(digest.digest()).decode()) == digest.hexdigest()
    assert md5_of_header("not a digest") is None
