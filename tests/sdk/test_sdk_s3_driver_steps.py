"""The object steps of driver protocol 1 (put-object, head, get-range, list-objects, presign-get,
presign-put, delete, abort-upload) as each third-party S3 driver performs them (boto3, minio, the AWS SDK for
JavaScript v3), run against `serve --wire s3`: the effect is checked from the server side with the suite's
own S3 client, the result JSON against the contract, and the requests the SDK put on the wire (through a
capture relay) for what the step asks: Content-MD5, metadata headers, Range, marker paging, a SigV4 query
URL. A step the SDK cannot do must be answered "unsupported" (and leave the server untouched)."""

from __future__ import annotations

import base64
import hashlib
import os

import pytest
from s3_driver_steps import BUCKET, DRIVERS, bench_for_module, install_aws_sdk_js, supports

from conformance import operations as ops

BODY_SIZE = 100 * 1024
META = {"color": "blue", "shape": "round"}


@pytest.fixture(scope="module")
def bench():
    yield from bench_for_module()


@pytest.fixture(params=list(DRIVERS))
def driver(request, tmp_path_factory) -> str:
    if request.param == "aws-sdk-js":
        install_aws_sdk_js(tmp_path_factory.getbasetemp().parent)
    return request.param


def _source(tmp_path, name: str = "source.bin", size: int = BODY_SIZE) -> tuple[str, bytes]:
    data = os.urandom(size)
    path = tmp_path / name
    path.write_bytes(data)
    return str(path), data


def _sent(bench, method: str, key: str) -> list:
    return [r for r in bench.capture.sent if r.method == method and r.path == f"/{BUCKET}/{key}"]


@pytest.mark.parametrize("content_md5", [False, True], ids=["no-md5", "md5"])
def test_put_object_stores_type_and_metadata_and_head_reports_them(bench, driver, content_md5, tmp_path):
    key = f"{driver}/put-{content_md5}"
    source, data = _source(tmp_path)
    put = {"op": "put-object", "source": source, "size": len(data), "content_type": "text/plain",
           "content_md5": content_md5, "metadata": META}
    result = bench.drive(driver, key, [put, {"op": "head"}], tmp_path)
    if content_md5 and not supports(driver, "put-object with content_md5"):
        assert (result["status"], result["unsupported"]) == ("unsupported", ["put-object"])
        assert _sent(bench, "PUT", key) == []
        return
    assert result["status"] == "ok", result
    md5 = hashlib.md5(data).hexdigest()
    stored = ops.head_object(bench.client, BUCKET, key)
    headers = stored.response.headers
    assert (stored.size, stored.etag, headers["Content-Type"]) == (len(data), md5, "text/plain")
    assert {name: headers.get(f"x-amz-meta-{name}") for name in META} == META
    assert ops.get_object(bench.client, BUCKET, key).body == data
    (sent,) = _sent(bench, "PUT", key)
    assert {name: sent.headers.get(f"x-amz-meta-{name}") for name in META} == META
    if content_md5:
        assert sent.headers["content-md5"] == base64.b64encode(hashlib.md5(data).digest()).decode()
    head = result["head"]
    assert (head["size"], head["etag"].strip('"'), head["content_type"]) == (len(data), md5, "text/plain")
    assert head["metadata"] == META


def test_get_range_writes_exactly_the_inclusive_range(bench, driver, tmp_path):
    key = f"{driver}/range"
    _, data = _source(tmp_path)
    bench.put(key, data)
    destination = tmp_path / "range.bin"
    step = {"op": "get-range", "start": 1000, "end": 5999, "destination": str(destination)}
    assert bench.drive(driver, key, [step], tmp_path)["status"] == "ok"
    assert destination.read_bytes() == data[1000:6000]
    assert [r.headers.get("range") for r in _sent(bench, "GET", key)] == ["bytes=1000-5999"]


