"""Direct HTTP checks of the response-value deviations (the oracle mutation run's findings: request ids,
error bodies naming the request, the complete and ListParts echoes, the complete answer's ETag)."""

from __future__ import annotations

import base64
import email.utils
import hashlib
from datetime import UTC, datetime, timedelta

from ref_deviation_registry import check


@check("request-id-repeated", "responses")
def _repeated_id(api, bucket):
    first, second = (api.call("POST", bucket, "k", "uploads") for _ in range(2))
    assert first.headers["x-jss-request-id"] == second.headers["x-jss-request-id"]


@check("error-body-request-id-fresh", "responses")
def _fresh_id(api, bucket):
    response = api.call("GET", bucket, "k", "uploadId=" + "0" * 32)
    assert response.json()["requestId"] != response.headers["x-jss-request-id"], response.text


@check("error-body-resource-bucket-only", "responses")
def _bucket_resource(api, bucket):
    assert api.call("GET", bucket, "k", "uploadId=" + "0" * 32).json()["resource"] == f"/{bucket}"


@check("complete-response-key-url-encoded", "responses")
def _complete_echo(api, bucket):
    upload_id = api.initiate(bucket, "a b/c")
    etag = api.upload_part(bucket, "a b/c", upload_id, 1, b"x")
    assert api.complete(bucket, "a b/c", upload_id, [(1, etag)]).json()["Key"] == "a+b%2Fc"


@check("complete-response-etag-uppercase", "responses")
def _complete_etag(api, bucket):
    upload_id = api.initiate(bucket, "k")
    etag = api.upload_part(bucket, "k", upload_id, 1, b"x")
    answered = api.complete(bucket, "k", upload_id, [(1, etag)]).json()["ETag"]
    stored = api.call("HEAD", bucket, "k").headers["ETag"].strip('"')
    assert answered == stored.upper() and answered != stored, (answered, stored)


@check("list-parts-key-echo-url-encoded", "responses")
def _list_parts_echo(api, bucket):
    response = api.call("GET", bucket, "a b/c", f"uploadId={api.initiate(bucket, 'a b/c')}")
    assert response.json()["Key"] == "a+b%2Fc", response.text


@check("error-content-type-text-plain", "responses")
def _error_text_plain(api, bucket):
    response = api.call("GET", bucket, "k", "uploadId=" + "0" * 32)
    assert response.status_code == 404 and response.headers["Content-Type"].startswith("text/plain"), response
    assert api.call("GET", bucket).headers["Content-Type"].startswith("application/json")


@check("put-etag-base64", "responses")
def _put_etag_base64(api, bucket):
    answered = api.call("PUT", bucket, "k", data=b"x").headers["ETag"].strip('"')
    assert answered == base64.b64encode(hashlib.md5(b"x").digest()).decode(), answered


@check("get-omits-storage-class", "responses")
def _get_omits_class(api, bucket):
    api.call("PUT", bucket, "k", data=b"x")
    assert "x-jss-storage-class" not in api.call("GET", bucket, "k").headers
    assert api.call("HEAD", bucket, "k").headers["x-jss-storage-class"] == "STANDARD"


@check("list-objects-etag-uppercase", "responses")
def _listed_etag_upper(api, bucket):
    api.call("PUT", bucket, "k", data=b"x")
    listed = api.call("GET", bucket, None, "prefix=k").json()["Contents"][0]["ETag"]
    assert listed == hashlib.md5(b"x").hexdigest().upper(), listed


@check("list-objects-prefix-not-echoed", "responses")
def _objects_prefix(api, bucket):
    assert api.call("GET", bucket, None, "prefix=abc").json()["Prefix"] == ""


@check("list-uploads-prefix-not-echoed", "responses")
def _uploads_prefix(api, bucket):
    assert api.call("GET", bucket, None, "uploads&prefix=abc").json()["Prefix"] == ""


@check("listing-times-china-local", "responses")
def _china_local(api, bucket):
    api.call("PUT", bucket, "k", data=b"x")
    listed = api.call("GET", bucket, None, "prefix=k").json()["Contents"][0]["LastModified"]
    ahead = email.utils.parsedate_to_datetime(listed) - datetime.now(UTC)
    assert timedelta(hours=7) < ahead < timedelta(hours=9), listed


@check("list-objects-has-next-false", "responses")
def _has_next_false(api, bucket):
    for key in ("p/1", "p/2"):
        api.call("PUT", bucket, key, data=b"x")
    listing = api.call("GET", bucket, None, "prefix=p/&maxKeys=1").json()
    assert len(listing["Contents"]) == 1 and listing["HasNext"] is False, listing


@check("list-objects-ignores-delimiter", "responses")
def _ignores_delimiter(api, bucket):
    for key in ("t/a/1", "t/b"):
        api.call("PUT", bucket, key, data=b"x")
    listing = api.call("GET", bucket, None, "prefix=t/&delimiter=/").json()
    keys = [c["Key"] for c in listing["Contents"]]
    assert keys == ["t/a/1", "t/b"] and not listing["CommonPrefixes"], listing


@check("get-missing-key-access-denied", "responses")
def _missing_key_denied(api, bucket):
    response = api.call("GET", bucket, "no-such-key")
    assert response.status_code == 403 and response.json()["code"] == "AccessDenied", response.text
