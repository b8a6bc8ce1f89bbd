"""CompleteMultipartUpload of the reference endpoint: what the answer and the object carry, bad part lists."""

from __future__ import annotations

import hashlib

from ref_helpers import assert_error


def test_complete_answer_carries_the_quoted_final_etag_header(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    etag = api.upload_part(north_bucket, key, upload_id, 1, b"only part")
    response = api.complete(north_bucket, key, upload_id, [(1, etag)])
    assert response.headers["ETag"] == f'"{hashlib.md5(etag.encode()).hexdigest()}"'


def test_completed_object_has_the_content_type_given_at_initiate(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key, {"Content-Type": "text/csv"})
    etag = api.upload_part(north_bucket, key, upload_id, 1, b"a,b\n")
    assert api.complete(north_bucket, key, upload_id, [(1, etag)]).status_code == 200
    assert api.call("HEAD", north_bucket, key).headers["Content-Type"] == "text/csv"


def test_completed_object_without_content_type_at_initiate_is_octet_stream(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    etag = api.upload_part(north_bucket, key, upload_id, 1, b"bytes")
    assert api.complete(north_bucket, key, upload_id, [(1, etag)]).status_code == 200
    assert api.call("HEAD", north_bucket, key).headers["Content-Type"] == "application/octet-stream"


def test_part_entries_that_are_not_objects_are_malformed_json(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    etag = api.upload_part(north_bucket, key, upload_id, 1, b"x")
    for body in (b'{"Part": [1]}', b'{"Part": ["x"]}', b'{"Part": [null]}', b'{"Part": [[1, "x"]]}'):
        response = api.call("POST", north_bucket, key, f"uploadId={upload_id}", data=body)
        assert_error(response, 400, "MalformedJSON")
    assert api.complete(north_bucket, key, upload_id, [(1, etag)]).status_code == 200


def test_part_etag_is_compared_unquoted_and_case_insensitively(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    etag = api.upload_part(north_bucket, key, upload_id, 1, b"x")
    response = api.complete(north_bucket, key, upload_id, [(1, f' "{etag.upper()}" ')])
    assert response.status_code == 200, response.text


def test_only_quotes_are_taken_off_a_part_etag(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    etag = api.upload_part(north_bucket, key, upload_id, 1, b"x")
    for wrapped in (f"X{etag}X", f'X"{etag}"X', f"'{etag}'"):
        assert_error(api.complete(north_bucket, key, upload_id, [(1, wrapped)]), 400, "InvalidPart")
    assert api.complete(north_bucket, key, upload_id, [(1, f'"{etag}"')]).status_code == 200