def test_list_objects_pages_by_marker_and_reports_every_key(bench, driver, tmp_path):
    prefix = f"{driver}/listing/"
    keys = [f"{prefix}{n:02d}" for n in range(5)]
    for key in [*keys, f"{driver}/listing-outside"]:
        bench.put(key, b"x")
    step = {"op": "list-objects", "prefix": prefix, "max_keys": 2}
    result = bench.drive(driver, f"{prefix}00", [step], tmp_path)
    assert result["status"] == "ok", result
    assert result["listed"]["objects"] == keys
    pages = [r.query for r in bench.capture.sent if r.method == "GET" and r.path.rstrip("/") == f"/{BUCKET}"]
    assert pages and all(page["prefix"] == prefix and "list-type" not in page for page in pages)
    if driver == "minio":  # list_objects takes no page size: it always asks max-keys 1000
        assert [page.get("max-keys") for page in pages] == ["1000"]
    else:
        assert [page.get("max-keys") for page in pages] == ["2", "2", "2"]
        assert [page.get("marker") for page in pages] == [None, keys[1], keys[3]]


def test_list_objects_with_delimiter_reports_keys_and_common_prefixes(bench, driver, tmp_path):
    prefix = f"{driver}/folders/"
    keys = [f"{prefix}a/0", f"{prefix}a/1", f"{prefix}b/0", f"{prefix}top"]
    for key in keys:
        bench.put(key, b"x")
    step = {"op": "list-objects", "prefix": prefix, "max_keys": 2, "delimiter": "/"}
    result = bench.drive(driver, f"{prefix}top", [step], tmp_path)
    assert result["status"] == "ok", result
    assert result["listed"]["objects"] == [f"{prefix}top"]
    assert sorted(result["listed"]["object_prefixes"]) == [f"{prefix}a/", f"{prefix}b/"]
    pages = [r.query for r in bench.capture.sent if r.method == "GET" and r.path.rstrip("/") == f"/{BUCKET}"
             and r.query.get("prefix") == prefix]
    assert pages and all(page.get("delimiter") == "/" for page in pages)
    assert len(pages) == (1 if driver == "minio" else 2)  # minio asks max-keys 1000: one page


def test_presigned_get_and_put_transfer_the_bytes_with_a_sigv4_query(bench, driver, tmp_path):
    key, put_key = f"{driver}/presigned-get", f"{driver}/presigned-put"
    _, data = _source(tmp_path, "stored.bin")
    bench.put(key, data)
    source, uploaded = _source(tmp_path)
    destination = tmp_path / "fetched.bin"
    steps = [{"op": "presign-get", "expires": 300, "destination": str(destination)},
             {"op": "presign-put", "key": put_key, "source": source, "expires": 300}]
    result = bench.drive(driver, key, steps, tmp_path)
    assert result["status"] == "ok", result
    assert destination.read_bytes() == data
    assert ops.get_object(bench.client, BUCKET, put_key).body == uploaded
    for sent in [*_sent(bench, "GET", key), *_sent(bench, "PUT", put_key)]:
        assert "authorization" not in sent.headers
        assert sent.query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
        assert sent.query["X-Amz-Expires"] == "300"


def test_delete_removes_the_object(bench, driver, tmp_path):
    key = f"{driver}/delete"
    bench.put(key, b"to be deleted")
    assert bench.drive(driver, key, [{"op": "delete"}], tmp_path)["status"] == "ok"
    assert bench.client.request("HEAD", BUCKET, key).status_code == 404
    assert len(_sent(bench, "DELETE", key)) == 1


def test_abort_upload_aborts_the_suites_upload(bench, driver, tmp_path):
    key = f"{driver}/abort"
    upload_id = ops.initiate(bench.client, BUCKET, key).upload_id
    result = bench.drive(driver, key, [{"op": "abort-upload", "upload_id": upload_id}], tmp_path)
    remaining = [u.upload_id for u in ops.list_uploads(bench.client, BUCKET, prefix=key).uploads]
    if not supports(driver, "abort-upload"):
        assert (result["status"], result["unsupported"]) == ("unsupported", ["abort-upload"])
        assert remaining == [upload_id]
        ops.abort(bench.client, BUCKET, key, upload_id)
        return
    assert result["status"] == "ok", result
    assert remaining == []
    (sent,) = _sent(bench, "DELETE", key)
    assert sent.query["uploadId"] == upload_id
