"""Bad input: unsafe keys, malformed requests, huge headers, wrong Content-Length. Always a 4xx JSON error,
never a file outside the data dir."""

from __future__ import annotations

import os
from urllib.parse import quote

import pytest
import requests
from ref_helpers import ALICE, USERS, Api, assert_error, raw_exchange, signed_raw_headers, target_of

from conformance import signing
from conformance.reference.launch import start_reference


def signed_get_or_put(api, method: str, target: str, body: bytes = b"") -> requests.Response:
    """A request to a target written by hand (percent-encoding kept as is), signed for it."""
    headers = {"Date": signing.http_date()}
    resource = signing.resource_from_target(target)
    headers["Authorization"] = signing.sign_request(
        method, resource, headers, ALICE.access_key, ALICE.secret_key
    ).authorization
    return requests.request(method, api.url() + target, headers=headers, data=body)


def raw_signed_put(target: str, content_length: int, body: bytes, *, close: bool = False) -> bytes:
    """A signed PUT of `target` as raw bytes: the Content-Length given (true or not), then `body`."""
    connection = "Connection: close\r\n" if close else ""
    head = f"PUT {target} HTTP/1.1\r\nHost: x\r\nContent-Length: {content_length}\r\n{connection}"
    return (head + signed_raw_headers("PUT", target) + "\r\n").encode() + body


@pytest.fixture(scope="module")
def confined_root(tmp_path_factory):
    """A folder holding nothing but the data dir of the confined server."""
    return tmp_path_factory.mktemp("confined")


@pytest.fixture(scope="module")
def confined(confined_root):
    """A server whose data dir is <confined_root>/data, so anything written beside it can be seen."""
    with start_reference(users=USERS, data_dir=confined_root / "data") as process:
        server = Api(process)
        yield server, server.create_bucket()


def assert_nothing_outside_data_dir(root, marker: str) -> None:
    """Only the data dir exists in `root`, and no path anywhere in or around it names `marker`."""
    assert [p.name for p in root.iterdir()] == ["data"]
    assert not [p for p in root.parent.rglob(f"*{marker}*")]


@pytest.mark.parametrize(
    "encoded_key", ["%2E%2E/%2E%2E/{m}", "a/%2E%2E/%2E%2E/%2E%2E/{m}", "%2E%2E", "a/%2E/{m}", "..%2F..%2F{m}"]
)
def test_dot_segments_are_refused(confined, confined_root, encoded_key):
    api, bucket = confined
    marker = "escape-" + os.urandom(4).hex()
    for method in ("PUT", "POST"):
        target = f"/{bucket}/{encoded_key.format(m=marker)}" + ("?uploads" if method == "POST" else "")
        response = signed_get_or_put(api, method, target, b"payload")
        assert_error(response, 400, "InvalidArgument")
    assert_nothing_outside_data_dir(confined_root, marker)


def test_literal_dot_segments_on_the_wire_are_refused(confined, confined_root):
    api, bucket = confined
    marker = "escape-" + os.urandom(4).hex()
    target = f"/{bucket}/../../{marker}"
    [response] = raw_exchange(api.url(), raw_signed_put(target, 3, b"abc", close=True))
    assert response.status == 400 and response.json()["code"] == "InvalidArgument"
    assert_nothing_outside_data_dir(confined_root, marker)


@pytest.mark.parametrize("character", ["%00", "%01", "%0A", "%0D", "%1F", "%7F"])
def test_control_characters_in_keys_are_refused(confined, confined_root, character):
    api, bucket = confined
    marker = "control-" + os.urandom(4).hex()
    response = signed_get_or_put(api, "PUT", f"/{bucket}/{marker}{character}key", b"x")
    assert_error(response, 400, "InvalidArgument")
    assert_nothing_outside_data_dir(confined_root, marker)


def test_key_length_limit_is_1022_bytes(api, north_bucket):
    fits = "é" * 511  # 1022 bytes of UTF-8
    api.put(north_bucket, fits, b"longest key")
    assert api.call("GET", north_bucket, fits).content == b"longest key"
    too_long = "k" * 1023
    assert_error(api.call("PUT", north_bucket, too_long, data=b"x"), 400, "InvalidArgument")
    assert_error(api.call("POST", north_bucket, too_long, "uploads"), 400, "InvalidArgument")


