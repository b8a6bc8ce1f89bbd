"""CompleteMultipartUpload: the final ETag formula, assembly in part-number order, gaps allowed, a list out
of order / with a wrong ETag / with a part never uploaded / with a too-small non-final part / that is not JSON
rejected, the UploadId invalid afterwards, the answer's ETag header and the object's Content-Type from the
initiate. Rejection codes of a bad list are target expectations."""

from __future__ import annotations

import pytest

from conformance import operations as ops
from conformance.cases.support import (
    md5_hex,
    multipart_etag,
    require_expected,
    sized_part,
    small_part,
    table,
    uploaded,
)

LIFECYCLE = table("lifecycle")


def _assert_bad_list(error, expect, code):
    """A rejected part list: the status the target's expectations name, and `code`."""
    ops.assert_error(error, expect["complete_bad_list_status"], code)


@pytest.mark.clause("complete.etag.formula")
def test_complete_etag_is_md5_of_part_etags(jss_client, jss_bucket, jss_key, jss_expect):
    upload, etags = uploaded(
        jss_client, jss_bucket.name, jss_key, [(1, sized_part(jss_expect)), (2, small_part())]
    )

    completed = ops.complete(jss_client, jss_bucket.name, jss_key, upload.upload_id, etags)

    ops.assert_value(
        "the final ETag", completed.etag, multipart_etag([e for _, e in etags]), decided_by=completed
    )


@pytest.mark.clause("complete.response.etag-header")
def test_complete_answer_etag_header_is_quoted_final_etag(jss_client, jss_bucket, jss_key, jss_expect):
    require_expected(jss_expect["complete_etag_header"], "ETag header in the complete answer")
    upload, etags = uploaded(jss_client, jss_bucket.name, jss_key, [(1, small_part(seed=19))])

    completed = ops.complete(jss_client, jss_bucket.name, jss_key, upload.upload_id, etags)

    header = completed.response.headers.get("ETag")
    expected = f'"{multipart_etag([etag for _, etag in etags])}"'
    ops.assert_value("the ETag header of the answer", header, expected, completed)


@pytest.mark.clause("complete.object-content-type")
def test_complete_object_has_initiate_content_type(jss_client, jss_bucket, jss_key, jss_expect):
    require_expected(jss_expect["complete_content_type_from_initiate"], "Content-Type kept from the initiate")
    content_type = LIFECYCLE["initiate_content_type"]
    parts, headers = [(1, small_part(seed=20))], {"Content-Type": content_type}
    upload, etags = uploaded(jss_client, jss_bucket.name, jss_key, parts, headers=headers)
    ops.complete(jss_client, jss_bucket.name, jss_key, upload.upload_id, etags)

    head = ops.head_object(jss_client, jss_bucket.name, jss_key)

    observed = head.response.headers.get("Content-Type")
    ops.assert_value("the Content-Type of the object", observed, content_type, head)


@pytest.mark.clause("complete.assembly-order", "complete.creates-object")
def test_complete_object_is_parts_in_number_order(jss_client, jss_bucket, jss_key, jss_expect):
    first, second = sized_part(jss_expect, seed=21), small_part(seed=22)
    upload, etags = uploaded(jss_client, jss_bucket.name, jss_key, [(2, second), (1, first)])

    completed = ops.complete(jss_client, jss_bucket.name, jss_key, upload.upload_id, sorted(etags))

    with ops.checking("complete.creates-object"):
        read_back = md5_hex(ops.get_object(jss_client, jss_bucket.name, jss_key).body)
    with ops.checking("complete.assembly-order"):
        ops.assert_value(
            "the MD5 of the object read back", read_back, md5_hex(first + second), decided_by=completed
        )


@pytest.mark.clause("complete.gaps-allowed")
def test_complete_with_gap_in_part_numbers_accepted(jss_client, jss_bucket, jss_key, jss_expect):
    first, fifth = sized_part(jss_expect, seed=23), small_part(seed=24)
    upload, etags = uploaded(jss_client, jss_bucket.name, jss_key, [(1, first), (5, fifth)])

    completed = ops.complete(jss_client, jss_bucket.name, jss_key, upload.upload_id, etags)

    read_back = md5_hex(ops.get_object(jss_client, jss_bucket.name, jss_key).body)
    ops.assert_value(
        "the MD5 of the object read back", read_back, md5_hex(first + fifth), decided_by=completed
    )


