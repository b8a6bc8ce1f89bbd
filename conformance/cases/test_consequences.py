"""Consequences of every multipart operation, answered or refused, on what else it may touch: the existing
object of the key (every header HEAD returns but the per-response ones, and its bytes) and the other uploads
of the key (still listed, their parts unchanged).

A successful complete is documented to replace the object, so it is checked for the other uploads only. The
operations act on an upload of their own ("this upload"); the other upload of the key is initiated before and
has one part.
"""

from __future__ import annotations

import pytest

from conformance import operations as ops
from conformance.cases.support import listed_upload, md5_hex, payload, small_part, table

CONSEQUENCES = table("consequences")
UNKNOWN_UPLOAD_ID = table("lifecycle")["unknown_upload_id"]
PER_RESPONSE = frozenset(CONSEQUENCES["per_response_headers"])


def _this_upload(client, bucket, key):
    headers = {"Content-Type": CONSEQUENCES["upload_content_type"]}
    return ops.initiate(client, bucket, key, headers=headers)


def _initiate(client, bucket, key):
    _this_upload(client, bucket, key)


def _initiate_refused(client, bucket, key):
    headers = {"Content-Type": CONSEQUENCES["upload_content_type"]}
    unknown = CONSEQUENCES["unknown_storage_class"]
    ops.answer_of(ops.initiate, client, bucket, key, storage_class=unknown, headers=headers)


def _upload_part(client, bucket, key):
    upload = _this_upload(client, bucket, key)
    ops.upload_part(client, bucket, key, upload.upload_id, 1, small_part(seed=31))


def _upload_part_refused(client, bucket, key):
    upload = _this_upload(client, bucket, key)
    wrong_md5 = {"Content-MD5": md5_hex(small_part(seed=32))}
    ops.answer_of(
        ops.upload_part, client, bucket, key, upload.upload_id, 1, small_part(seed=31), headers=wrong_md5
    )


def _complete(client, bucket, key):
    upload = _this_upload(client, bucket, key)
    part = ops.upload_part(client, bucket, key, upload.upload_id, 1, small_part(seed=31))
    ops.complete(client, bucket, key, upload.upload_id, [(1, part.etag)])


def _complete_refused(client, bucket, key):
    upload = _this_upload(client, bucket, key)
    ops.upload_part(client, bucket, key, upload.upload_id, 1, small_part(seed=31))
    wrong_etag = md5_hex(small_part(seed=33))
    ops.answer_of(ops.complete, client, bucket, key, upload.upload_id, [(1, wrong_etag)])


def _abort(client, bucket, key):
    upload = _this_upload(client, bucket, key)
    ops.upload_part(client, bucket, key, upload.upload_id, 1, small_part(seed=31))
    ops.abort(client, bucket, key, upload.upload_id)


def _abort_refused(client, bucket, key):
    ops.answer_of(ops.abort, client, bucket, key, UNKNOWN_UPLOAD_ID)


#: Every multipart operation, answered and refused (the refusal is not checked here: its own case does).
OPERATIONS = {
    "initiate": _initiate,
    "initiate-refused": _initiate_refused,
    "upload-part": _upload_part,
    "upload-part-refused": _upload_part_refused,
    "complete": _complete,
    "complete-refused": _complete_refused,
    "abort": _abort,
    "abort-refused": _abort_refused,
}
#: The operations documented to replace the existing object of the key.
REPLACING = {"complete"}


def _object_state(client, bucket, key) -> dict[str, str]:
    """Every header HEAD returns but the per-response ones (names lowercase), and the MD5 of the bytes."""
    head = ops.head_object(client, bucket, key)
    state = {
        name.lower(): value
        for name, value in head.response.headers.items()
        if name.lower() not in PER_RESPONSE
    }
    state["(MD5 of the bytes GET returns)"] = md5_hex(ops.get_object(client, bucket, key).body)
    return state


def _upload_state(client, bucket, key, upload_id) -> tuple[bool, list[tuple]]:
    """Whether the upload is listed, and its parts (number, ETag, size, LastModified) as ListParts gives."""
    listed = listed_upload(client, bucket, key, upload_id) is not None
    parts = ops.list_parts(client, bucket, key, upload_id).parts
    return listed, [(p.part_number, p.etag, p.size, p.last_modified) for p in parts]


@pytest.mark.clause("multipart.existing-object.every-header-unchanged")
@pytest.mark.parametrize("operation", [name for name in OPERATIONS if name not in REPLACING])
def test_multipart_operation_leaves_existing_object_unchanged(jss_client, jss_bucket, jss_key, operation):
    bucket = jss_bucket.name
    data = payload(CONSEQUENCES["old_object_bytes"], seed=30)
    content_type = {"Content-Type": CONSEQUENCES["old_object_content_type"]}
    ops.put_object(jss_client, bucket, jss_key, data, headers=content_type)
    before = _object_state(jss_client, bucket, jss_key)

    OPERATIONS[operation](jss_client, bucket, jss_key)

    after = _object_state(jss_client, bucket, jss_key)
    changed = {
        name: (before.get(name), after.get(name)) for name in sorted({*before, *after})
        if before.get(name) != after.get(name)
    }
    what = f"the headers HEAD returns and the object's bytes that changed (before, after) with {operation}"
    ops.assert_value(what, changed, {})


@pytest.mark.clause("multipart.other-uploads.unchanged")
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_multipart_operation_leaves_other_uploads_of_key_unchanged(
    jss_client, jss_bucket, jss_key, operation
):
    bucket = jss_bucket.name
    other = ops.initiate(jss_client, bucket, jss_key).upload_id
    ops.upload_part(jss_client, bucket, jss_key, other, 1, small_part(seed=34))
    before = _upload_state(jss_client, bucket, jss_key, other)

    OPERATIONS[operation](jss_client, bucket, jss_key)

    after = _upload_state(jss_client, bucket, jss_key, other)
    what = f"whether the other upload of the key is listed, and its parts, after {operation}"
    ops.assert_value(what, after, before)
