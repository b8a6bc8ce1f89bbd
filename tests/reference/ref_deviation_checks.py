"""Direct HTTP checks of the deviations of the signing, responses, multipart and objects groups (registry and
rules: ref_deviation_registry.py)."""

from __future__ import annotations

import base64
import hashlib
import json
import time

import requests
from ref_deviation_registry import check, error_is, parts_of
from ref_helpers import ALICE, RefUser, md5_hex, raw_exchange

from conformance import signing


def _accepted(response: requests.Response) -> None:
    assert response.status_code in (200, 204), response.text


@check("clock-skew-window-5-minutes", "signing")
def _skew(api, bucket):
    error_is(api.call("GET", bucket, date=signing.http_date(time.time() - 600)), 403, "RequestTimeTooSkewed")
    _accepted(api.call("GET", bucket, date=signing.http_date(time.time() - 240)))  # a window, not no window


@check("malformed-authorization-403", "signing")
def _malformed(api, bucket):
    error_is(api.call("GET", bucket, headers={"Authorization": "jingdong"}, user=None), 403, "AccessDenied")


@check("unknown-access-key-signature-mismatch", "signing")
def _unknown_key(api, bucket):
    error_is(api.call("GET", bucket, user=RefUser("x", "AKUNKNOWN", "s")), 403, "SignatureDoesNotMatch")


@check("anonymous-list-buckets-allowed", "signing")
def _anonymous(api, bucket):
    response = api.call("GET", user=None)
    assert (response.status_code, response.json()) == (200, {"Buckets": []}), response.text


@check("presigned-expires-as-milliseconds", "signing")
def _milliseconds(api, bucket):
    error_is(requests.get(api.presigned_url("GET", bucket, "k", int(time.time()) + 300)), 400, "ExpiredToken")
    in_milliseconds = api.presigned_url("GET", bucket, "k", int(time.time() * 1000) + 300_000)
    error_is(requests.get(in_milliseconds), 404, "NoSuchKey")  # accepted: the key simply does not exist


@check("presigned-incomplete-as-anonymous", "signing")
def _incomplete(api, bucket):
    url = api.presigned_url("GET", bucket, "k", int(time.time()) + 300)
    error_is(requests.get(url.split("&Signature=")[0]), 403, "AccessDenied")


@check("canonical-headers-unsorted", "signing")
def _unsorted(api, bucket):
    headers = {"x-jss-storage-class": "STANDARD", "x-jss-server-side-encryption": "false"}
    error_is(api.call("POST", bucket, "k", "uploads", headers=headers), 403, "SignatureDoesNotMatch")
    as_received = "x-jss-storage-class:STANDARD\nx-jss-server-side-encryption:false\n"
    _accepted(api.call("POST", bucket, "k", "uploads", headers=headers, signed_headers=as_received))


@check("header-names-case-sensitive", "signing")
def _mixed_case(api, bucket):
    headers = {"X-JSS-Storage-Class": "STANDARD"}
    error_is(api.call("POST", bucket, "k", "uploads", headers=headers), 403, "SignatureDoesNotMatch")
    _accepted(api.call("POST", bucket, "k", "uploads", headers=headers, signed_headers=""))  # ignored


def _initiate_with_note_twice(api, bucket, canonical_headers: str | None) -> int:
    """The status of an initiate sending x-jss-meta-note twice, signed over `canonical_headers` (None: by the
    rules), on a raw socket (requests would merge the two headers)."""
    target = f"/{bucket}/k?uploads"
    pairs = [("Date", signing.http_date()), ("x-jss-meta-note", "first"), ("x-jss-meta-note", "second")]
    canon = signing.canonical_headers(pairs) if canonical_headers is None else canonical_headers
    sts = signing.string_to_sign("POST", "", "", pairs[0][1], canon, signing.resource_from_target(target))
    authorization = signing.authorization_header(ALICE.access_key, signing.signature(ALICE.secret_key, sts))
    lines = "".join(f"{n}: {v}\r\n" for n, v in [*pairs, ("Authorization", authorization)])
    payload = f"POST {target} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n{lines}\r\n"
    (response,) = raw_exchange(api.url(), payload.encode())
    return response.status


@check("duplicate-headers-last-wins", "signing")
def _duplicates(api, bucket):
    assert _initiate_with_note_twice(api, bucket, None) == 403
    assert _initiate_with_note_twice(api, bucket, "x-jss-meta-note:second\n") == 200


@check("virtual-host-resource-without-bucket", "signing")
def _virtual_host(api, bucket):
    error_is(api.call("GET", bucket, virtual_host=True), 403, "SignatureDoesNotMatch")
    _accepted(api.call("GET", bucket, virtual_host=True, signed_resource="/"))
    # of an object's resource only the leading bucket goes (/<bucket>/k -> /k), not a trailing one
    _accepted(api.call("POST", bucket, "k", "uploads", virtual_host=True, signed_resource="/k?uploads"))


