"""ListMultipartUploads: uploads in progress are listed (completed ones are not), prefix filtering with the
prefix kept in the keys, order by Key then UploadId, and max-uploads (when the target's profile says it
honours paging parameters). Every listing is limited to the case's own keys with a prefix."""

from __future__ import annotations

import pytest

from conformance import operations as ops
from conformance.cases.support import listed_upload, require_paging, small_part, uploaded


def _initiated(client, bucket, base, names):
    """Initiate one upload per name (keys ``base/name``); return the (key, upload id) pairs."""
    keys = [f"{base}/{name}" for name in names]
    return [(key, ops.initiate(client, bucket, key).upload_id) for key in keys]


def _sort_key(pair):
    key, upload_id = pair
    return key.encode("utf-8"), upload_id


@pytest.mark.clause("list-uploads.in-progress")
def test_list_uploads_lists_initiated_upload(jss_client, jss_bucket, jss_key):
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key)

    entry = listed_upload(jss_client, jss_bucket.name, jss_key, upload.upload_id)

    listed = (entry.key, entry.upload_id) if entry else None
    ops.assert_value("the listed (Key, UploadId)", listed, (jss_key, upload.upload_id))


@pytest.mark.clause("list-uploads.in-progress")
def test_list_uploads_omits_completed_upload(jss_client, jss_bucket, jss_key):
    upload, etags = uploaded(jss_client, jss_bucket.name, jss_key, [(1, small_part())])
    ops.complete(jss_client, jss_bucket.name, jss_key, upload.upload_id, etags)

    entry = listed_upload(jss_client, jss_bucket.name, jss_key, upload.upload_id)
    ops.assert_value("the ListMultipartUploads entry of the completed upload", entry, None)


@pytest.mark.clause("list-uploads.prefix")
def test_list_uploads_prefix_limits_listing(jss_client, jss_bucket, jss_key):
    inside = _initiated(jss_client, jss_bucket.name, jss_key, ["in/a", "in/b"])
    _initiated(jss_client, jss_bucket.name, jss_key, ["out/c"])

    listing = ops.list_uploads(jss_client, jss_bucket.name, prefix=f"{jss_key}/in/")

    listed = sorted((u.key, u.upload_id) for u in listing.uploads)
    ops.assert_value("the listed (Key, UploadId) pairs", listed, sorted(inside), decided_by=listing)


@pytest.mark.clause("list-uploads.sorted")
def test_list_uploads_sorted_by_key_then_upload_id(jss_client, jss_bucket, jss_key):
    created = _initiated(jss_client, jss_bucket.name, jss_key, ["b", "a", "c", "a", "b"])

    listing = ops.list_uploads(jss_client, jss_bucket.name, prefix=f"{jss_key}/")

    listed = [(u.key, u.upload_id) for u in listing.uploads]
    ops.assert_value(
        "the listed (Key, UploadId) pairs", listed, sorted(created, key=_sort_key), decided_by=listing
    )


@pytest.mark.clause("list-uploads.max-uploads")
def test_list_uploads_max_uploads_limits_listing(jss_client, jss_bucket, jss_key, jss_expect):
    require_paging(jss_expect)
    created = _initiated(jss_client, jss_bucket.name, jss_key, ["c", "a", "b"])

    listing = ops.list_uploads(jss_client, jss_bucket.name, prefix=f"{jss_key}/", max_uploads=2)

    listed = [(u.key, u.upload_id) for u in listing.uploads]
    expected = sorted(created, key=_sort_key)[:2]
    ops.assert_value("the listed (Key, UploadId) pairs", listed, expected, decided_by=listing)
