"""Numbers, dates and JSON bodies from the wire: one regression test per reproduction of issue 8 (each was a
500 InternalError or a crash), every one now a JSON 4xx answered before any work."""

from __future__ import annotations

import pytest
import requests
from ref_helpers import ALICE, assert_error, raw_exchange, signed_raw_headers, target_of

HUGE = "9" * 4301  # one digit past Python's default int conversion limit
SUPERSCRIPT_TWO = "%C2%B2"  # '²': str.isdigit() says yes, int() says no
BAD_NUMBERS = [SUPERSCRIPT_TWO, HUGE, "%D9%A3", "-1", "+1", "1_0", "%201", "0x10", "1.5"]


@pytest.fixture
def upload(api, north_bucket, key) -> tuple[str, str]:
    """(key, upload id) of an upload in progress, aborted afterwards."""
    upload_id = api.initiate(north_bucket, key)
    yield key, upload_id
    api.call("DELETE", north_bucket, key, f"uploadId={upload_id}")


@pytest.mark.parametrize(
    "date",
    [
        "Thu, 13 Jul 99999999999999999999 02:37:31 GMT",
        "Thu, 13 Jul 2017 02:37:31 +99999999999999999999",
        "Thu, 13 Jul 2017 02:37:31 +0000",
        "Thu, 31 Feb 2017 02:37:31 GMT",
        "Thu, 13 Jul 2017 99:37:31 GMT",
        "Thursday, 13-Jul-17 02:37:31 GMT",
        "Thu Jul 13 02:37:31 2017",
        "Thu, ١٣ Jul 2017 02:37:31 GMT",
    ],
)
def test_a_date_the_spec_does_not_allow_is_refused_with_garbage_signature(api, north_bucket, date):
    # needs no valid signature, only a known access key: the date is read before the signature is checked
    headers = {"Date": date.encode(), "Authorization": f"jingdong {ALICE.access_key}:garbage"}
    response = requests.get(api.url() + target_of(north_bucket, "o"), headers=headers)
    assert_error(response, 403, "AccessDenied")


@pytest.mark.parametrize("expires", [SUPERSCRIPT_TWO, HUGE, "%D9%A3", "-1", "1e9"])
def test_presigned_expires_that_is_not_a_decimal_is_invalid_uri(api, north_bucket, expires):
    query = f"Expires={expires}&AccessKey={ALICE.access_key}&Signature=x"
    response = requests.get(api.url() + target_of(north_bucket, "o", query))
    assert_error(response, 400, "InvalidURI")


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_max_keys_that_is_not_a_decimal_is_invalid_argument(api, north_bucket, value):
    assert_error(api.call("GET", north_bucket, query=f"maxKeys={value}"), 400, "InvalidArgument")


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_max_uploads_that_is_not_a_decimal_is_invalid_argument(api, north_bucket, value):
    response = api.call("GET", north_bucket, query=f"uploads&max-uploads={value}")
    assert_error(response, 400, "InvalidArgument")


@pytest.mark.parametrize("name", ["max-parts", "part-number-marker"])
@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_list_parts_paging_that_is_not_a_decimal_is_invalid_argument(api, north_bucket, upload, name, value):
    key, upload_id = upload
    response = api.call("GET", north_bucket, key, f"uploadId={upload_id}&{name}={value}")
    assert_error(response, 400, "InvalidArgument")


@pytest.mark.parametrize("value", BAD_NUMBERS)
def test_part_number_that_is_not_a_decimal_is_invalid_argument(api, north_bucket, upload, value):
    key, upload_id = upload
    response = api.call("PUT", north_bucket, key, f"partNumber={value}&uploadId={upload_id}", data=b"x")
    assert_error(response, 400, "InvalidArgument")


def test_part_number_above_the_limit_is_still_too_many_parts(api, north_bucket, upload):
    key, upload_id = upload
    for value in ("10001", "2147483647"):
        response = api.call("PUT", north_bucket, key, f"partNumber={value}&uploadId={upload_id}", data=b"x")
        assert_error(response, 400, "TooManyParts")


def test_paging_values_above_the_maximum_are_capped(api, north_bucket):
    assert api.call("GET", north_bucket, query="maxKeys=2147483647").json()["MaxKeys"] == 1000
    listing = api.call("GET", north_bucket, query="uploads&max-uploads=0002147483647").json()
    assert listing["MaxUploads"] == 10000


