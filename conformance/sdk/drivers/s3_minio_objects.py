"""The object steps of the minio driver (conformance.sdk.drivers.s3_minio), each through minio's public API
as a user writes it: ``put_object`` (content_type, metadata), ``stat_object``, ``get_object`` with offset /
length, ``list_objects`` (ListObjects v1 with ``use_api_v1``; minio pages by marker itself, with the
server's page size: its public API takes no max-keys), ``presigned_get_object`` / ``presigned_put_object``
fetched with plain ``requests`` and ``remove_object``.

What minio cannot do: send Content-MD5 with ``put_object`` (it adds one by itself only over HTTPS; over plain
HTTP it sends ``x-amz-content-sha256``, and a ``Content-MD5`` given in ``metadata`` would be sent as the
user metadata ``x-amz-meta-content-md5``), and AbortMultipartUpload (only the private
``_abort_multipart_upload``): those steps are answered unsupported."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from conformance.sdk.drivers import plain_http
from conformance.sdk.drivers.driver_main import Unsupported

USER_METADATA = "x-amz-meta-"


def put_object(client, bucket: str, key: str, step: dict, endpoint: str) -> None:
    """One PutObject of the step's source with its content type and metadata; unsupported with Content-MD5
    over plain HTTP (`endpoint` is the scenario's)."""
    if step.get("content_md5") and urlsplit(endpoint).scheme != "https":
        raise Unsupported("put-object", "minio's put_object cannot send Content-MD5 over plain HTTP (it "
                          "sends it by itself over HTTPS only; a Content-MD5 metadata key becomes "
                          "x-amz-meta-content-md5)")
    extra = {"content_type": step["content_type"]} if step.get("content_type") else {}
    with open(step["source"], "rb") as body:
        client.put_object(bucket, key, body, step["size"], metadata=step.get("metadata") or None, **extra)


def head(client, bucket: str, key: str) -> dict:
    """stat_object: size, ETag, content type and the user metadata (its ``x-amz-meta-*`` headers, by name)."""
    stat = client.stat_object(bucket, key)
    metadata = {name.lower()[len(USER_METADATA):]: value for name, value in (stat.metadata or {}).items()
                if name.lower().startswith(USER_METADATA)}
    return {"size": stat.size, "etag": stat.etag, "content_type": stat.content_type, "metadata": metadata}


def get_range(client, bucket: str, key: str, step: dict) -> None:
    """get_object with offset and length (``Range: bytes=start-end``) into the step's destination."""
    response = client.get_object(bucket, key, offset=step["start"], length=step["end"] - step["start"] + 1)
    try:
        with open(step["destination"], "wb") as out:
            for chunk in response.stream(plain_http.CHUNK):
                out.write(chunk)
    finally:
        response.close()
        response.release_conn()


def list_objects(client, bucket: str, step: dict) -> dict[str, list[str]]:
    """Every key under the prefix by ListObjects v1, as the result's "listed": recursive (no delimiter), or,
    when the step has the delimiter "/", ``recursive=False`` (minio sends ``delimiter=/``; its only
    delimiter), the common prefixes (its ``is_dir`` items) reported as ``object_prefixes``."""
    delimiter = step.get("delimiter")
    if delimiter and delimiter != "/":
        raise ValueError(f"minio lists with the delimiter '/' only, not {delimiter!r}")
    items = list(client.list_objects(bucket, prefix=step["prefix"], recursive=not delimiter, use_api_v1=True))
    listed = {"objects": [item.object_name for item in items if not item.is_dir]}
    if delimiter:
        listed["object_prefixes"] = [item.object_name for item in items if item.is_dir]
    return listed


def presign_get(client, bucket: str, key: str, step: dict) -> None:
    """A presigned GET URL by ``presigned_get_object``, fetched with plain requests."""
    url = client.presigned_get_object(bucket, key, expires=timedelta(seconds=step["expires"]))
    plain_http.get_to_file(url, step["destination"])


def presign_put(client, bucket: str, key: str, step: dict) -> None:
    """A presigned PUT URL by ``presigned_put_object``, the source uploaded to it with plain requests."""
    url = client.presigned_put_object(bucket, key, expires=timedelta(seconds=step["expires"]))
    plain_http.put_file(url, step["source"])
