"""Direct HTTP checks of the deviations of the reference endpoint, one per switch (run by
test_ref_deviations.py).

Each check gets an Api and a fresh bucket of cn-north-1. It runs against a server with its deviation switched
on, shared with the other deviations of its group (none of which changes what the check looks at), and must
fail against the faithful server.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import requests
from ref_helpers import ALICE, Api, RefUser, md5_hex, raw_exchange

from conformance import signing

#: deviation -> (group, check); a check gets an Api and a fresh bucket of cn-north-1.
CHECKS: dict[str, tuple[str, Callable[[Api, str], None]]] = {}
#: Options of the servers of a group (the deviant one and its faithful twin), besides the deviations.
GROUP_OPTIONS = {"complete": {"min_part_size": 1}, "lists": {"min_part_size": 1024}}


def check(deviation: str, group: str):
    """Register the decorated function as the direct check of `deviation`, run on the server of `group`."""

    def register(function: Callable[[Api, str], None]) -> Callable[[Api, str], None]:
        CHECKS[deviation] = (group, function)
        return function

    return register


def _error(response: requests.Response, status: int, code: str) -> None:
    try:
        answered = response.json().get("code")
    except ValueError:
        answered = None
    assert (response.status_code, answered) == (status, code), response.text


def _parts(api: Api, bucket: str, key: str, upload_id: str, query: str = "") -> list[dict]:
    response = api.call("GET", bucket, key, f"uploadId={upload_id}{query}")
    assert response.status_code == 200, response.text
    return response.json()["Part"]


def _listed(api: Api, bucket: str, query: str = "") -> list[str]:
    response = api.call("GET", bucket, None, "uploads" + query)
    assert response.status_code == 200, response.text
    return [upload["Key"] for upload in response.json()["Upload"]]


@check("clock-skew-window-5-minutes", "signing")
def _skew(api, bucket):
    _error(api.call("GET", bucket, date=signing.http_date(time.time() - 600)), 403, "RequestTimeTooSkewed")


@check("malformed-authorization-403", "signing")
def _malformed(api, bucket):
    _error(api.call("GET", bucket, headers={"Authorization": "jingdong"}, user=None), 403, "AccessDenied")


@check("unknown-access-key-signature-mismatch", "signing")
def _unknown_key(api, bucket):
    _error(api.call("GET", bucket, user=RefUser("x", "AKUNKNOWN", "s")), 403, "SignatureDoesNotMatch")


@check("anonymous-list-buckets-allowed", "signing")
def _anonymous(api, bucket):
    response = api.call("GET", user=None)
    assert (response.status_code, response.json()) == (200, {"Buckets": []}), response.text


@check("presigned-expires-as-milliseconds", "signing")
def _milliseconds(api, bucket):
    _error(requests.get(api.presigned_url("GET", bucket, "k", int(time.time()) + 300)), 400, "ExpiredToken")


@check("presigned-incomplete-as-anonymous", "signing")
def _incomplete(api, bucket):
    url = api.presigned_url("GET", bucket, "k", int(time.time()) + 300)
    _error(requests.get(url.split("&Signature=")[0]), 403, "AccessDenied")


@check("canonical-headers-unsorted", "signing")
def _unsorted(api, bucket):
    headers = {"x-jss-storage-class": "STANDARD", "x-jss-server-side-encryption": "false"}
    _error(api.call("POST", bucket, "k", "uploads", headers=headers), 403, "SignatureDoesNotMatch")


@check("header-names-case-sensitive", "signing")
def _mixed_case(api, bucket):
    headers = {"X-JSS-Storage-Class": "STANDARD"}
    _error(api.call("POST", bucket, "k", "uploads", headers=headers), 403, "SignatureDoesNotMatch")


@check("duplicate-headers-last-wins", "signing")
def _duplicates(api, bucket):
    target = f"/{bucket}/k?uploads"
    pairs = [("Date", signing.http_date()), ("x-jss-meta-note", "first"), ("x-jss-meta-note", "second")]
    signed = signing.sign_request(
        "POST", signing.resource_from_target(target), pairs, ALICE.access_key, ALICE.secret_key
    )
    lines = "".join(f"{n}: {v}\r\n" for n, v in [*pairs, ("Authorization", signed.authorization)])
    payload = f"POST {target} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n{lines}\r\n"
    (response,) = raw_exchange(api.url(), payload.encode())
    assert (response.status, response.json().get("code")) == (403, "SignatureDoesNotMatch"), response.body


@check("virtual-host-resource-without-bucket", "signing")
def _virtual_host(api, bucket):
    _error(api.call("GET", bucket, virtual_host=True), 403, "SignatureDoesNotMatch")


@check("resource-key-percent-encoded", "signing")
def _encoded_key(api, bucket):
    _error(api.call("POST", bucket, "a b", "uploads"), 403, "SignatureDoesNotMatch")


@check("subresource-order-as-sent", "signing")
def _as_sent(api, bucket):
    upload_id = api.initiate(bucket, "k")
    _error(api.call("PUT", bucket, "k", f"uploadId={upload_id}&partNumber=1"), 403, "SignatureDoesNotMatch")


@check("content-md5-base64-only", "signing")
def _hex_md5(api, bucket):
    hex_md5 = {"Content-MD5": md5_hex(b"x")}
    _error(api.call("PUT", bucket, "o", headers=hex_md5, data=b"x"), 400, "InvalidDigest")


@check("no-request-id", "responses")
def _no_request_id(api, bucket):
    assert "x-jss-request-id" not in api.call("POST", bucket, "k", "uploads").headers


@check("content-type-text-plain", "responses")
def _text_plain(api, bucket):
    assert api.call("POST", bucket, "k", "uploads").headers["Content-Type"] == "text/plain;charset=UTF-8"


@check("error-body-uppercase-keys", "responses")
def _uppercase_error(api, bucket):
    body = api.call("GET", bucket, "k", "uploadId=" + "0" * 32).json()
    assert set(body) == {"Code", "Message", "Resource", "RequestId"}, body


@check("abort-returns-200", "responses")
def _abort_200(api, bucket):
    assert api.call("DELETE", bucket, "k", f"uploadId={api.initiate(bucket, 'k')}").status_code == 200


@check("upload-part-returns-json-body", "responses")
def _part_body(api, bucket):
    response = api.call("PUT", bucket, "k", f"partNumber=1&uploadId={api.initiate(bucket, 'k')}", data=b"x")
    assert response.content and json.loads(response.content) == {"ETag": md5_hex(b"x")}, response.content


@check("complete-response-renamed", "responses")
def _complete_renamed(api, bucket):
    upload_id = api.initiate(bucket, "k")
    etag = api.upload_part(bucket, "k", upload_id, 1, b"x")
    assert set(api.complete(bucket, "k", upload_id, [(1, etag)]).json()) == {"Bucket", "Key", "Etag"}


@check("list-parts-numbers-as-strings", "responses")
def _strings(api, bucket):
    upload_id = api.initiate(bucket, "k")
    api.upload_part(bucket, "k", upload_id, 1, b"xy")
    part = _parts(api, bucket, "k", upload_id)[0]
    assert (part["PartNumber"], part["Size"]) == ("1", "2"), part


@check("list-parts-omits-storage-class", "responses")
def _no_class_in_list_parts(api, bucket):
    response = api.call("GET", bucket, "k", f"uploadId={api.initiate(bucket, 'k')}")
    assert "StorageClass" not in response.json(), response.text


@check("list-uploads-encryption-flag-boolean", "responses")
def _boolean_flag(api, bucket):
    api.initiate(bucket, "k", {"x-jss-server-side-encryption": "true"})
    upload = api.call("GET", bucket, None, "uploads").json()["Upload"][0]
    assert upload["Enable-Encryption"] is True, upload


@check("initiate-key-echo-url-encoded", "responses")
def _echo(api, bucket):
    assert api.call("POST", bucket, "a b/c", "uploads").json()["Key"] == "a+b%2Fc"


@check("head-omits-standard-storage-class", "responses")
def _head_class(api, bucket):
    api.put(bucket, "o", b"x")
    api.put(bucket, "rr", b"x", {"x-jss-storage-class": "REDUCED_REDUNDANCY"})
    assert "x-jss-storage-class" not in api.call("HEAD", bucket, "o").headers
    assert api.call("HEAD", bucket, "rr").headers["x-jss-storage-class"] == "REDUCED_REDUNDANCY"


@check("initiate-placeholder-object", "multipart")
def _placeholder(api, bucket):
    api.put(bucket, "k", b"precious")
    api.initiate(bucket, "k")
    head = api.call("HEAD", bucket, "k")
    assert (head.headers["Content-Length"], "x-jss-storage-class" in head.headers) == ("0", False)


@check("initiate-reuses-upload-of-key", "multipart")
def _reused(api, bucket):
    assert api.initiate(bucket, "k") == api.initiate(bucket, "k")


@check("part-etag-not-md5", "multipart")
def _opaque_etag(api, bucket):
    assert api.upload_part(bucket, "k", api.initiate(bucket, "k"), 1, b"x") != md5_hex(b"x")


@check("part-replace-keeps-first", "multipart")
def _keeps_first(api, bucket):
    upload_id = api.initiate(bucket, "k")
    api.upload_part(bucket, "k", upload_id, 1, b"x")
    api.upload_part(bucket, "k", upload_id, 1, b"xy")
    assert [part["Size"] for part in _parts(api, bucket, "k", upload_id)] == [1]


@check("part-number-no-upper-limit", "multipart")
def _no_limit(api, bucket):
    api.upload_part(bucket, "k", api.initiate(bucket, "k"), 10001, b"x")


@check("upload-part-skips-upload-check", "multipart")
def _unknown_upload_part(api, bucket):
    assert api.call("PUT", bucket, "k", "partNumber=1&uploadId=" + "0" * 32, data=b"x").status_code == 200


@check("blank-upload-id-no-such-upload", "multipart")
def _blank(api, bucket):
    _error(api.call("PUT", bucket, "k", "partNumber=1&uploadId=", data=b"x"), 404, "NoSuchUpload")


@check("bad-digest-accepted", "multipart")
def _bad_digest(api, bucket):
    query = f"partNumber=1&uploadId={api.initiate(bucket, 'k')}"
    wrong = {"Content-MD5": md5_hex(b"y")}
    assert api.call("PUT", bucket, "k", query, headers=wrong, data=b"x").status_code == 200


@check("abort-keeps-upload", "multipart")
def _abort_keeps(api, bucket):
    upload_id = api.initiate(bucket, "k")
    assert api.call("DELETE", bucket, "k", f"uploadId={upload_id}").status_code == 204
    assert api.call("GET", bucket, "k", f"uploadId={upload_id}").status_code == 200


@check("abort-unknown-upload-succeeds", "multipart")
def _abort_unknown(api, bucket):
    assert api.call("DELETE", bucket, "k", "uploadId=" + "0" * 32).status_code == 204


@check("list-parts-unknown-upload-empty", "multipart")
def _unknown_list(api, bucket):
    assert _parts(api, bucket, "k", "0" * 32) == []


def _two_part_upload(api, bucket, key="k", first=b"a", second=b"b"):
    """An upload whose part 2 is uploaded before part 1; returns (upload id, etag of 1, etag of 2)."""
    upload_id = api.initiate(bucket, key)
    etag2 = api.upload_part(bucket, key, upload_id, 2, second)
    return upload_id, api.upload_part(bucket, key, upload_id, 1, first), etag2


@check("complete-etag-s3-style", "complete")
def _s3_etag(api, bucket):
    upload_id, etag1, etag2 = _two_part_upload(api, bucket)
    assert api.complete(bucket, "k", upload_id, [(1, etag1), (2, etag2)]).json()["ETag"].endswith("-2")


@check("complete-assembles-in-upload-order", "complete")
def _upload_order(api, bucket):
    upload_id, etag1, etag2 = _two_part_upload(api, bucket)
    api.complete(bucket, "k", upload_id, [(1, etag1), (2, etag2)])
    assert api.call("GET", bucket, "k").content == b"ba"


@check("complete-rejects-gaps", "complete")
def _gaps(api, bucket):
    upload_id, etag1, _ = _two_part_upload(api, bucket)
    etag3 = api.upload_part(bucket, "k", upload_id, 3, b"c")
    _error(api.complete(bucket, "k", upload_id, [(1, etag1), (3, etag3)]), 400, "InvalidPart")


@check("complete-accepts-unordered-list", "complete")
def _unordered(api, bucket):
    upload_id, etag1, etag2 = _two_part_upload(api, bucket)
    assert api.complete(bucket, "k", upload_id, [(2, etag2), (1, etag1)]).status_code == 200


@check("complete-skips-part-check", "complete")
def _unchecked(api, bucket):
    upload_id, _, _ = _two_part_upload(api, bucket)
    listed = [(1, md5_hex(b"wrong")), (2, md5_hex(b"wrong")), (3, md5_hex(b"never uploaded"))]
    assert api.complete(bucket, "k", upload_id, listed).status_code == 200


@check("complete-no-min-part-size", "multipart")
def _no_minimum(api, bucket):
    upload_id, etag1, etag2 = _two_part_upload(api, bucket)
    assert api.complete(bucket, "k", upload_id, [(1, etag1), (2, etag2)]).status_code == 200


@check("complete-malformed-json-500", "complete")
def _malformed_json(api, bucket):
    upload_id = api.initiate(bucket, "k")
    _error(api.call("POST", bucket, "k", f"uploadId={upload_id}", data=b"{"), 500, "InternalError")


@check("complete-keeps-existing-object", "complete")
def _keeps_existing(api, bucket):
    api.put(bucket, "k", b"old")
    upload_id, etag1, etag2 = _two_part_upload(api, bucket)
    assert api.complete(bucket, "k", upload_id, [(1, etag1), (2, etag2)]).status_code == 200
    assert api.call("GET", bucket, "k").content == b"old"


@check("complete-drops-storage-class", "complete")
def _drops_class(api, bucket):
    upload_id = api.initiate(bucket, "k", {"x-jss-storage-class": "REDUCED_REDUNDANCY"})
    api.complete(bucket, "k", upload_id, [(1, api.upload_part(bucket, "k", upload_id, 1, b"x"))])
    assert api.call("HEAD", bucket, "k").headers["x-jss-storage-class"] == "STANDARD"


@check("upload-id-reusable-after-complete", "complete")
def _reusable(api, bucket):
    upload_id = api.initiate(bucket, "k")
    api.complete(bucket, "k", upload_id, [(1, api.upload_part(bucket, "k", upload_id, 1, b"x"))])
    assert api.call("GET", bucket, "k", f"uploadId={upload_id}").status_code == 200


@check("min-part-size-above-advertised", "lists")
def _larger_minimum(api, bucket):
    upload_id, etag1, etag2 = _two_part_upload(api, bucket, first=b"a" * 2048)
    _error(api.complete(bucket, "k", upload_id, [(1, etag1), (2, etag2)]), 400, "EntityTooSmall")


@check("part-number-limit-off-by-one", "lists")
def _off_by_one(api, bucket):
    query = f"partNumber=10000&uploadId={api.initiate(bucket, 'k')}"
    _error(api.call("PUT", bucket, "k", query, data=b"x"), 400, "TooManyParts")


@check("list-parts-in-upload-order", "lists")
def _parts_upload_order(api, bucket):
    upload_id, _, _ = _two_part_upload(api, bucket)
    assert [part["PartNumber"] for part in _parts(api, bucket, "k", upload_id)] == [2, 1]


@check("list-parts-ignores-paging", "lists")
def _parts_paging(api, bucket):
    upload_id, _, _ = _two_part_upload(api, bucket)
    assert len(_parts(api, bucket, "k", upload_id, "&max-parts=1&part-number-marker=0")) == 2


@check("list-uploads-needs-a-part", "lists")
def _needs_a_part(api, bucket):
    api.initiate(bucket, "bare")
    _two_part_upload(api, bucket, "with-parts")
    assert _listed(api, bucket) == ["with-parts"]


@check("list-uploads-ignores-prefix", "lists")
def _ignores_prefix(api, bucket):
    _two_part_upload(api, bucket, "p/a")
    _two_part_upload(api, bucket, "q/b")
    assert _listed(api, bucket, "&prefix=p/") == ["p/a", "q/b"]


@check("list-uploads-in-initiation-order", "lists")
def _initiation_order(api, bucket):
    _two_part_upload(api, bucket, "z")
    _two_part_upload(api, bucket, "a")
    assert _listed(api, bucket) == ["z", "a"]


@check("list-uploads-ignores-max-uploads", "lists")
def _ignores_max_uploads(api, bucket):
    _two_part_upload(api, bucket, "a")
    _two_part_upload(api, bucket, "b")
    assert _listed(api, bucket, "&max-uploads=1") == ["a", "b"]


@check("encryption-flag-not-reported", "lists")
def _flag_not_reported(api, bucket):
    upload_id = api.initiate(bucket, "k", {"x-jss-server-side-encryption": "true"})
    api.upload_part(bucket, "k", upload_id, 1, b"x")
    assert api.call("GET", bucket, None, "uploads").json()["Upload"][0]["Enable-Encryption"] == "false"


@check("encryption-on-by-default", "lists")
def _encrypted_by_default(api, bucket):
    api.put(bucket, "o", b"x")
    assert api.call("HEAD", bucket, "o").headers.get("x-jss-server-side-encryption") == "true"


@check("encrypted-object-served-ciphertext", "lists")
def _ciphertext(api, bucket):
    api.put(bucket, "o", b"secret data", {"x-jss-server-side-encryption": "true"})
    assert api.call("GET", bucket, "o").content != b"secret data"


@check("unknown-storage-class-stored-standard", "lists")
def _unknown_class(api, bucket):
    upload_id = api.initiate(bucket, "k", {"x-jss-storage-class": "GLACIER"})
    response = api.call("GET", bucket, "k", f"uploadId={upload_id}")
    assert response.json()["StorageClass"] == "STANDARD", response.text


@check("rr-rejected-everywhere", "lists")
def _rr_nowhere(api, bucket):
    headers = {"x-jss-storage-class": "REDUCED_REDUNDANCY"}
    _error(api.call("POST", bucket, "k", "uploads", headers=headers), 400, "InvalidStorageClass")