@check("resource-key-percent-encoded", "signing")
def _encoded_key(api, bucket):
    error_is(api.call("POST", bucket, "a b", "uploads"), 403, "SignatureDoesNotMatch")
    _accepted(api.call("POST", bucket, "a b", "uploads", signed_resource=f"/{bucket}/a%20b?uploads"))


@check("subresource-order-as-sent", "signing")
def _as_sent(api, bucket):
    upload_id = api.initiate(bucket, "k")
    query = f"uploadId={upload_id}&partNumber=1"
    error_is(api.call("PUT", bucket, "k", query), 403, "SignatureDoesNotMatch")
    _accepted(api.call("PUT", bucket, "k", query, signed_resource=f"/{bucket}/k?{query}"))


@check("subresource-order-as-documented", "signing")
def _as_documented(api, bucket):
    upload_id = api.initiate(bucket, "k")
    query = f"partNumber=1&uploadId={upload_id}"
    error_is(api.call("PUT", bucket, "k", query), 403, "SignatureDoesNotMatch")
    documented = f"/{bucket}/k?uploadId={upload_id}&partNumber=1"
    _accepted(api.call("PUT", bucket, "k", query, signed_resource=documented))


@check("missing-date-accepted", "signing")
def _no_date(api, bucket):
    _accepted(api.call("GET", bucket, send_date=False))
    wrong = RefUser(ALICE.name, ALICE.access_key, "wrong")  # the signature is still checked
    error_is(api.call("GET", bucket, send_date=False, user=wrong), 403, "SignatureDoesNotMatch")


@check("content-md5-base64-only", "signing")
def _hex_md5(api, bucket):
    hex_md5 = {"Content-MD5": md5_hex(b"x")}
    error_is(api.call("PUT", bucket, "o", headers=hex_md5, data=b"x"), 400, "InvalidDigest")
    base64_md5 = {"Content-MD5": base64.b64encode(hashlib.md5(b"x").digest()).decode()}
    _accepted(api.call("PUT", bucket, "o", headers=base64_md5, data=b"x"))


@check("no-request-id", "responses")
def _no_request_id(api, bucket):
    assert "x-jss-request-id" not in api.call("POST", bucket, "k", "uploads").headers


@check("content-type-text-plain", "responses")
def _text_plain(api, bucket):
    assert api.call("POST", bucket, "k", "uploads").headers["Content-Type"] == "text/plain;charset=UTF-8"


@check("error-body-uppercase-keys", "responses")
def _uppercaseerror_is(api, bucket):
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
    part = parts_of(api, bucket, "k", upload_id)[0]
    assert (part["PartNumber"], part["Size"]) == ("1", "2"), part


@check("list-parts-omits-storage-class", "responses")
def _no_class_in_listparts_of(api, bucket):
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
    assert [part["Size"] for part in parts_of(api, bucket, "k", upload_id)] == [1]


@check("part-number-no-upper-limit", "multipart")
def _no_limit(api, bucket):
    api.upload_part(bucket, "k", api.initiate(bucket, "k"), 10001, b"x")


@check("upload-part-skips-upload-check", "multipart")
def _unknown_upload_part(api, bucket):
    assert api.call("PUT", bucket, "k", "partNumber=1&uploadId=" + "0" * 32, data=b"x").status_code == 200


@check("upload-part-any-key", "multipart")
def _any_key(api, bucket):
    upload_id = api.initiate(bucket, "k")
    response = api.call("PUT", bucket, "other", f"partNumber=3&uploadId={upload_id}", data=b"x")
    assert response.status_code == 200, response.text
    assert [part["PartNumber"] for part in parts_of(api, bucket, "k", upload_id)] == [3]  # joined k's upload


@check("blank-upload-id-no-such-upload", "multipart")
def _blank(api, bucket):
    error_is(api.call("PUT", bucket, "k", "partNumber=1&uploadId=", data=b"x"), 404, "NoSuchUpload")


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
    assert parts_of(api, bucket, "k", "0" * 32) == []


@check("initiate-overwrites-object-metadata", "objects")
def _relabelled(api, bucket):
    api.put(bucket, "k", b"precious", {"x-jss-storage-class": "STANDARD"})
    api.initiate(bucket, "k", {"x-jss-storage-class": "REDUCED_REDUNDANCY"})
    head = api.call("HEAD", bucket, "k")
    assert (head.headers["x-jss-storage-class"], api.call("GET", bucket, "k").content) == (
        "REDUCED_REDUNDANCY",
        b"precious",
    ), head.headers
