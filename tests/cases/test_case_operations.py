"""Unit tests of conformance.operations: parsing of each answer, ApiError, assert_error, and the helpers the
cases rely on (the final-ETag formula against the documentation's example)."""

from __future__ import annotations

import json

import pytest
from case_helpers import CannedClient, canned_response

from conformance import operations as ops
from conformance.cases.support import multipart_etag, padded_key, payload

ERROR_BODY = {"code": "NoSuchUpload", "message": "x", "resource": "/b/k", "requestId": "R"}


def test_initiate_parses_bucket_key_upload_id():
    client = CannedClient(canned_response(200, {"Bucket": "b", "Key": "k", "UploadId": "U1"}))

    upload = ops.initiate(client, "b", "k", storage_class="STANDARD", encryption=True)

    assert (upload.bucket, upload.key, upload.upload_id) == ("b", "k", "U1")
    assert client.calls[0][1]["headers"] == [
        ("x-jss-storage-class", "STANDARD"),
        ("x-jss-server-side-encryption", "true"),
    ]


def test_initiate_reads_a_misspelled_field_case_insensitively():
    client = CannedClient(canned_response(200, {"Bucket": "b", "Key": "k", "UploadID": "U1"}))

    assert ops.initiate(client, "b", "k").upload_id == "U1"


def test_initiate_error_raises_api_error_with_status_and_code():
    client = CannedClient(canned_response(404, ERROR_BODY))

    with pytest.raises(ops.ApiError) as error:
        ops.initiate(client, "b", "k")

    assert (error.value.status, error.value.code, error.value.body) == (404, "NoSuchUpload", ERROR_BODY)


def test_success_without_json_is_malformed_response():
    client = CannedClient(canned_response(200, raw=b"<xml/>"))

    with pytest.raises(ops.MalformedResponse):
        ops.initiate(client, "b", "k")


def test_upload_part_unquotes_etag_and_orders_query():
    client = CannedClient(canned_response(200, headers={"ETag": '"abc"'}))

    part = ops.upload_part(client, "b", "k", "U1", 3, b"data", upload_id_first=True)

    assert (part.etag, part.part_number, client.calls[0][1]["query"]) == (
        "abc",
        3,
        [("uploadId", "U1"), ("partNumber", "3")],
    )


def test_complete_body_lists_parts_in_given_order_unquoted():
    body = json.loads(ops.complete_body([(2, '"bb"'), (1, "aa")]))

    assert body == {"Part": [{"PartNumber": 2, "ETag": "bb"}, {"PartNumber": 1, "ETag": "aa"}]}


def test_complete_parses_bucket_key_etag():
    client = CannedClient(canned_response(200, {"Bucket": "b", "Key": "k", "ETag": "e"}))

    done = ops.complete(client, "b", "k", "U1", [(1, "aa")])

    assert (done.bucket, done.key, done.etag) == ("b", "k", "e")


def test_list_parts_parses_parts_and_storage_class():
    document = {
        "Bucket": "b",
        "Key": "k",
        "UploadId": "U1",
        "StorageClass": "STANDARD",
        "Part": [{"PartNumber": 1, "LastModified": "Tue, 11 Jul 2017 12:39:15 GMT", "ETag": "e1", "Size": 5}],
    }
    client = CannedClient(canned_response(200, document))

    listing = ops.list_parts(client, "b", "k", "U1", max_parts=2, part_number_marker=1)

    assert (listing.storage_class, listing.parts) == (
        "STANDARD",
        [ops.PartInfo(1, "e1", 5, "Tue, 11 Jul 2017 12:39:15 GMT")],
    )
    assert client.calls[0][1]["query"] == [
        ("uploadId", "U1"),
        ("max-parts", "2"),
        ("part-number-marker", "1"),
    ]


@pytest.mark.parametrize(
    "listed, parsed", [("true", True), ("false", False), ("TRUE", True), ("maybe", None)]
)
def test_list_uploads_parses_enable_encryption(listed, parsed):
    upload = {
        "Key": "k",
        "UploadId": "U1",
        "Initiated": "d",
        "Enable-Encryption": listed,
        "StorageClass": "S",
    }
    client = CannedClient(canned_response(200, {"Bucket": "b", "Prefix": None, "Upload": [upload]}))

    assert ops.list_uploads(client, "b", prefix="k").uploads[0].encrypted is parsed


def test_head_object_reads_headers():
    headers = {"ETag": '"e"', "Content-Length": "12", "x-jss-storage-class": "STANDARD"}
    client = CannedClient(canned_response(200, headers=headers, method="HEAD"))

    info = ops.head_object(client, "b", "k")

    assert (info.etag, info.size, info.storage_class) == ("e", 12, "STANDARD")


def test_assert_error_accepts_status_code_and_four_keys():
    ops.assert_error(canned_response(404, ERROR_BODY), 404, "NoSuchUpload")


@pytest.mark.parametrize(
    "response",
    [
        pytest.param(canned_response(403, ERROR_BODY), id="other-status"),
        pytest.param(canned_response(404, dict(ERROR_BODY, code="NoSuchKey")), id="other-code"),
        pytest.param(
            canned_response(404, {k: v for k, v in ERROR_BODY.items() if k != "requestId"}), id="key-missing"
        ),
        pytest.param(
            canned_response(404, {k.capitalize(): v for k, v in ERROR_BODY.items()}), id="capitalized-keys"
        ),
        pytest.param(canned_response(404, raw=b"Not Found"), id="not-json"),
    ],
)
def test_assert_error_rejects(response):
    with pytest.raises(AssertionError):
        ops.assert_error(response, 404, "NoSuchUpload")


def test_assert_error_ignores_the_message():
    ops.assert_error(canned_response(404, dict(ERROR_BODY, message="anything else")), 404, "NoSuchUpload")


def test_assert_error_on_head_checks_status_only():
    ops.assert_error(canned_response(404, method="HEAD"), 404, "NoSuchKey")


def test_assert_error_takes_an_api_error():
    response = canned_response(404, ERROR_BODY)

    ops.assert_error(ops.ApiError(404, "NoSuchUpload", response), 404, "NoSuchUpload")


def test_multipart_etag_reproduces_the_documented_example():
    # CompleteMultipartUpload.md: the three part ETags of the request example and the ETag of its answer.
    parts = [
        "9223eed2740a549634ac58688d33b614",
        "aa286070fe65d16d39fb8997143ea564",
        "3b586f704fcd6b714fde125aeffc3e74",
    ]

    assert multipart_etag(parts) == "4e456c2fc34928a3e2fa202acf71870a"


def test_payload_is_deterministic_and_sized():
    assert payload(1000, seed=3) == payload(1000, seed=3) != payload(1000, seed=4) and len(payload(7)) == 7


def test_padded_key_has_exact_utf8_length():
    assert len(padded_key("ключ/", 1022).encode("utf-8")) == 1022