@pytest.mark.clause("complete.part-order")
def test_complete_parts_out_of_order_rejected(jss_client, jss_bucket, jss_key, jss_expect):
    parts = [(1, sized_part(jss_expect, seed=25)), (2, sized_part(jss_expect, seed=26))]
    upload, etags = uploaded(jss_client, jss_bucket.name, jss_key, parts)

    answer = ops.answer_of(
        ops.complete, jss_client, jss_bucket.name, jss_key, upload.upload_id, list(reversed(etags))
    )

    _assert_bad_list(answer, jss_expect, jss_expect["complete_part_order_code"])


@pytest.mark.clause("complete.part-checked")
@pytest.mark.parametrize("listed_number", [1, 2], ids=["wrong-etag", "part-never-uploaded"])
def test_complete_unmatched_part_rejected(jss_client, jss_bucket, jss_key, jss_expect, listed_number):
    upload, _ = uploaded(jss_client, jss_bucket.name, jss_key, [(1, small_part(seed=27))])
    unmatched = [(listed_number, md5_hex(small_part(seed=28)))]  # part 1 was uploaded with other bytes

    answer = ops.answer_of(ops.complete, jss_client, jss_bucket.name, jss_key, upload.upload_id, unmatched)

    _assert_bad_list(answer, jss_expect, jss_expect["complete_invalid_part_code"])


@pytest.mark.clause("complete.min-part-size")
@pytest.mark.parametrize("offset", LIFECYCLE["rejected_part_size_offsets"], ids=lambda o: f"min{o:+d}")
def test_complete_non_final_part_below_minimum_rejected(jss_client, jss_bucket, jss_key, jss_expect, offset):
    parts = [(1, sized_part(jss_expect, offset, seed=31)), (2, small_part())]
    upload, etags = uploaded(jss_client, jss_bucket.name, jss_key, parts)

    answer = ops.answer_of(ops.complete, jss_client, jss_bucket.name, jss_key, upload.upload_id, etags)

    _assert_bad_list(answer, jss_expect, jss_expect["complete_too_small_code"])


@pytest.mark.clause("complete.min-part-size")
@pytest.mark.parametrize("offset", LIFECYCLE["accepted_part_size_offsets"], ids=lambda o: f"min{o:+d}")
def test_complete_non_final_part_at_minimum_accepted(jss_client, jss_bucket, jss_key, jss_expect, offset):
    parts = [(1, sized_part(jss_expect, offset, seed=31)), (2, small_part())]
    upload, etags = uploaded(jss_client, jss_bucket.name, jss_key, parts)

    completed = ops.complete(jss_client, jss_bucket.name, jss_key, upload.upload_id, etags)

    ops.assert_status(completed, 200)


@pytest.mark.clause("complete.malformed-body")
def test_complete_malformed_body_rejected(jss_client, jss_bucket, jss_key, jss_expect):
    upload, _ = uploaded(jss_client, jss_bucket.name, jss_key, [(1, small_part())])
    body = LIFECYCLE["malformed_complete_body"].encode("utf-8")

    answer = ops.answer_of(
        ops.complete, jss_client, jss_bucket.name, jss_key, upload.upload_id, raw_body=body
    )

    _assert_bad_list(answer, jss_expect, jss_expect["complete_malformed_code"])


def _list_parts(client, bucket, key, upload_id):
    return ops.list_parts(client, bucket, key, upload_id)


def _upload_part(client, bucket, key, upload_id):
    return ops.upload_part(client, bucket, key, upload_id, 2, small_part())


def _complete_again(client, bucket, key, upload_id):
    return ops.complete(client, bucket, key, upload_id, [(1, md5_hex(small_part()))])


def _abort(client, bucket, key, upload_id):
    return ops.abort(client, bucket, key, upload_id)


#: Requests made with the UploadId of a completed upload: every operation that takes one.
AFTERWARDS = {
    "list-parts": _list_parts, "upload-part": _upload_part, "complete": _complete_again, "abort": _abort,
}


@pytest.mark.clause("complete.upload-id-invalidated")
@pytest.mark.parametrize("request_after", list(AFTERWARDS))
def test_complete_then_upload_id_invalid(jss_client, jss_bucket, jss_key, request_after):
    upload, etags = uploaded(jss_client, jss_bucket.name, jss_key, [(1, small_part())])
    ops.complete(jss_client, jss_bucket.name, jss_key, upload.upload_id, etags)

    answer = ops.answer_of(AFTERWARDS[request_after], jss_client, jss_bucket.name, jss_key, upload.upload_id)

    ops.assert_error(answer, 404, "NoSuchUpload")
