"""AbortMultipartUpload: the upload is gone afterwards (not listed, its UploadId unknown to every operation
that takes one); an unknown UploadId is rejected; an abort repeated answers what the target expects (OPEN)."""

from __future__ import annotations

import pytest

from conformance import operations as ops
from conformance.cases.support import listed_upload, small_part, table

UNKNOWN_UPLOAD_ID = table("lifecycle")["unknown_upload_id"]


def _aborted_upload(client, bucket, key):
    upload = ops.initiate(client, bucket, key)
    part = ops.upload_part(client, bucket, key, upload.upload_id, 1, small_part())
    ops.abort(client, bucket, key, upload.upload_id)
    return upload.upload_id, part.etag


@pytest.mark.clause("abort.removes-upload")
def test_abort_then_list_parts_no_such_upload(jss_client, jss_bucket, jss_key):
    upload_id, _ = _aborted_upload(jss_client, jss_bucket.name, jss_key)

    answer = ops.answer_of(ops.list_parts, jss_client, jss_bucket.name, jss_key, upload_id)

    ops.assert_error(answer, 404, "NoSuchUpload")


@pytest.mark.clause("abort.removes-upload")
def test_abort_then_complete_no_such_upload(jss_client, jss_bucket, jss_key):
    upload_id, etag = _aborted_upload(jss_client, jss_bucket.name, jss_key)

    answer = ops.answer_of(ops.complete, jss_client, jss_bucket.name, jss_key, upload_id, [(1, etag)])

    ops.assert_error(answer, 404, "NoSuchUpload")


@pytest.mark.clause("abort.removes-upload")
def test_abort_then_upload_part_no_such_upload(jss_client, jss_bucket, jss_key):
    upload_id, _ = _aborted_upload(jss_client, jss_bucket.name, jss_key)

    answer = ops.answer_of(ops.upload_part, jss_client, jss_bucket.name, jss_key, upload_id, 2, small_part())

    ops.assert_error(answer, 404, "NoSuchUpload")


@pytest.mark.clause("abort.repeated")
def test_abort_then_abort_again_answers_as_expected(jss_client, jss_bucket, jss_key, jss_expect):
    upload_id, _ = _aborted_upload(jss_client, jss_bucket.name, jss_key)

    answer = ops.answer_of(ops.abort, jss_client, jss_bucket.name, jss_key, upload_id)

    status, code = jss_expect["abort_after_abort_status"], jss_expect["abort_after_abort_code"]
    if code:
        ops.assert_error(answer, status, code)
    else:
        ops.assert_status(answer, status)


@pytest.mark.clause("abort.removes-upload")
def test_abort_then_upload_not_listed(jss_client, jss_bucket, jss_key):
    upload_id, _ = _aborted_upload(jss_client, jss_bucket.name, jss_key)

    entry = listed_upload(jss_client, jss_bucket.name, jss_key, upload_id)
    ops.assert_value("the ListMultipartUploads entry of the aborted upload", entry, None)


@pytest.mark.clause("abort.no-such-upload")
def test_abort_unknown_upload_rejected(jss_client, jss_bucket, jss_key):
    answer = ops.answer_of(ops.abort, jss_client, jss_bucket.name, jss_key, UNKNOWN_UPLOAD_ID)

    ops.assert_error(answer, 404, "NoSuchUpload")
