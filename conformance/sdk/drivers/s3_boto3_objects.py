"""The object steps of the boto3 driver (conformance.sdk.drivers.s3_boto3), each through boto3's public API
as a user writes it: ``put_object`` (ContentType, ContentMD5 computed by the caller, Metadata),
``head_object``, ``get_object`` with Range, the ``list_objects`` paginator (ListObjects v1, Marker),
``generate_presigned_url`` for ``get_object`` / ``put_object`` fetched with plain ``requests``,
``delete_object`` and ``abort_multipart_upload``."""

from __future__ import annotations

from conformance.sdk.drivers import plain_http


def put_object(client, bucket: str, key: str, step: dict) -> None:
    """One PutObject of the step's source with its Content-Type, Content-MD5 (when asked) and metadata."""
    extra: dict = {}
    if step.get("content_type"):
        extra["ContentType"] = step["content_type"]
    if step.get("content_md5"):
        extra["ContentMD5"] = plain_http.content_md5(step["source"])
    if step.get("metadata"):
        extra["Metadata"] = dict(step["metadata"])
    with open(step["source"], "rb") as body:
        client.put_object(Bucket=bucket, Key=key, Body=body, **extra)


def head(client, bucket: str, key: str) -> dict:
    """HeadObject: size, ETag, Content-Type and user metadata as boto3 returned them."""
    answer = client.head_object(Bucket=bucket, Key=key)
    return {"size": answer.get("ContentLength"), "etag": answer.get("ETag"),
            "content_type": answer.get("ContentType"), "metadata": answer.get("Metadata", {})}


def get_range(client, bucket: str, key: str, step: dict) -> None:
    """GetObject with ``Range: bytes=start-end``; the body written to the step's destination."""
    answer = client.get_object(Bucket=bucket, Key=key, Range=f"bytes={step['start']}-{step['end']}")
    with open(step["destination"], "wb") as out:
        for chunk in answer["Body"].iter_chunks(plain_http.CHUNK):
            out.write(chunk)


def list_objects(client, bucket: str, step: dict) -> dict[str, list[str]]:
    """Every key under the prefix, by the ``list_objects`` paginator (Marker) in pages of max_keys, as the
    result's "listed": ``objects``, and with the step's delimiter (``Delimiter=``) ``object_prefixes`` (the
    ``CommonPrefixes``)."""
    options = {"Delimiter": step["delimiter"]} if step.get("delimiter") else {}
    pages = list(client.get_paginator("list_objects").paginate(
        Bucket=bucket, Prefix=step["prefix"], PaginationConfig={"PageSize": step["max_keys"]}, **options
    ))
    listed = {"objects": [item["Key"] for page in pages for item in page.get("Contents", [])]}
    if options:
        listed["object_prefixes"] = [item["Prefix"] for page in pages
                                     for item in page.get("CommonPrefixes", [])]
    return listed


def presign_get(client, bucket: str, key: str, step: dict) -> None:
    """A presigned GET URL by ``generate_presigned_url``, fetched with plain requests."""
    url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key},
                                        ExpiresIn=step["expires"])
    plain_http.get_to_file(url, step["destination"])


def presign_put(client, bucket: str, key: str, step: dict) -> None:
    """A presigned PUT URL by ``generate_presigned_url``, the source uploaded to it with plain requests."""
    url = client.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key},
                                        ExpiresIn=step["expires"])
    plain_http.put_file(url, step["source"])
