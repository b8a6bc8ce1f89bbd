"""Tracked clients: the finalizer aborts what a case left open and deletes what it wrote, and nothing else;
what another client created is undone by the owner's, and a key handed to clean_key is cleared whatever
the exchanges showed."""

from __future__ import annotations

import pytest
from harness_helpers import NORTH_BUCKET, reference_endpoint

from conformance import operations as ops
from conformance.client import Exchange, JssClient
from conformance.harness.tracking import CleanupError, KeyMaker, Tracker

PREFIX = "jssc-20260101T000000-abcdef/main/"


def _requests_during(tracker: Tracker, client) -> list[str]:
    """Run the tracker's cleanup and return the requests it sent (method and query names)."""
    sent: list[str] = []
    client.listeners.append(lambda exchange: sent.append(exchange.method))
    tracker.cleanup()
    return sent


def test_harness_key_maker_is_unique_under_the_prefix():
    make_key = KeyMaker(PREFIX, "test_x[cn-east-2 / RR]")
    keys = {make_key(), make_key(), make_key("-é ü")}
    assert len(keys) == 3
    assert all(key.startswith(make_key.prefix) and key.startswith(PREFIX) for key in keys)
    assert "test_x_cn-east-2_RR" in make_key.prefix
    assert KeyMaker(PREFIX, "test_x").prefix != KeyMaker(PREFIX, "test_x").prefix


def test_harness_cleanup_aborts_open_uploads_and_deletes_objects(endpoint):
    tracker = Tracker(PREFIX)
    client = tracker.track(endpoint.client())
    make_key = KeyMaker(PREFIX, "cleanup")
    open_key, done_key, object_key = make_key(), make_key(), make_key()
    ops.initiate(client, NORTH_BUCKET, open_key)
    upload = ops.initiate(client, NORTH_BUCKET, done_key)
    part = ops.upload_part(client, NORTH_BUCKET, done_key, upload.upload_id, 1, b"tail part")
    ops.complete(client, NORTH_BUCKET, done_key, upload.upload_id, [(1, part.etag)])
    ops.put_object(client, NORTH_BUCKET, object_key, b"written")
    assert [(b, k) for b, k, _ in tracker.open_uploads] == [(NORTH_BUCKET, open_key)]
    assert sorted(tracker.written_objects) == sorted([(NORTH_BUCKET, done_key), (NORTH_BUCKET, object_key)])
    assert _requests_during(tracker, client) == ["DELETE", "DELETE", "DELETE"]
    plain = endpoint.client()
    assert ops.list_uploads(plain, NORTH_BUCKET, prefix=make_key.prefix).uploads == []
    assert ops.list_objects(plain, NORTH_BUCKET, prefix=make_key.prefix).entries == []


def test_harness_cleanup_sends_nothing_when_the_case_cleaned_up(endpoint):
    tracker = Tracker(PREFIX)
    client = tracker.track(endpoint.client())
    key = KeyMaker(PREFIX, "tidy")()
    upload = ops.initiate(client, NORTH_BUCKET, key)
    ops.abort(client, NORTH_BUCKET, key, upload.upload_id)
    ops.put_object(client, NORTH_BUCKET, key, b"x")
    ops.delete_object(client, NORTH_BUCKET, key)
    assert _requests_during(tracker, client) == []


def test_harness_cleanup_refuses_keys_outside_the_run_prefix(endpoint):
    tracker = Tracker(PREFIX)
    client = tracker.track(endpoint.client())
    outside = "not-the-suite/precious.txt"
    ops.put_object(client, NORTH_BUCKET, outside, b"precious")
    with pytest.raises(CleanupError, match="refused to delete 'not-the-suite/precious.txt'"):
        tracker.cleanup()
    plain = endpoint.client()
    assert ops.get_object(plain, NORTH_BUCKET, outside).body == b"precious"
    ops.delete_object(plain, NORTH_BUCKET, outside)


