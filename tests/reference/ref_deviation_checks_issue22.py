"""Direct HTTP checks of the deviations of issue 22: a StringToSign line the server forgets (signing group)
and what a multipart operation does to the key's object and its other uploads (multipart group). Registry
and rules: ref_deviation_registry.py."""

from __future__ import annotations

import requests
from ref_deviation_registry import check, error_is, parts_of
from ref_helpers import ALICE, md5_hex, target_of

from conformance import signing


def _signed_with_blank_line(api, bucket, method, key, query, headers, data, blank: str) -> requests.Response:
    """A request sending `headers`, signed as if header `blank` (Content-Type or Content-MD5) were absent."""
    headers = {**headers, "Date": signing.http_date()}
    target = target_of(bucket, key, query)
    values = {name: signing.header_value(headers, name) for name in ("Content-MD5", "Content-Type")}
    values[blank] = ""
    string_to_sign = signing.string_to_sign(
        method, values["Content-MD5"], values["Content-Type"], headers["Date"],
        signing.canonical_headers(list(headers.items())), signing.resource_from_target(target),
    )
    signature = signing.signature(ALICE.secret_key, string_to_sign)
    headers["Authorization"] = signing.authorization_header(ALICE.access_key, signature)
    return api.session.request(method, api.url() + target, headers=headers, data=data)


@check("string-to-sign-without-content-type", "signing")
def _without_content_type(api, bucket):
    typed = {"Content-Type": "text/plain"}
    error_is(api.call("PUT", bucket, "o", headers=typed, data=b"x"), 403, "SignatureDoesNotMatch")
    answer = _signed_with_blank_line(api, bucket, "PUT", "o", "", typed, b"x", "Content-Type")
    assert answer.status_code == 200, answer.text


@check("string-to-sign-without-content-md5", "signing")
def _without_content_md5(api, bucket):
    digest = {"Content-MD5": md5_hex(b"x")}
    error_is(api.call("PUT", bucket, "o", headers=digest, data=b"x"), 403, "SignatureDoesNotMatch")
    answer = _signed_with_blank_line(api, bucket, "PUT", "o", "", digest, b"x", "Content-MD5")
    assert answer.status_code == 200, answer.text


@check("initiate-overwrites-object-content-type", "multipart")
def _initiate_content_type(api, bucket):
    api.put(bucket, "k", b"old", headers={"Content-Type": "text/plain"})
    api.initiate(bucket, "k", headers={"Content-Type": "text/csv"})
    assert api.call("HEAD", bucket, "k").headers.get("Content-Type") == "text/csv"


@check("complete-refused-deletes-object", "multipart")
def _refused_complete_deletes(api, bucket):
    api.put(bucket, "k", b"old")
    upload_id = api.initiate(bucket, "k")
    api.upload_part(bucket, "k", upload_id, 1, b"part")
    body = b'{"Part": [{"PartNumber": 1, "ETag": "' + md5_hex(b"other").encode() + b'"}]}'
    error_is(api.call("POST", bucket, "k", f"uploadId={upload_id}", data=body), 400, "InvalidPart")
    error_is(api.call("GET", bucket, "k"), 404, "NoSuchKey")


def _other_upload_after(api, bucket, finish) -> requests.Response:
    """ListParts of upload B of key k after `finish(upload A)`."""
    first, other = api.initiate(bucket, "k"), api.initiate(bucket, "k")
    api.upload_part(bucket, "k", other, 1, b"other part")
    assert len(parts_of(api, bucket, "k", other)) == 1
    finish(first)
    return api.call("GET", bucket, "k", f"uploadId={other}")


@check("complete-removes-other-uploads-of-key", "multipart")
def _complete_removes_others(api, bucket):
    def complete(upload_id):
        etag = api.upload_part(bucket, "k", upload_id, 1, b"part")
        assert api.complete(bucket, "k", upload_id, [(1, etag)]).status_code == 200

    error_is(_other_upload_after(api, bucket, complete), 404, "NoSuchUpload")


@check("abort-removes-other-uploads-of-key", "multipart")
def _abort_removes_others(api, bucket):
    def abort(upload_id):
        assert api.call("DELETE", bucket, "k", f"uploadId={upload_id}").status_code == 204

    error_is(_other_upload_after(api, bucket, abort), 404, "NoSuchUpload")


@check("initiate-aborts-other-uploads-of-key", "multipart")
def _initiate_aborts_others(api, bucket):
    def initiate_again(upload_id):
        api.initiate(bucket, "k")

    error_is(_other_upload_after(api, bucket, initiate_again), 404, "NoSuchUpload")


@check("refused-multipart-request-clears-key", "multipart")
def _refusal_clears_key(api, bucket):
    api.put(bucket, "k", b"old")
    other = api.initiate(bucket, "k")
    error_is(api.call("DELETE", bucket, "k", "uploadId=0000000000000000NOSUCHUPLOAD"), 404, "NoSuchUpload")
    error_is(api.call("GET", bucket, "k"), 404, "NoSuchKey")
    error_is(api.call("GET", bucket, "k", f"uploadId={other}"), 404, "NoSuchUpload")