def test_undecodable_path_is_invalid_uri(api, north_bucket):
    response = requests.get(api.url() + f"/{north_bucket}/%FF%FE", headers={"Date": signing.http_date()})
    assert_error(response, 400, "InvalidURI")


def test_unsafe_bucket_names_never_touch_the_disk(confined, confined_root):
    api, _ = confined
    marker = "escape-" + os.urandom(4).hex()
    for bucket in ("%2E%2E", f"..%2F{marker}", "a%00b", f"%2E%2E%2F%2E%2E%2F{marker}"):
        response = signed_get_or_put(api, "PUT", f"/{bucket}/k", b"x")
        assert response.status_code in (400, 404), response.text
        assert response.json()["code"] in ("NoSuchBucket", "InvalidArgument")
        created = signed_get_or_put(api, "PUT", f"/{bucket}")
        assert created.status_code in (400, 404)
        assert created.json()["code"] in ("InvalidBucketName", "NoSuchBucket", "InvalidArgument")
    assert_nothing_outside_data_dir(confined_root, marker)


def test_header_section_too_large_is_a_json_400(api, north_bucket):
    response = api.call("GET", north_bucket, headers={"x-jss-meta-big": "v" * 20_000})
    assert_error(response, 400, "RequestHeaderSectionTooLarge")


def test_huge_header_is_refused_without_reading_it_all(api):
    request = b"GET / HTTP/1.1\r\nHost: x\r\nX-Huge: " + b"h" * (4 * 1024 * 1024) + b"\r\n\r\n"
    [response] = raw_exchange(api.url(), request)
    assert response.status == 400
    assert response.json()["code"] == "RequestHeaderSectionTooLarge"
    assert response.headers["x-jss-request-id"] == response.json()["requestId"]


def test_unparsable_request_is_a_json_400(api):
    for request in (
        b"THIS IS NOT HTTP\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: ten\r\n\r\n",
        b"GET / HTTP/1.1\r\nBad Header Name: x\r\n\r\n",
    ):
        [response] = raw_exchange(api.url(), request)
        assert response.status == 400
        assert response.headers["content-type"] == "application/json;charset=UTF-8"
        assert set(response.json()) == {"code", "message", "resource", "requestId"}


def test_content_length_shorter_than_body_is_one_json_400_and_nothing_stored(api, north_bucket, key):
    # The first Content-Length bytes are a body; the rest is an unparsable next request, which poisons the
    # connection: one 400 JSON error, and the request before it is dropped unanswered and unstored.
    target = target_of(north_bucket, key)
    [response] = raw_exchange(api.url(), raw_signed_put(target, 5, b"hello, and then some garbage"))
    assert response.status == 400 and response.json()["code"] == "InvalidRequest"
    assert_error(api.call("GET", north_bucket, key), 404, "NoSuchKey")


def test_content_length_longer_than_body_leaves_nothing_behind(confined, confined_root):
    api, bucket = confined
    target = target_of(bucket, "truncated")
    request = raw_signed_put(target, 1_000_000, b"only a little")
    assert raw_exchange(api.url(), request, shut_write=True) == []
    assert_error(api.call("GET", bucket, "truncated"), 404, "NoSuchKey")
    tmp_dir = confined_root / "data" / "tmp"
    assert [p for p in tmp_dir.iterdir() if not p.name.startswith("json.")] == []


def test_percent_encoded_slash_and_unicode_keys_are_plain_keys(api, north_bucket):
    key = "dir/a%2Fb é"  # a literal '%2F' in the key
    api.put(north_bucket, key, b"literal")
    assert api.call("GET", north_bucket, key).content == b"literal"
    assert quote(key, safe="/") in target_of(north_bucket, key)


def test_raw_non_ascii_bytes_in_the_request_line_are_a_json_400(api, north_bucket):
    # clients percent-encode keys; raw UTF-8 in the request line is refused by the HTTP parser, as JSON
    target = f"/{north_bucket}/raw-ünïcödé"
    request = (
        f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        + signed_raw_headers("GET", target)
        + "\r\n"
    ).encode("utf-8")
    [response] = raw_exchange(api.url(), request)
    assert response.status == 400 and response.json()["code"] == "InvalidRequest"
