"""Multipart operations of the reference endpoint."""

from __future__ import annotations

import hashlib
import json
import os

from ref_helpers import EAST, MiB, assert_error, md5_hex

PART = 5 * MiB


def test_initiate_returns_bucket_key_upload_id(api, north_bucket, key):
    response = api.call("POST", north_bucket, key, "uploads")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert response.headers["x-jss-request-id"]
    body = response.json()
    assert set(body) == {"Bucket", "Key", "UploadId"}
    assert body["Bucket"] == north_bucket and body["Key"] == key
    assert isinstance(body["UploadId"], str) and len(body["UploadId"]) >= 16 and body["UploadId"].isupper()


def test_upload_ids_are_unique(api, north_bucket, key):
    ids = {api.initiate(north_bucket, key) for _ in range(20)}
    assert len(ids) == 20


def test_initiate_storage_class_default_rr_and_encryption(api, north_bucket, key):
    default = api.initiate(north_bucket, key)
    rr = api.initiate(north_bucket, key, {"x-jss-storage-class": "REDUCED_REDUNDANCY"})
    encrypted = api.initiate(north_bucket, key, {"x-jss-server-side-encryption": "true"})
    assert api.call("GET", north_bucket, key, f"uploadId={default}").json()["StorageClass"] == "STANDARD"
    assert api.call("GET", north_bucket, key, f"uploadId={rr}").json()["StorageClass"] == "REDUCED_REDUNDANCY"
    uploads = api.call("GET", north_bucket, query="uploads&prefix=" + key).json()["Upload"]
    by_id = {u["UploadId"]: u for u in uploads}
    assert by_id[encrypted]["Enable-Encryption"] == "true"
    assert by_id[default]["Enable-Encryption"] == "false"
    assert by_id[rr]["StorageClass"] == "REDUCED_REDUNDANCY"


def test_initiate_rr_outside_north_and_unknown_class_are_invalid_storage_class(
    api, north_bucket, east_bucket, key
):
    rr = api.call(
        "POST", east_bucket, key, "uploads", {"x-jss-storage-class": "REDUCED_REDUNDANCY"}, region=EAST
    )
    assert_error(rr, 400, "InvalidStorageClass")
    unknown = api.call("POST", north_bucket, key, "uploads", {"x-jss-storage-class": "COLD"})
    assert_error(unknown, 400, "InvalidStorageClass")
    assert api.call("GET", east_bucket, query="uploads&prefix=" + key, region=EAST).json()["Upload"] == []


def test_initiate_leaves_existing_object_untouched(api, north_bucket, key):
    api.put(north_bucket, key, b"existing object")
    upload_id = api.initiate(north_bucket, key)
    got = api.call("GET", north_bucket, key)
    assert got.content == b"existing object" and got.headers["ETag"] == f'"{md5_hex(b"existing object")}"'
    assert api.call("DELETE", north_bucket, key, f"uploadId={upload_id}").status_code == 204


def test_full_upload_etag_is_md5_of_concatenated_part_etags(api, north_bucket, key):
    parts = [os.urandom(PART), os.urandom(PART), b"tail"]
    upload_id = api.initiate(north_bucket, key)
    etags = [api.upload_part(north_bucket, key, upload_id, n, data) for n, data in enumerate(parts, 1)]
    assert etags == [md5_hex(p) for p in parts]
    response = api.complete(north_bucket, key, upload_id, list(enumerate(etags, 1)))
    assert response.status_code == 200, response.text
    expected = hashlib.md5("".join(etags).encode()).hexdigest()
    assert response.json() == {"Bucket": north_bucket, "Key": key, "ETag": expected}
    got = api.call("GET", north_bucket, key)
    assert got.content == b"".join(parts)
    assert got.headers["ETag"] == f'"{expected}"'


def test_documented_final_etag_example():
    etags = [
        "9223eed2740a549634ac58688d33b614",
        "aa286070fe65d16d39fb8997143ea564",
        "3b586f704fcd6b714fde125aeffc3e74",
    ]
    assert hashlib.md5("".join(etags).encode()).hexdigest() == "4e456c2fc34928a3e2fa202acf71870a"


