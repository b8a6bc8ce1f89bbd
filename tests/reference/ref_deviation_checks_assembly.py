"""Direct HTTP checks of the deviations of the complete and lists groups: those that assemble, list or store
(and a part cut off mid-body, kept). Registry and rules: ref_deviation_registry.py."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

from ref_deviation_registry import check, error_is, parts_of
from ref_helpers import Api, md5_hex, signed_raw_headers


def _listed(api: Api, bucket: str, query: str = "") -> list[str]:
    response = api.call("GET", bucket, None, "uploads" + query)
    assert response.status_code == 200, response.text
    return [upload["Key"] for upload in response.json()["Upload"]]


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
    error_is(api.complete(bucket, "k", upload_id, [(1, etag1), (3, etag3)]), 400, "InvalidPart")


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
    error_is(api.call("POST", bucket, "k", f"uploadId={upload_id}", data=b"{"), 500, "InternalError")


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


@check("complete-drops-content-type", "complete")
def _drops_type(api, bucket):
    upload_id = api.initiate(bucket, "k", {"Content-Type": "text/csv"})
    api.complete(bucket, "k", upload_id, [(1, api.upload_part(bucket, "k", upload_id, 1, b"x"))])
    assert api.call("HEAD", bucket, "k").headers["Content-Type"] == "application/octet-stream"


@check("complete-no-etag-header", "complete")
def _no_etag_header(api, bucket):
    upload_id = api.initiate(bucket, "k")
    etag = api.upload_part(bucket, "k", upload_id, 1, b"x")
    response = api.complete(bucket, "k", upload_id, [(1, etag)])
    assert "ETag" not in response.headers, response.headers
    assert response.json()["ETag"] == md5_hex(etag.encode()), response.text  # the JSON field is kept


@check("upload-id-reusable-after-complete", "complete")
def _reusable(api, bucket):
    upload_id = api.initiate(bucket, "k")
    api.complete(bucket, "k", upload_id, [(1, api.upload_part(bucket, "k", upload_id, 1, b"x"))])
    assert api.call("GET", bucket, "k", f"uploadId={upload_id}").status_code == 200


@check("min-part-size-above-advertised", "lists")
def _larger_minimum(api, bucket):
    upload_id, etag1, etag2 = _two_part_upload(api, bucket, first=b"a" * 2048)
    error_is(api.complete(bucket, "k", upload_id, [(1, etag1), (2, etag2)]), 400, "EntityTooSmall")


@check("part-number-limit-off-by-one", "lists")
def _off_by_one(api, bucket):
    upload_id = api.initiate(bucket, "k")
    refused = api.call("PUT", bucket, "k", f"partNumber=10000&uploadId={upload_id}", data=b"x")
    error_is(refused, 400, "TooManyParts")
    accepted = api.call("PUT", bucket, "k", f"partNumber=9999&uploadId={upload_id}", data=b"x")
    assert accepted.status_code == 200, accepted.text  # one below the limit: the limit moved by one only


@check("list-parts-in-upload-order", "lists")
def _parts_upload_order(api, bucket):
    upload_id, _, _ = _two_part_upload(api, bucket)
    assert [part["PartNumber"] for part in parts_of(api, bucket, "k", upload_id)] == [2, 1]


@check("list-parts-ignores-paging", "lists")
def _parts_paging(api, bucket):
    upload_id, _, _ = _two_part_upload(api, bucket)
    assert len(parts_of(api, bucket, "k", upload_id, "&max-parts=1&part-number-marker=0")) == 2


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
    error_is(api.call("POST", bucket, "k", "uploads", headers=headers), 400, "InvalidStorageClass")


def _drop_mid_part(api: Api, bucket: str, key: str, upload_id: str, length: int, sent: int) -> None:
    """A raw UploadPart (part 1) announcing `length` bytes, of which `sent` are sent before the close."""
    target = f"/{bucket}/{key}?partNumber=1&uploadId={upload_id}"
    head = f"PUT {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {length}\r\n"
    head += signed_raw_headers("PUT", target) + "\r\n"
    parts = urlsplit(api.url())
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(head.encode("ascii") + b"x" * sent)


@check("dropped-part-kept", "multipart")
def _dropped_part_kept(api, bucket):
    upload_id = api.initiate(bucket, "k")
    _drop_mid_part(api, bucket, "k", upload_id, 200_000, 100_000)
    deadline = time.monotonic() + 2.0  # the server handles the cut-off request on its own time
    while not (listed := parts_of(api, bucket, "k", upload_id)) and time.monotonic() < deadline:
        time.sleep(0.05)
    kept = [(p["PartNumber"], p["Size"], p["ETag"]) for p in listed]
    assert kept == [(1, 100_000, md5_hex(b"x" * 100_000))], kept
