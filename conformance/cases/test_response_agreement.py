"""Values two answers must agree on: GetObject and HeadObject describe the same object; a GetBucket entry
is the object HeadObject describes; the GetBucket and ListMultipartUploads answers echo what was asked; the
times the answers report follow the clock. Found missing by the oracle mutation run
(tools/oracle_mutation/)."""

from __future__ import annotations

import os

import pytest

from conformance import operations as ops
from conformance.cases.clock import Clock, moment
from conformance.cases.support import md5_hex, params, small_part, table
from conformance.operations.results import int_or_none

AGREEMENT = table("agreement")
KEY_SHAPES = params(table("keys")["key_shape"])
#: The headers of a GetObject / HeadObject answer that describe the object (not the answer).
OBJECT_HEADERS = ("ETag", "Last-Modified", "x-jss-storage-class", "Content-Type", "Content-Length")


def _described(response) -> tuple:
    return tuple(response.headers.get(name) for name in OBJECT_HEADERS)


@pytest.mark.clause("object.read.headers-agree")
def test_object_get_and_head_describe_the_same_object(jss_client, jss_bucket, jss_key):
    headers = {"Content-Type": AGREEMENT["content_type"]}
    ops.put_object(jss_client, jss_bucket.name, jss_key, small_part(seed=31), headers=headers)
    head = ops.head_object(jss_client, jss_bucket.name, jss_key)

    read = ops.get_object(jss_client, jss_bucket.name, jss_key)

    ops.assert_value(
        f"GetObject's {OBJECT_HEADERS}", _described(read.response), _described(head.response), read
    )


@pytest.mark.clause("object.put.etag")
def test_object_put_answers_the_md5_of_its_bytes(jss_client, jss_bucket, jss_make_key):
    bodies = [small_part(seed=seed) for seed in AGREEMENT["put_seeds"]]

    written = [ops.put_object(jss_client, jss_bucket.name, jss_make_key(f"put-{n}"), data) for n, data in
               enumerate(bodies)]

    ops.assert_value("the ETags answered", [w.etag for w in written], [md5_hex(data) for data in bodies],
                     written[-1])


@pytest.mark.clause("object.get.no-such-key")
def test_object_get_of_a_missing_key_is_no_such_key(jss_client, jss_bucket, jss_key):
    response = jss_client.request("GET", jss_bucket.name, jss_key)

    ops.assert_error(response, 404, "NoSuchKey")


def _listed_entry(item) -> tuple:
    return (
        ops.field_of(item, "Key"), ops.unquote_etag(ops.field_of(item, "ETag")),
        int_or_none(ops.field_of(item, "Size")), ops.field_of(item, "StorageClass"),
        moment(ops.field_of(item, "LastModified")),
    )


def _headed_entry(key: str, head) -> tuple:
    return (key, head.etag, head.size, head.storage_class, moment(head.last_modified))


@pytest.mark.clause("list-objects.entry.agrees-with-head")
def test_list_objects_entries_are_the_objects_head_describes(jss_client, jss_bucket, jss_make_key):
    keys = [jss_make_key(f"entry-{number}") for number in range(AGREEMENT["listed_objects"])]
    for number, key in enumerate(keys):
        ops.put_object(jss_client, jss_bucket.name, key, small_part(seed=40 + number))
    expected = sorted(_headed_entry(key, ops.head_object(jss_client, jss_bucket.name, key)) for key in keys)

    listing = ops.list_objects(jss_client, jss_bucket.name, prefix=os.path.commonprefix(keys))

    listed = sorted(_listed_entry(item) for item in ops.field_of(listing.document, "Contents") or [])
    ops.assert_value("the listed (Key, ETag, Size, StorageClass, LastModified)", listed, expected, listing)


def _two_buckets(target) -> list:
    """The primary bucket and another of the profile (the primary twice when it has one): two listings of
    two buckets show a Bucket or Name echoed from another answer."""
    others = [bucket for bucket in target.buckets if bucket != target.primary_bucket]
    return [target.primary_bucket, (others or [target.primary_bucket])[0]]


def _echo_of(document) -> tuple:
    echoed = tuple(ops.field_of(document, name) for name in ("Name", "Prefix", "Marker", "Delimiter"))
    return (*echoed, int_or_none(ops.field_of(document, "MaxKeys")))


