"""Bucket operations of the reference endpoint: PutBucket, DeleteBucket, ListBuckets, GetBucket; regions."""

from __future__ import annotations

from ref_helpers import BOB, EAST, NORTH, assert_error


def test_put_bucket_is_201_with_request_id(api):
    response = api.call("PUT", "fresh-bucket-201")
    assert response.status_code == 201
    assert response.headers["x-jss-request-id"]
    assert response.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert api.call("DELETE", "fresh-bucket-201").status_code == 204


def test_put_existing_bucket_is_409(api, north_bucket):
    assert_error(api.call("PUT", north_bucket), 409, "BucketAlreadyOwnedByYou")
    assert_error(api.call("PUT", north_bucket, user=BOB), 409, "BucketAlreadyExists")


def test_invalid_bucket_names_are_invalid_bucket_name(api):
    for name in ("ab", "UPPER", "under_score", "x" * 64):
        assert_error(api.call("PUT", name), 400, "InvalidBucketName")


def test_list_buckets_reports_region_of_creation(api, north_bucket, east_bucket):
    response = api.call("GET")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json;charset=UTF-8"
    entries = {b["Name"]: b for b in response.json()["Buckets"]}
    assert entries[north_bucket]["Location"] == NORTH
    assert entries[east_bucket]["Location"] == EAST
    assert set(entries[north_bucket]) == {"Name", "CreationDate", "Location", "maxAge", "crrStatus"}


def test_delete_bucket_is_204_then_no_such_bucket(api):
    bucket = api.create_bucket()
    assert api.call("DELETE", bucket).status_code == 204
    assert_error(api.call("GET", bucket), 404, "NoSuchBucket")
    assert_error(api.call("DELETE", bucket), 404, "NoSuchBucket")


def test_delete_bucket_with_object_or_upload_is_bucket_not_empty(api):
    bucket = api.create_bucket()
    api.put(bucket, "k", b"x")
    assert_error(api.call("DELETE", bucket), 409, "BucketNotEmpty")
    assert api.call("DELETE", bucket, "k").status_code == 204
    upload_id = api.initiate(bucket, "k2")
    assert_error(api.call("DELETE", bucket), 409, "BucketNotEmpty")
    assert api.call("DELETE", bucket, "k2", f"uploadId={upload_id}").status_code == 204
    assert api.call("DELETE", bucket).status_code == 204


def test_head_bucket(api, north_bucket):
    assert api.call("HEAD", north_bucket).status_code == 200
    assert_error(api.call("HEAD", "no-such-bucket-here"), 404, "NoSuchBucket")


def test_operations_on_missing_bucket_are_no_such_bucket(api):
    assert_error(api.call("GET", "missing-bucket"), 404, "NoSuchBucket")
    assert_error(api.call("PUT", "missing-bucket", "k", data=b"x"), 404, "NoSuchBucket")
    assert_error(api.call("POST", "missing-bucket", "k", "uploads"), 404, "NoSuchBucket")


def test_get_bucket_lists_objects_with_prefix_marker_and_max_keys(api):
    bucket = api.create_bucket()
    keys = ["a/1", "a/2", "a/3", "b/1", "c"]
    for name in keys:
        api.put(bucket, name, name.encode())
    listing = api.call("GET", bucket).json()
    assert [c["Key"] for c in listing["Contents"]] == keys
    first = listing["Contents"][0]
    assert set(first) == {"Key", "LastModified", "ETag", "Size", "StorageClass"}
    assert first["Size"] == 3 and first["StorageClass"] == "STANDARD"
    page = api.call("GET", bucket, query="prefix=a/&maxKeys=2").json()
    assert [c["Key"] for c in page["Contents"]] == ["a/1", "a/2"]
    assert page["HasNext"] is True and page["NextMarker"] == "a/2" and page["MaxKeys"] == 2
    rest = api.call("GET", bucket, query="prefix=a/&maxKeys=2&marker=a/2").json()
    assert [c["Key"] for c in rest["Contents"]] == ["a/3"] and rest["HasNext"] is False


def test_get_bucket_with_delimiter_groups_common_prefixes(api):
    bucket = api.create_bucket()
    for name in ("a/1", "a/2", "b/x/1", "top"):
        api.put(bucket, name, b"x")
    listing = api.call("GET", bucket, query="delimiter=/").json()
    assert [c["Key"] for c in listing["Contents"]] == ["top"]
    assert listing["CommonPrefixes"] == ["a/", "b/"]
    nested = api.call("GET", bucket, query="delimiter=/&prefix=b/").json()
    assert nested["CommonPrefixes"] == ["b/x/"] and nested["Contents"] == []


def test_get_bucket_with_bad_max_keys_is_invalid_argument(api, north_bucket):
    assert_error(api.call("GET", north_bucket, query="maxKeys=ten"), 400, "InvalidArgument")


def test_bucket_region_is_fixed_at_creation_whatever_endpoint_is_used_later(api, east_bucket, key):
    # east_bucket was created through the cn-east-2 socket; a request reaching the cn-north-1 socket
    # still applies the bucket's own region.
    response = api.call(
        "POST", east_bucket, key, "uploads", {"x-jss-storage-class": "REDUCED_REDUNDANCY"}, region=NORTH
    )
    assert_error(response, 400, "InvalidStorageClass")


def test_method_not_allowed(api, north_bucket):
    assert_error(api.call("POST", north_bucket), 405, "MethodNotAllowed")
    assert_error(api.call("DELETE"), 405, "MethodNotAllowed")
