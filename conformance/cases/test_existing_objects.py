"""Existing objects unaffected: an object's bytes, ETag, size and storage class stay as they were after an
initiate of the same key, after parts are uploaded (a GET during the upload returns the old object) and after
an abort; only complete replaces the object.

The old object is STANDARD. In the storage-class rows, where the bucket's region allows it (cn-north-1), the
upload is REDUCED_REDUNDANCY, so a server that gives the object the upload's storage class shows; elsewhere,
and in the other rows, the upload is STANDARD too. The assertion message names the pair."""

from __future__ import annotations

import pytest

from conformance import operations as ops
from conformance.cases.support import (
    REDUCED_REDUNDANCY,
    RR_REGION,
    STANDARD,
    md5_hex,
    payload,
    small_part,
)

#: What is compared before and after, and how it is read.
ATTRIBUTES = {
    "bytes": lambda client, bucket, key: md5_hex(ops.get_object(client, bucket, key).body),
    "etag": lambda client, bucket, key: ops.head_object(client, bucket, key).etag,
    "size": lambda client, bucket, key: ops.head_object(client, bucket, key).size,
    "storage-class": lambda client, bucket, key: ops.head_object(client, bucket, key).storage_class,
}


def _initiated(client, bucket, key, storage_class):
    ops.initiate(client, bucket, key, storage_class=storage_class)


def _parts_uploaded(client, bucket, key, storage_class):
    upload = ops.initiate(client, bucket, key, storage_class=storage_class)
    ops.upload_part(client, bucket, key, upload.upload_id, 1, small_part(seed=2))


def _aborted(client, bucket, key, storage_class):
    upload = ops.initiate(client, bucket, key, storage_class=storage_class)
    ops.upload_part(client, bucket, key, upload.upload_id, 1, small_part(seed=2))
    ops.abort(client, bucket, key, upload.upload_id)


#: How far the upload of the same key has gone when the object is read again.
STAGES = {"initiated": _initiated, "parts-uploaded": _parts_uploaded, "aborted": _aborted}


#: The storage class of the old object.
OLD_OBJECT_CLASS = STANDARD


def _upload_class(bucket, attribute: str) -> str:
    """The upload's storage class. For the storage-class rows, one that differs from the old object's where
    the bucket's region allows it (REDUCED_REDUNDANCY in cn-north-1); otherwise STANDARD, so the other rows
    do not depend on the region limit."""
    if attribute == "storage-class" and bucket.region == RR_REGION:
        return REDUCED_REDUNDANCY
    return STANDARD


def _old_object(client, bucket, key) -> bytes:
    data = payload(3000, seed=1)
    ops.put_object(client, bucket, key, data, storage_class=OLD_OBJECT_CLASS)
    return data


@pytest.mark.clause("initiate.existing-object.unaffected")
@pytest.mark.parametrize("attribute", list(ATTRIBUTES))
@pytest.mark.parametrize("stage", list(STAGES))
def test_initiate_existing_object_unchanged(jss_client, jss_bucket, jss_key, stage, attribute):
    _old_object(jss_client, jss_bucket.name, jss_key)
    upload_class = _upload_class(jss_bucket, attribute)
    read = ATTRIBUTES[attribute]
    before = read(jss_client, jss_bucket.name, jss_key)

    STAGES[stage](jss_client, jss_bucket.name, jss_key, upload_class)

    after = read(jss_client, jss_bucket.name, jss_key)
    what = f"the {attribute} of the {OLD_OBJECT_CLASS} object after a {upload_class} upload's {stage}"
    ops.assert_value(what, after, before)


@pytest.mark.clause("complete.creates-object")
def test_complete_replaces_existing_object(jss_client, jss_bucket, jss_key):
    _old_object(jss_client, jss_bucket.name, jss_key)
    new_bytes = small_part(seed=3)
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key)
    part = ops.upload_part(jss_client, jss_bucket.name, jss_key, upload.upload_id, 1, new_bytes)

    completed = ops.complete(jss_client, jss_bucket.name, jss_key, upload.upload_id, [(1, part.etag)])

    read_back = md5_hex(ops.get_object(jss_client, jss_bucket.name, jss_key).body)
    ops.assert_value("the MD5 of the object read back", read_back, md5_hex(new_bytes), decided_by=completed)