def test_range_with_a_4301_digit_first_position_is_not_satisfiable(api, north_bucket, key):
    api.put(north_bucket, key, b"0123456789")
    response = api.call("GET", north_bucket, key, headers={"Range": f"bytes={HUGE}-"})
    assert_error(response, 416, "InvalidRange")


@pytest.mark.parametrize("header", [f"bytes=2-{HUGE}", f"bytes=-{HUGE}", "bytes=²-3", "bytes=٣-4"])
def test_range_with_huge_or_non_ascii_numbers_reads_as_rfc_9110_says(api, north_bucket, key, header):
    # a last position / suffix past the object means "to the end" / "all"; a malformed header is ignored
    api.put(north_bucket, key, b"0123456789")
    response = api.call("GET", north_bucket, key, headers={"Range": header.encode()})
    expected = {f"bytes=2-{HUGE}": b"23456789"}.get(header, b"0123456789")
    assert response.status_code in (200, 206) and response.content == expected


@pytest.mark.parametrize("value", [HUGE, "1" + "0" * 30, "٣", "²"])
def test_content_length_that_is_not_a_bounded_decimal_is_a_json_400(api, north_bucket, value):
    target = target_of(north_bucket, "cl")
    head = f"PUT {target} HTTP/1.1\r\nHost: x\r\nContent-Length: {value}\r\nConnection: close\r\n"
    request = (head + signed_raw_headers("PUT", target) + "\r\n").encode() + b"x"
    [response] = raw_exchange(api.url(), request)
    assert response.status == 400
    assert set(response.json()) == {"code", "message", "resource", "requestId"}


@pytest.mark.parametrize(
    "body",
    [
        '{"Part": [{"PartNumber": ' + HUGE + ', "ETag": "x"}]}',
        "[" * 100000,
        '{"Part": ' + "[" * 100000 + "]" * 100000 + "}",
        '{"Part": [{"PartNumber": NaN, "ETag": "x"}]}',
        '{"Part": [{"PartNumber": 1e400, "ETag": "x"}]}',
        '{"Part": [{"PartNumber": 1, "ETag": "x"}]',
        '{"Part": [{"PartNumber": 1, "ETag": "\\ud800"}], "x": "' + '\\"' * 10000,
        "\xff\xfe",
    ],
    ids=["4301-digit-part-number", "deep-array", "deep-part-list", "nan", "huge-float", "unclosed",
         "unterminated-string", "not-utf8"],
)
def test_complete_body_that_is_not_a_bounded_json_part_list_is_malformed_json(
    api, north_bucket, upload, body
):
    key, upload_id = upload
    data = body.encode("latin-1") if body == "\xff\xfe" else body.encode()
    response = api.call("POST", north_bucket, key, f"uploadId={upload_id}", data=data)
    assert_error(response, 400, "MalformedJSON")


def test_max_uploads_zero_with_an_upload_in_progress_lists_nothing(api, north_bucket, upload):
    response = api.call("GET", north_bucket, query="uploads&max-uploads=0")
    assert response.status_code == 200, response.text
    listing = response.json()
    assert (listing["Upload"], listing["MaxUploads"], listing["IsTruncated"]) == ([], 0, True)


def test_max_keys_zero_lists_nothing(api, north_bucket, key):
    api.put(north_bucket, key, b"x")
    response = api.call("GET", north_bucket, query="maxKeys=0")
    assert response.status_code == 200, response.text
    assert (response.json()["Contents"], response.json()["MaxKeys"]) == ([], 0)


def test_oversized_and_malformed_head_is_answered_once_without_an_error_logged(api, reference):
    before = reference.stderr_tail(10_000).count("write_eof")
    request = (
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"h" * 20_000 + b"\r\nBad Header Name: x\r\n\r\n"
    )
    responses = raw_exchange(api.url(), request)
    assert [r.status for r in responses] == [400]
    assert set(responses[0].json()) == {"code", "message", "resource", "requestId"}
    assert api.call("GET").status_code == 200
    tail = reference.stderr_tail(10_000)
    assert tail.count("write_eof") == before, tail[-2000:]

