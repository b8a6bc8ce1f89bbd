"""A bucket's lifecycle is atomic with every write into it (JSS wire): a PutObject body, an UploadPart body
or a complete body in flight while the bucket is deleted, or deleted and created again (by its owner or by
another account), never answers 5xx and never writes into the bucket that now has the name.

Each race is driven deterministically by `half_sent.HalfSent`: the handler is reading the body (100
Continue seen), half of it is sent, the test deletes / creates, then the rest is sent.
"""

from __future__ import annotations

import json

import pytest
from half_sent import HalfSent
from ref_helpers import ALICE, BOB, Api, assert_error, signed_raw_headers, target_of

BODY = b"0123456789" * 1000


def in_flight(api: Api, method: str, bucket: str, key: str, query: str = "", body: bytes = BODY) -> HalfSent:
    """Alice's signed request, half of its body sent."""
    target = target_of(bucket, key, query)
    return HalfSent(api.url(), method, target, signed_raw_headers(method, target, ALICE), body)


def assert_no_such_bucket(response) -> None:
    assert response.status == 404, response.body
    assert response.json()["code"] == "NoSuchBucket"


def assert_bucket_empty(api: Api, bucket: str, user=BOB) -> None:
    """`user`'s `bucket` holds no object and no upload."""
    listed = api.call("GET", bucket, user=user)
    assert listed.status_code == 200, listed.text
    assert listed.json()["Contents"] == []
    uploads = api.call("GET", bucket, query="uploads", user=user)
    assert uploads.status_code == 200, uploads.text
    assert uploads.json().get("Upload", []) == []


def no_temporary_left(api: Api) -> None:
    tmp = api.reference.data_dir / "tmp"
    assert [p.name for p in tmp.iterdir() if not p.name.startswith("trash.")] == []


@pytest.mark.parametrize("recreated_by", [None, ALICE, BOB], ids=["deleted", "recreated-by-owner", "by-bob"])
def test_put_body_in_flight_while_the_bucket_is_deleted_or_recreated(reference, key, recreated_by):
    api = Api(reference)
    bucket = api.create_bucket()
    with in_flight(api, "PUT", bucket, key) as put:
        assert api.call("DELETE", bucket).status_code == 204  # nothing in it yet: it counts as empty
        if recreated_by is not None:
            assert api.call("PUT", bucket, user=recreated_by).status_code == 201
        response = put.finish()
    assert_no_such_bucket(response)
    if recreated_by is None:
        assert_error(api.call("GET", bucket, key), 404, "NoSuchBucket")
    else:
        assert_error(api.call("GET", bucket, key, user=recreated_by), 404, "NoSuchKey")
        assert_bucket_empty(api, bucket, recreated_by)
    no_temporary_left(api)


def test_put_body_in_flight_into_an_untouched_bucket_is_stored(reference, north_bucket, key):
    # the positive side of the same drive: without the delete in between, the PUT lands
    api = Api(reference)
    with in_flight(api, "PUT", north_bucket, key) as put:
        assert put.finish().status == 200
    assert api.call("GET", north_bucket, key).content == BODY


def test_a_bucket_with_a_part_or_a_complete_in_flight_is_not_empty(reference, key):
    api = Api(reference)
    bucket = api.create_bucket()
    upload_id = api.initiate(bucket, key)
    with in_flight(api, "PUT", bucket, key, f"partNumber=1&uploadId={upload_id}") as part:
        assert_error(api.call("DELETE", bucket), 409, "BucketNotEmpty")
        response = part.finish()
    assert response.status == 200, response.body
    etag = response.headers["etag"].strip('"')
    complete_body = json.dumps({"Part": [{"PartNumber": 1, "ETag": etag}]}).encode()
    with in_flight(api, "POST", bucket, key, f"uploadId={upload_id}", complete_body) as complete:
        assert_error(api.call("DELETE", bucket), 409, "BucketNotEmpty")
        response = complete.finish()
    assert response.status == 200, response.body
    assert api.call("GET", bucket, key).content == BODY
    assert_error(api.call("DELETE", bucket), 409, "BucketNotEmpty")


@pytest.mark.parametrize("operation", ["upload-part", "complete"])
@pytest.mark.parametrize("recreated_by", [None, ALICE, BOB], ids=["deleted", "recreated-by-owner", "by-bob"])
def test_upload_aborted_and_bucket_deleted_or_recreated_while_a_body_is_in_flight(
    reference, key, operation, recreated_by
):
    api = Api(reference)
    bucket = api.create_bucket()
    upload_id = api.initiate(bucket, key)
    if operation == "upload-part":
        query, body = f"partNumber=1&uploadId={upload_id}", BODY
    else:
        etag = api.upload_part(bucket, key, upload_id, 1, BODY)
        query = f"uploadId={upload_id}"
        body = json.dumps({"Part": [{"PartNumber": 1, "ETag": etag}]}).encode()
    with in_flight(api, "PUT" if operation == "upload-part" else "POST", bucket, key, query, body) as write:
        assert api.call("DELETE", bucket, key, f"uploadId={upload_id}").status_code == 204
        assert api.call("DELETE", bucket).status_code == 204
        if recreated_by is not None:
            assert api.call("PUT", bucket, user=recreated_by).status_code == 201
        response = write.finish()
    assert_no_such_bucket(response)
    if recreated_by is not None:
        assert_error(api.call("GET", bucket, key, user=recreated_by), 404, "NoSuchKey")
        assert_bucket_empty(api, bucket, recreated_by)
    no_temporary_left(api)
