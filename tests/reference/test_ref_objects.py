"""Object operations of the reference endpoint: PutObject, GetObject (Range), HeadObject, DeleteObject."""

from __future__ import annotations

import base64
import hashlib

from ref_helpers import EAST, assert_error, md5_hex


def test_put_then_get_head_delete(api, north_bucket, key):
    body = b"the quick brown fox"
    put = api.put(north_bucket, key, body, {"Content-Type": "text/plain"})
    assert put.headers["ETag"] == f'"{md5_hex(body)}"'
    got = api.call("GET", north_bucket, key)
    assert got.status_code == 200 and got.content == body
    assert got.headers["ETag"] == f'"{md5_hex(body)}"'
    assert got.headers["Content-Type"] == "text/plain"
    assert got.headers["x-jss-storage-class"] == "STANDARD"
    assert got.headers["Last-Modified"].endswith("GMT")
    head = api.call("HEAD", north_bucket, key)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == str(len(body))
    assert head.headers["x-jss-storage-class"] == "STANDARD"
    assert api.call("DELETE", north_bucket, key).status_code == 204
    assert_error(api.call("GET", north_bucket, key), 404, "NoSuchKey")
    assert_error(api.call("HEAD", north_bucket, key), 404, "NoSuchKey")
    assert api.call("DELETE", north_bucket, key).status_code == 204


def test_put_replaces_existing_object(api, north_bucket, key):
    api.put(north_bucket, key, b"first")
    api.put(north_bucket, key, b"second version")
    assert api.call("GET", north_bucket, key).content == b"second version"


def test_empty_object(api, north_bucket, key):
    api.put(north_bucket, key, b"")
    got = api.call("GET", north_bucket, key)
    assert got.status_code == 200 and got.content == b"" and got.headers["ETag"] == f'"{md5_hex(b"")}"'


def test_user_metadata_is_kept_and_answered_by_head_and_get(api, north_bucket, key):
    api.put(north_bucket, key, b"with metadata", {"x-jss-meta-color": "blue", "x-jss-meta-shape": "round"})
    for method in ("HEAD", "GET"):
        answer = api.call(method, north_bucket, key)
        assert (answer.headers["x-jss-meta-color"], answer.headers["x-jss-meta-shape"]) == ("blue", "round")
    api.put(north_bucket, key, b"replaced without metadata")
    assert "x-jss-meta-color" not in api.call("HEAD", north_bucket, key).headers


def test_storage_class_header_is_reported(api, north_bucket, key):
    api.put(north_bucket, key, b"rr", {"x-jss-storage-class": "REDUCED_REDUNDANCY"})
    assert api.call("HEAD", north_bucket, key).headers["x-jss-storage-class"] == "REDUCED_REDUNDANCY"
    listing = api.call("GET", north_bucket, query="prefix=" + key).json()
    assert listing["Contents"][0]["StorageClass"] == "REDUCED_REDUNDANCY"


def test_reduced_redundancy_outside_north_is_invalid_storage_class(api, east_bucket, key):
    response = api.call(
        "PUT", east_bucket, key, headers={"x-jss-storage-class": "REDUCED_REDUNDANCY"}, data=b"x", region=EAST
    )
    assert_error(response, 400, "InvalidStorageClass")
    assert_error(api.call("GET", east_bucket, key, region=EAST), 404, "NoSuchKey")


def test_unknown_storage_class_is_invalid_storage_class(api, north_bucket, key):
    for value in ("GLACIER", "standard", ""):
        response = api.call("PUT", north_bucket, key, headers={"x-jss-storage-class": value}, data=b"x")
        assert_error(response, 400, "InvalidStorageClass")


def test_encryption_header_is_reported(api, north_bucket, key):
    api.put(north_bucket, key, b"secret", {"x-jss-server-side-encryption": "true"})
    head = api.call("HEAD", north_bucket, key)
    assert head.headers["x-jss-server-side-encryption"] == "true"
    assert api.call("GET", north_bucket, key).content == b"secret"


def test_bad_encryption_flag_is_invalid_argument(api, north_bucket, key):
    response = api.call(
        "PUT", north_bucket, key, headers={"x-jss-server-side-encryption": "maybe"}, data=b"x"
    )
    assert_error(response, 400, "InvalidArgument")


def test_content_md5_hex_and_base64_are_accepted(api, north_bucket, key):
    body = b"checked body"
    api.put(north_bucket, key, body, {"Content-MD5": md5_hex(body)})
    api.put(north_bucket, key, body, {"Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode()})


def test_content_md5_mismatch_is_bad_digest_and_keeps_old_object(api, north_bucket, key):
    api.put(north_bucket, key, b"old")
    response = api.call("PUT", north_bucket, key, headers={"Content-MD5": md5_hex(b"other")}, data=b"new")
    assert_error(response, 400, "BadDigest")
    assert api.call("GET", north_bucket, key).content == b"old"


def test_malformed_content_md5_is_invalid_digest(api, north_bucket, key):
    response = api.call("PUT", north_bucket, key, headers={"Content-MD5": "not-a-digest"}, data=b"x")
    assert_error(response, 400, "InvalidDigest")


def test_put_without_content_length_is_missing_content_length(api, north_bucket, key):
    response = api.call("PUT", north_bucket, key, data=iter([b"chunked ", b"body"]))
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert_error(response, 411, "MissingContentLength")


def test_range_requests(api, north_bucket, key):
    body = bytes(range(256)) * 40
    api.put(north_bucket, key, body)
    cases = {
        "bytes=0-9": (0, 9),
        "bytes=100-": (100, len(body) - 1),
        "bytes=-16": (len(body) - 16, len(body) - 1),
        "bytes=10000-999999": (10000, len(body) - 1),
    }
    for header, (start, end) in cases.items():
        response = api.call("GET", north_bucket, key, headers={"Range": header})
        assert response.status_code == 206, header
        assert response.content == body[start : end + 1], header
        assert response.headers["Content-Range"] == f"bytes {start}-{end}/{len(body)}"


def test_unsatisfiable_range_is_416_and_malformed_range_is_ignored(api, north_bucket, key):
    api.put(north_bucket, key, b"0123456789")
    assert_error(api.call("GET", north_bucket, key, headers={"Range": "bytes=10-20"}), 416, "InvalidRange")
    for header in ("bytes=a-b", "lines=1-2", "bytes=0-1,3-4", "bytes=5-2"):
        response = api.call("GET", north_bucket, key, headers={"Range": header})
        assert response.status_code == 200 and response.content == b"0123456789", header


def test_unicode_key_round_trip(api, north_bucket):
    key = "dossier/élève 北京 #1?.txt"
    api.put(north_bucket, key, b"unicode")
    assert api.call("GET", north_bucket, key).content == b"unicode"
    listing = api.call("GET", north_bucket, query="prefix=dossier/").json()
    assert [c["Key"] for c in listing["Contents"]] == [key]
