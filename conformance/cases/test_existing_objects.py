"""Existing objects unaffected: an object's bytes, ETag, size and storage class stay as they were after an
initiate of the same key, after parts are uploaded (a GET during the upload returns the old object) and after
an abort; only complete replaces the object."""

from __future__ import annotations

import pytest

from conformance import operations as ops
from conformance.cases.support import md5_hex, payload, small_part

#: What is compared before and after, and how it is read.
ATTRIBUTES = {
    "bytes": lambda client, bucket, key: md5_hex(ops.get_object(client, bucket, key).body),
    "etag": lambda client, bucket, key: ops.head_object(client, bucket, key).etag,
    "size": lambda client, bucket, key: ops.head_object(client, bucket, key).size,
    "storage-class": lambda client, bucket, key: ops.head_object(client, bucket, key).storage_class,
}


def _initiated(client, bucket, key):
    ops.initiate(client, bucket, key)


def _parts_uploaded(client, bucket, key):
    upload = ops.initiate(client, bucket, key)
    ops.upload_part(client, bucket, key, upload.upload_id, 1, small_part(seed=2))


def _aborted(client, bucket, key):
    upload = ops.initiate(client, bucket, key)
    ops.upload_part(client, bucket, key, upload.upload_id, 1, small_part(seed=2))
    ops.abort(client, bucket, key, upload.upload_id)


#: How far the upload of the same key has gone when the object is read again.
STAGES = {"initiated": _initiated, "parts-uploaded": _parts_uploaded, "aborted": _aborted}


def _old_object(client, bucket, key) -> bytes:
    data = payload(3000, seed=1)
    ops.put_object(client, bucket, key, data)
    return data


@pytest.mark.clause("initiate.existing-object.unaffected")
@pytest.mark.parametrize("attribute", list(ATTRIBUTES))
@pytest.mark.parametrize("stage", list(STAGES))
def test_initiate_existing_object_unchanged(jss_client, jss_bucket, jss_key, stage, attribute):
    _old_object(jss_client, jss_bucket.name, jss_key)
    read = ATTRIBUTES[attribute]
    before = read(jss_client, jss_bucket.name, jss_key)

    STAGES[stage](jss_client, jss_bucket.name, jss_key)

    assert read(jss_client, jss_bucket.name, jss_key) == before


@pytest.mark.clause("complete.creates-object")
def test_complete_replaces_existing_object(jss_client, jss_bucket, jss_key):
    _old_object(jss_client, jss_bucket.name, jss_key)
    new_bytes = small_part(seed=3)
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key)
    part = ops.upload_part(jss_client, jss_bucket.name, jss_key, upload.upload_id, 1, new_bytes)

    ops.complete(jss_client, jss_bucket.name, jss_key, upload.upload_id, [(1, part.etag)])

    assert ops.get_object(jss_client, jss_bucket.name, jss_key).body == new_bytes