def test_harness_cleanup_aborts_an_upload_whose_id_it_could_not_read(endpoint):
    plain = endpoint.client()
    key = KeyMaker(PREFIX, "unreadable")()
    ops.initiate(plain, NORTH_BUCKET, key)
    tracker = Tracker(PREFIX)
    client = tracker.track(endpoint.client())
    answer = Exchange(
        method="POST", url="http://x/", request_headers=[], request_body_size=0, string_to_sign=None,
        status=200, response_body=b"<not json>", bucket=NORTH_BUCKET, key=key, query=[("uploads", None)],
    )
    for listener in client.listeners:
        listener(answer)
    assert tracker.open_uploads == [(NORTH_BUCKET, key, None)]
    tracker.cleanup()
    assert ops.list_uploads(plain, NORTH_BUCKET, prefix=key).uploads == []


@pytest.mark.parametrize(
    ("method", "query", "left"),
    [
        ("POST", [("uploads", None)], "upload"),
        ("PUT", [], "object"),
        ("POST", [("uploadId", "u1")], "object"),
        ("PUT", [("partNumber", "1"), ("uploadId", "u1")], None),
        ("GET", [], None),
    ],
)
def test_harness_a_write_without_an_answer_is_cleaned_up_as_if_it_happened(method, query, left):
    tracker = Tracker(PREFIX)
    client = tracker.track(JssClient("http://127.0.0.1:9", None))
    key = KeyMaker(PREFIX, "unanswered")()
    lost = Exchange(
        method=method, url="http://x/", request_headers=[], request_body_size=0, string_to_sign=None,
        bucket=NORTH_BUCKET, key=key, query=query, error="ConnectionError: reset",
    )
    for listener in client.listeners:
        listener(lost)
    uploads = [(NORTH_BUCKET, key, None)] if left == "upload" else []
    objects = [(NORTH_BUCKET, key)] if left == "object" else []
    assert (tracker.open_uploads, tracker.written_objects, tracker.exchange_count) == (uploads, objects, 1)


def test_harness_cleanup_by_the_owner_undoes_what_an_anonymous_client_created():
    deviations = ("initiate-in-any-bucket", "foreign-overwrite-allowed")
    with reference_endpoint(deviations=deviations) as deviant:
        owner = deviant.client()
        tracker = Tracker(PREFIX)
        anonymous = tracker.track(JssClient(deviant.endpoints["cn-north-1"], None), cleanup_by=owner)
        make_key = KeyMaker(PREFIX, "foreign")
        ops.initiate(anonymous, NORTH_BUCKET, make_key())
        ops.put_object(anonymous, NORTH_BUCKET, make_key(), b"anonymous bytes")

        tracker.cleanup()  # the anonymous client could abort or delete nothing: the owner does

        assert ops.list_uploads(owner, NORTH_BUCKET, prefix=make_key.prefix).uploads == []
        assert ops.list_objects(owner, NORTH_BUCKET, prefix=make_key.prefix).entries == []


def test_harness_clean_key_removes_what_a_refused_request_left():
    with reference_endpoint(deviations=("ownership-checked-after-the-write",)) as deviant:
        owner = deviant.client()
        tracker = Tracker(PREFIX)
        anonymous = tracker.track(JssClient(deviant.endpoints["cn-north-1"], None), cleanup_by=owner)
        make_key = KeyMaker(PREFIX, "refused")
        written, untouched = make_key(), make_key()
        tracker.clean_key(owner, NORTH_BUCKET, written)
        tracker.clean_key(owner, NORTH_BUCKET, untouched)
        refused = anonymous.request("PUT", NORTH_BUCKET, written, body=b"left behind")
        assert refused.status_code == 403 and tracker.written_objects == [
            (NORTH_BUCKET, written), (NORTH_BUCKET, untouched)
        ]

        tracker.cleanup()  # nothing at `untouched`: no problem either

        assert ops.list_objects(owner, NORTH_BUCKET, prefix=make_key.prefix).entries == []