@pytest.mark.clause("list-objects.response.echo")
@pytest.mark.parametrize("shape", KEY_SHAPES)
def test_list_objects_answer_echoes_the_request(jss_client_for, jss_target, jss_make_key, shape):
    prefix, marker = jss_make_key(shape["suffix"]), jss_make_key(f"{shape['suffix']}-marker")
    buckets = _two_buckets(jss_target)
    asked = [
        (bucket.name, prefix, marker, delimiter, keys)
        for bucket, (delimiter, keys) in zip(buckets, AGREEMENT["echo_requests"], strict=True)
    ]

    listings = [
        ops.list_objects(jss_client_for(spec), bucket, prefix=prefix, marker=marker, delimiter=delimiter,
                         max_keys=keys)
        for spec, (bucket, prefix, marker, delimiter, keys) in zip(buckets, asked, strict=True)
    ]

    echoed = [_echo_of(listing.document) for listing in listings]
    ops.assert_value("the echoed (Name, Prefix, Marker, Delimiter, MaxKeys)", echoed, asked, listings[-1])


@pytest.mark.clause("list-uploads.response.echo")
@pytest.mark.parametrize("shape", KEY_SHAPES)
def test_list_uploads_answer_echoes_the_request(jss_client_for, jss_target, jss_make_key, shape):
    prefix, buckets = jss_make_key(shape["suffix"]), _two_buckets(jss_target)

    listings = [ops.list_uploads(jss_client_for(bucket), bucket.name, prefix=prefix) for bucket in buckets]

    echoed = [(listing.bucket, listing.prefix) for listing in listings]
    asked = [(bucket.name, prefix) for bucket in buckets]
    ops.assert_value("the echoed (Bucket, Prefix)", echoed, asked, listings[-1])


def _part_time(client, bucket, key, clock):
    upload = ops.initiate(client, bucket, key)
    with clock.event():
        ops.upload_part(client, bucket, key, upload.upload_id, 1, small_part(seed=50))
    listing = ops.list_parts(client, bucket, key, upload.upload_id)
    ops.abort(client, bucket, key, upload.upload_id)
    return [part.last_modified for part in listing.parts], listing


def _upload_time(client, bucket, key, clock):
    with clock.event():
        upload = ops.initiate(client, bucket, key)
    listing = ops.list_uploads(client, bucket, prefix=key)
    ops.abort(client, bucket, key, upload.upload_id)
    return [u.initiated for u in listing.uploads if u.upload_id == upload.upload_id], listing


def _object_listed_time(client, bucket, key, clock):
    with clock.event():
        ops.put_object(client, bucket, key, small_part(seed=51))
    listing = ops.list_objects(client, bucket, prefix=key)
    contents = ops.field_of(listing.document, "Contents") or []
    return [ops.field_of(item, "LastModified") for item in contents], listing


def _object_headed_time(client, bucket, key, clock):
    with clock.event():
        ops.put_object(client, bucket, key, small_part(seed=52))
    head = ops.head_object(client, bucket, key)
    return [head.last_modified], head


def _bucket_time(client, bucket, key, clock):
    clock.since_ever()  # the bucket was made before the case: only "not later than the listing" is known
    with clock.event():
        listing = ops.list_buckets(client)
    buckets = ops.field_of(listing.document, "Buckets") or []
    ours = [item for item in buckets if ops.field_of(item, "Name") == bucket]
    return [ops.field_of(item, "CreationDate") for item in ours], listing


#: time reported -> how a case makes the event it names and reads the time back
TIMES = {
    "list-parts-last-modified": _part_time, "list-uploads-initiated": _upload_time,
    "list-objects-last-modified": _object_listed_time, "head-last-modified": _object_headed_time,
    "list-buckets-creation-date": _bucket_time,
}


@pytest.mark.clause("listing.times.follow-the-clock")
@pytest.mark.parametrize("reported", list(TIMES))
def test_multipart_and_object_times_follow_the_clock(jss_client, jss_bucket, jss_key, reported):
    clock = Clock(AGREEMENT["clock_skew_seconds"])

    times, answer = TIMES[reported](jss_client, jss_bucket.name, jss_key, clock)

    ops.assert_value(
        f"one time within {clock.window()}", [clock.within(moment(text)) for text in times], [True], answer
    )
