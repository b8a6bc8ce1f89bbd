"""UploadPart: the ETag is the quoted MD5 of the part, a part number uploaded again replaces the part, part
numbers run from 1 to 10000, an unknown or blank uploadId or that of another key is rejected, a wrong
Content-MD5 is rejected."""

from __future__ import annotations

import pytest

from conformance import operations as ops
from conformance.cases.support import md5_hex, small_part, table

LIFECYCLE = table("lifecycle")


@pytest.mark.clause("upload-part.etag.md5")
def test_upload_part_etag_is_quoted_md5(jss_client, jss_bucket, jss_key):
    data = small_part(seed=11)
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key)

    part = ops.upload_part(jss_client, jss_bucket.name, jss_key, upload.upload_id, 1, data)

    ops.assert_value(
        "the ETag header", part.response.headers.get("ETag"), f'"{md5_hex(data)}"', decided_by=part
    )


@pytest.mark.clause("upload-part.replace")
def test_upload_part_same_number_replaces_part(jss_client, jss_bucket, jss_key):
    first, second = small_part(seed=12), small_part(seed=13)[:-1]
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key)
    ops.upload_part(jss_client, jss_bucket.name, jss_key, upload.upload_id, 1, first)

    ops.upload_part(jss_client, jss_bucket.name, jss_key, upload.upload_id, 1, second)

    listing = ops.list_parts(jss_client, jss_bucket.name, jss_key, upload.upload_id)
    listed = [(p.part_number, p.etag, p.size) for p in listing.parts]
    ops.assert_value("the listed (PartNumber, ETag, Size)", listed, [(1, md5_hex(second), len(second))])


@pytest.mark.clause("upload-part.part-number.range")
@pytest.mark.parametrize("number", LIFECYCLE["accepted_part_numbers"])
def test_upload_part_number_in_range_accepted(jss_client, jss_bucket, jss_key, number):
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key)

    part = ops.upload_part(jss_client, jss_bucket.name, jss_key, upload.upload_id, number, small_part())

    ops.assert_status(part, 200)


@pytest.mark.clause("upload-part.part-number.range")
@pytest.mark.parametrize("number", LIFECYCLE["rejected_part_numbers"])
def test_upload_part_number_above_10000_rejected(jss_client, jss_bucket, jss_key, number):
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key)

    answer = ops.answer_of(
        ops.upload_part, jss_client, jss_bucket.name, jss_key, upload.upload_id, number, small_part()
    )

    ops.assert_error(answer, 400, "TooManyParts")


@pytest.mark.clause("upload-part.no-such-upload")
def test_upload_part_unknown_upload_rejected(jss_client, jss_bucket, jss_key):
    answer = ops.answer_of(
        ops.upload_part, jss_client, jss_bucket.name, jss_key, LIFECYCLE["unknown_upload_id"], 1, small_part()
    )

    ops.assert_error(answer, 404, "NoSuchUpload")


@pytest.mark.clause("upload-part.other-key-upload-id")
def test_upload_part_upload_id_of_another_key_rejected(
    jss_client, jss_bucket, jss_key, jss_make_key, jss_expect
):
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key)
    other_key = jss_make_key("other-key")

    answer = ops.answer_of(
        ops.upload_part, jss_client, jss_bucket.name, other_key, upload.upload_id, 1, small_part()
    )

    ops.assert_error(answer, jss_expect["other_key_upload_id_status"], jss_expect["other_key_upload_id_code"])


@pytest.mark.clause("upload-part.blank-upload-id")
def test_upload_part_blank_upload_id_rejected(jss_client, jss_bucket, jss_key):
    answer = ops.answer_of(ops.upload_part, jss_client, jss_bucket.name, jss_key, "", 1, small_part())

    ops.assert_error(answer, 400, "InvalidArgument")


@pytest.mark.clause("upload-part.content-md5.mismatch")
def test_upload_part_content_md5_mismatch_rejected(jss_client, jss_bucket, jss_key, jss_expect):
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key)
    other_md5 = {"Content-MD5": md5_hex(small_part(seed=14))}

    answer = ops.answer_of(
        ops.upload_part,
        jss_client,
        jss_bucket.name,
        jss_key,
        upload.upload_id,
        1,
        small_part(seed=15),
        headers=other_md5,
    )

    ops.assert_error(
        answer, jss_expect["content_md5_mismatch_status"], jss_expect["content_md5_mismatch_code"]
    )
