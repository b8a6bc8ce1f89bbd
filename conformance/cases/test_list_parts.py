"""ListParts: ascending part numbers, each part's number, ETag and size, paging with max-parts and
part-number-marker (when the target's profile says it honours them), an unknown upload rejected."""

from __future__ import annotations

import pytest

from conformance import operations as ops
from conformance.cases.support import md5_hex, params, require_paging, small_part, table, uploaded

LIFECYCLE = table("lifecycle")
UNKNOWN_UPLOAD_ID = LIFECYCLE["unknown_upload_id"]


def _three_parts(client, bucket, key):
    parts = [(3, small_part(seed=43)), (1, small_part(seed=41)), (2, small_part(seed=42))]
    upload, _ = uploaded(client, bucket, key, parts)
    return upload.upload_id


@pytest.mark.clause("list-parts.ascending")
def test_list_parts_ascending_part_numbers(jss_client, jss_bucket, jss_key):
    upload_id = _three_parts(jss_client, jss_bucket.name, jss_key)

    listing = ops.list_parts(jss_client, jss_bucket.name, jss_key, upload_id)

    ops.assert_value(
        "the listed part numbers", [p.part_number for p in listing.parts], [1, 2, 3], decided_by=listing
    )


@pytest.mark.clause("list-parts.reports-parts")
def test_list_parts_reports_number_etag_size(jss_client, jss_bucket, jss_key):
    first, second = small_part(seed=44), small_part(seed=45)[:100]
    upload, _ = uploaded(jss_client, jss_bucket.name, jss_key, [(1, first), (2, second)])

    listing = ops.list_parts(jss_client, jss_bucket.name, jss_key, upload.upload_id)

    expected = [(1, md5_hex(first), len(first)), (2, md5_hex(second), len(second))]
    listed = [(p.part_number, p.etag, p.size) for p in listing.parts]
    ops.assert_value("the listed (PartNumber, ETag, Size)", listed, expected, decided_by=listing)


@pytest.mark.clause("list-parts.paging")
@pytest.mark.parametrize("paging", params(LIFECYCLE["list_parts_paging"]))
def test_list_parts_paging_limits_listing(jss_client, jss_bucket, jss_key, jss_expect, paging):
    require_paging(jss_expect)
    upload_id = _three_parts(jss_client, jss_bucket.name, jss_key)

    listing = ops.list_parts(jss_client, jss_bucket.name, jss_key, upload_id, **paging["arguments"])

    listed = [p.part_number for p in listing.parts]
    ops.assert_value("the listed part numbers", listed, paging["listed"], decided_by=listing)


@pytest.mark.clause("list-parts.no-such-upload")
def test_list_parts_unknown_upload_rejected(jss_client, jss_bucket, jss_key):
    answer = ops.answer_of(ops.list_parts, jss_client, jss_bucket.name, jss_key, UNKNOWN_UPLOAD_ID)

    ops.assert_error(answer, 404, "NoSuchUpload")