def test_gaps_in_part_numbers_are_allowed(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    first = api.upload_part(north_bucket, key, upload_id, 1, b"a" * PART)
    fifth = api.upload_part(north_bucket, key, upload_id, 5, b"b")
    response = api.complete(north_bucket, key, upload_id, [(1, first), (5, fifth)])
    assert response.status_code == 200, response.text
    assert api.call("HEAD", north_bucket, key).headers["Content-Length"] == str(PART + 1)


def test_complete_may_leave_out_uploaded_parts(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    api.upload_part(north_bucket, key, upload_id, 1, b"left out")
    kept = api.upload_part(north_bucket, key, upload_id, 2, b"kept")
    assert api.complete(north_bucket, key, upload_id, [(2, kept)]).status_code == 200
    assert api.call("GET", north_bucket, key).content == b"kept"


def test_reupload_replaces_the_part(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    api.upload_part(north_bucket, key, upload_id, 1, b"first try")
    second = api.upload_part(north_bucket, key, upload_id, 1, b"second try")
    parts = api.call("GET", north_bucket, key, f"uploadId={upload_id}").json()["Part"]
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in parts] == [(1, second, 10)]
    assert api.complete(north_bucket, key, upload_id, [(1, second)]).status_code == 200
    assert api.call("GET", north_bucket, key).content == b"second try"


def test_part_content_md5(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    query = f"partNumber=1&uploadId={upload_id}"
    good = api.call("PUT", north_bucket, key, query, {"Content-MD5": md5_hex(b"part")}, data=b"part")
    assert good.status_code == 200
    bad = api.call("PUT", north_bucket, key, query, {"Content-MD5": md5_hex(b"else")}, data=b"part")
    assert_error(bad, 400, "BadDigest")


def test_bad_part_numbers(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    for number, status, code in (
        ("0", 400, "InvalidArgument"),
        ("-1", 400, "InvalidArgument"),
        ("abc", 400, "InvalidArgument"),
        ("", 400, "InvalidArgument"),
        ("10001", 400, "TooManyParts"),
    ):
        response = api.call("PUT", north_bucket, key, f"partNumber={number}&uploadId={upload_id}", data=b"x")
        assert_error(response, status, code)
    assert (
        api.call("PUT", north_bucket, key, f"partNumber=10000&uploadId={upload_id}", data=b"x").status_code
        == 200
    )


def test_blank_and_unknown_upload_ids(api, north_bucket, key):
    assert_error(
        api.call("PUT", north_bucket, key, "partNumber=1&uploadId=", data=b"x"), 400, "InvalidArgument"
    )
    assert_error(api.call("GET", north_bucket, key, "uploadId="), 400, "InvalidArgument")
    for upload_id in ("0123456789ABCDEF0123456789ABCDEF", "../../etc", "nope"):
        response = api.call("PUT", north_bucket, key, f"partNumber=1&uploadId={upload_id}", data=b"x")
        assert_error(response, 404, "NoSuchUpload")
        assert_error(api.call("GET", north_bucket, key, f"uploadId={upload_id}"), 404, "NoSuchUpload")
        assert_error(api.call("DELETE", north_bucket, key, f"uploadId={upload_id}"), 404, "NoSuchUpload")
        assert_error(api.complete(north_bucket, key, upload_id, [(1, "x")]), 404, "NoSuchUpload")


def test_upload_id_of_another_key_is_no_such_upload(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    etag = api.upload_part(north_bucket, key, upload_id, 1, b"x")
    other = key + "-other"
    assert_error(api.call("GET", north_bucket, other, f"uploadId={upload_id}"), 404, "NoSuchUpload")
    part = api.call("PUT", north_bucket, other, f"partNumber=2&uploadId={upload_id}", data=b"y")
    assert_error(part, 404, "NoSuchUpload")
    assert_error(api.complete(north_bucket, other, upload_id, [(1, etag)]), 404, "NoSuchUpload")
    assert_error(api.call("DELETE", north_bucket, other, f"uploadId={upload_id}"), 404, "NoSuchUpload")
    listed = api.call("GET", north_bucket, key, f"uploadId={upload_id}").json()["Part"]
    assert [p["PartNumber"] for p in listed] == [1]


def test_upload_id_is_invalid_after_complete(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    etag = api.upload_part(north_bucket, key, upload_id, 1, b"only")
    assert api.complete(north_bucket, key, upload_id, [(1, etag)]).status_code == 200
    assert_error(api.call("GET", north_bucket, key, f"uploadId={upload_id}"), 404, "NoSuchUpload")
    again = api.call("PUT", north_bucket, key, f"partNumber=2&uploadId={upload_id}", data=b"late")
    assert_error(again, 404, "NoSuchUpload")
    assert_error(api.complete(north_bucket, key, upload_id, [(1, etag)]), 404, "NoSuchUpload")


def test_abort_is_204_then_no_such_upload(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    api.upload_part(north_bucket, key, upload_id, 1, b"x")
    response = api.call("DELETE", north_bucket, key, f"uploadId={upload_id}")
    assert response.status_code == 204 and response.content == b""
    assert_error(api.call("DELETE", north_bucket, key, f"uploadId={upload_id}"), 404, "NoSuchUpload")
    assert_error(api.call("GET", north_bucket, key, f"uploadId={upload_id}"), 404, "NoSuchUpload")


def test_complete_with_wrong_etag_or_missing_part_is_invalid_part(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    etag = api.upload_part(north_bucket, key, upload_id, 1, b"x")
    assert_error(api.complete(north_bucket, key, upload_id, [(1, md5_hex(b"y"))]), 400, "InvalidPart")
    assert_error(api.complete(north_bucket, key, upload_id, [(1, etag), (2, etag)]), 400, "InvalidPart")
    assert api.complete(north_bucket, key, upload_id, [(1, f'"{etag.upper()}"')]).status_code == 200


def test_complete_out_of_order_is_invalid_part_order(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    one = api.upload_part(north_bucket, key, upload_id, 1, b"1" * PART)
    two = api.upload_part(north_bucket, key, upload_id, 2, b"2" * PART)
    assert_error(api.complete(north_bucket, key, upload_id, [(2, two), (1, one)]), 400, "InvalidPartOrder")
    assert_error(api.complete(north_bucket, key, upload_id, [(1, one), (1, one)]), 400, "InvalidPartOrder")


def test_small_non_final_part_is_entity_too_small(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    small = api.upload_part(north_bucket, key, upload_id, 1, b"s" * (PART - 1))
    last = api.upload_part(north_bucket, key, upload_id, 2, b"last")
    assert_error(api.complete(north_bucket, key, upload_id, [(1, small), (2, last)]), 400, "EntityTooSmall")
    assert api.complete(north_bucket, key, upload_id, [(1, small)]).status_code == 200


def test_min_part_size_option(make_reference):
    small_api = make_reference(min_part_size=1024)
    bucket = small_api.create_bucket()
    upload_id = small_api.initiate(bucket, "k")
    one = small_api.upload_part(bucket, "k", upload_id, 1, b"a" * 1024)
    two = small_api.upload_part(bucket, "k", upload_id, 2, b"b" * 1023)
    three = small_api.upload_part(bucket, "k", upload_id, 3, b"c")
    parts = [(1, one), (2, two), (3, three)]
    assert_error(small_api.complete(bucket, "k", upload_id, parts), 400, "EntityTooSmall")
    assert small_api.complete(bucket, "k", upload_id, [(1, one), (2, two)]).status_code == 200


def test_malformed_complete_bodies_are_malformed_json(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    etag = api.upload_part(north_bucket, key, upload_id, 1, b"x")
    query = f"uploadId={upload_id}"
    bodies = [
        b"{not json",
        b"[]",
        b'{"Part": []}',
        b'{"Part": {}}',
        b'{"Part": [{"PartNumber": "1", "ETag": "x"}]}',
        b'{"Part": [{"PartNumber": 1}]}',
        b'{"Part": [{"PartNumber": true, "ETag": "x"}]}',
        b"\xff\xfe",
    ]
    for body in bodies:
        assert_error(api.call("POST", north_bucket, key, query, data=body), 400, "MalformedJSON")
    assert api.complete(north_bucket, key, upload_id, [(1, etag)]).status_code == 200


def test_list_parts_fields_and_paging(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    etags = {
        n: api.upload_part(north_bucket, key, upload_id, n, str(n).encode() * n) for n in (3, 1, 7, 5, 2)
    }
    listing = api.call("GET", north_bucket, key, f"uploadId={upload_id}").json()
    assert {"Bucket", "Key", "UploadId", "Part", "StorageClass"} <= set(listing)
    assert (listing["Bucket"], listing["Key"], listing["UploadId"]) == (north_bucket, key, upload_id)
    assert [p["PartNumber"] for p in listing["Part"]] == [1, 2, 3, 5, 7]
    part = listing["Part"][2]
    assert set(part) == {"PartNumber", "LastModified", "ETag", "Size"}
    assert part["ETag"] == etags[3] and part["Size"] == 3 and part["LastModified"].endswith("GMT")
    page = api.call("GET", north_bucket, key, f"uploadId={upload_id}&max-parts=2").json()
    assert [p["PartNumber"] for p in page["Part"]] == [1, 2] and page["IsTruncated"] is True
    rest = api.call("GET", north_bucket, key, f"uploadId={upload_id}&max-parts=2&part-number-marker=2").json()
    assert [p["PartNumber"] for p in rest["Part"]] == [3, 5] and rest["NextPartNumberMarker"] == 5
    last = api.call("GET", north_bucket, key, f"uploadId={upload_id}&part-number-marker=5").json()
    assert [p["PartNumber"] for p in last["Part"]] == [7] and last["IsTruncated"] is False
    assert_error(
        api.call("GET", north_bucket, key, f"uploadId={upload_id}&max-parts=x"), 400, "InvalidArgument"
    )


def test_list_uploads_prefix_max_uploads_and_order(api):
    bucket = api.create_bucket()
    started = [(k, api.initiate(bucket, k)) for k in ("b/2", "a/1", "b/1", "a/1", "c")]
    listing = api.call("GET", bucket, query="uploads").json()
    assert listing["Bucket"] == bucket and listing["Prefix"] == ""
    got = [(u["Key"], u["UploadId"]) for u in listing["Upload"]]
    assert got == sorted(started)
    entry = listing["Upload"][0]
    assert set(entry) == {"Key", "UploadId", "Initiated", "Enable-Encryption", "StorageClass"}
    assert entry["Enable-Encryption"] == "false" and entry["StorageClass"] == "STANDARD"
    prefixed = api.call("GET", bucket, query="uploads&prefix=b/").json()
    assert [u["Key"] for u in prefixed["Upload"]] == ["b/1", "b/2"] and prefixed["Prefix"] == "b/"
    limited = api.call("GET", bucket, query="uploads&max-uploads=2").json()
    assert [(u["Key"], u["UploadId"]) for u in limited["Upload"]] == sorted(started)[:2]
    assert limited["IsTruncated"] is True
    marker = f"uploads&key-marker={limited['NextKeyMarker']}&upload-id-marker={limited['NextUploadIdMarker']}"
    rest = api.call("GET", bucket, query=marker).json()
    assert [(u["Key"], u["UploadId"]) for u in rest["Upload"]] == sorted(started)[2:]
    assert_error(api.call("GET", bucket, query="uploads&max-uploads=-1"), 400, "InvalidArgument")


def test_completed_object_keeps_upload_storage_class(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key, {"x-jss-storage-class": "REDUCED_REDUNDANCY"})
    etag = api.upload_part(north_bucket, key, upload_id, 1, b"rr")
    assert api.complete(north_bucket, key, upload_id, [(1, etag)]).status_code == 200
    assert api.call("HEAD", north_bucket, key).headers["x-jss-storage-class"] == "REDUCED_REDUNDANCY"


def test_upload_part_without_content_length_is_missing_content_length(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    response = api.call(
        "PUT", north_bucket, key, f"partNumber=1&uploadId={upload_id}", data=iter([b"a", b"b"])
    )
    assert_error(response, 411, "MissingContentLength")


def test_more_than_10000_matching_uploads_is_too_many_multipart_uploads(make_reference):
    server = make_reference()
    bucket = server.create_bucket()
    server.initiate(bucket, "other/key")
    template = json.loads(
        next((server.reference.data_dir / "buckets" / bucket / "uploads").iterdir())
        .joinpath("upload.json")
        .read_text()
    )
    uploads = server.reference.data_dir / "buckets" / bucket / "uploads"
    for index in range(10001):  # written straight into the data dir: 10001 initiates over HTTP take too long
        upload_id = f"{index:032X}"
        (uploads / upload_id).mkdir()
        manifest = {**template, "key": f"many/{index:05d}", "upload_id": upload_id}
        (uploads / upload_id / "upload.json").write_text(json.dumps(manifest))
    assert_error(server.call("GET", bucket, query="uploads"), 400, "TooManyMultipartUploads")
    assert_error(server.call("GET", bucket, query="uploads&prefix=many/"), 400, "TooManyMultipartUploads")
    narrowed = server.call("GET", bucket, query="uploads&prefix=other/").json()["Upload"]
    assert [u["Key"] for u in narrowed] == ["other/key"]
