"""The SDK driver for boto3 (PyPI, the AWS SDK for Python) on the S3 wire, in its default configuration.

``python -m conformance.sdk.drivers.s3_boto3`` (see conformance.sdk.protocol): a multipart upload is what
users call, ``upload_file`` with a TransferConfig whose threshold and chunk size are the scenario's part size
(s3transfer does the initiate, the parts, the complete and the abort); a resume uses the low-level calls
(``list_parts``, ``upload_part``, ``complete_multipart_upload``), as boto3 has no high-level resume; a
download is ``download_file``; the list steps are the ``list_parts`` and ``list_multipart_uploads``
paginators with the step's page size; the object steps (put-object, head, get-range, list-objects,
presign-get, presign-put, delete, abort-upload) are in ``s3_boto3_objects``. Retries, checksums and signing
are botocore's defaults. boto3 is imported only when the driver runs (it is a test extra, pinned in
constraints.txt).
"""

from __future__ import annotations

import sys

from conformance.sdk.drivers import plain_http
from conformance.sdk.drivers import s3_boto3_objects as objects
from conformance.sdk.drivers.driver_main import Observed, run


def _client(scenario: dict):
    import boto3
    from botocore.config import Config

    keys = scenario["credentials"]
    return boto3.client(
        "s3", endpoint_url=scenario["endpoint"], region_name=scenario["region"],
        aws_access_key_id=keys["access_key"], aws_secret_access_key=keys["secret_key"],
        config=Config(s3={"addressing_style": "path"}),
    )


def _extra_args(step: dict) -> dict:
    extra = {}
    if step.get("storage_class"):
        extra["StorageClass"] = step["storage_class"]
    if step.get("encryption"):
        extra["ServerSideEncryption"] = "AES256"
    return extra


def _resume(client, bucket: str, key: str, step: dict) -> None:
    upload_id = step["upload_id"]
    stored = {}
    for page in client.get_paginator("list_parts").paginate(Bucket=bucket, Key=key, UploadId=upload_id):
        stored.update({part["PartNumber"]: part["ETag"] for part in page.get("Parts", [])})
    parts = dict(stored)
    with open(step["source"], "rb") as source:
        number = 0
        while data := source.read(step["part_size"]):
            number += 1
            if number not in stored:
                answer = client.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number,
                                            Body=data)
                parts[number] = answer["ETag"]
    listed = [{"PartNumber": number, "ETag": etag} for number, etag in sorted(parts.items())]
    client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                     MultipartUpload={"Parts": listed})


def _list_parts(client, bucket: str, key: str, step: dict) -> list[int]:
    """Every part number of the upload, by the list_parts paginator in pages of max_parts."""
    pages = client.get_paginator("list_parts").paginate(
        Bucket=bucket, Key=key, UploadId=step["upload_id"], PaginationConfig={"PageSize": step["max_parts"]}
    )
    return [part["PartNumber"] for page in pages for part in page.get("Parts", [])]


def _list_uploads(client, bucket: str, step: dict) -> list[dict]:
    """Every upload under the prefix, by the list_multipart_uploads paginator in pages of max_uploads."""
    pages = client.get_paginator("list_multipart_uploads").paginate(
        Bucket=bucket, Prefix=step["prefix"], PaginationConfig={"PageSize": step["max_uploads"]}
    )
    return [{"key": upload["Key"], "upload_id": upload["UploadId"]}
            for page in pages for upload in page.get("Uploads", [])]


def perform(scenario: dict) -> Observed:
    """Every step of the scenario with boto3; what its list and head steps saw."""
    from boto3.s3.transfer import TransferConfig

    client = _client(scenario)
    bucket = scenario["bucket"]
    observed = Observed()
    for step in scenario["steps"]:
        key = step.get("key") or scenario["key"]
        if step["op"] == "multipart-upload":
            size = step["part_size"]
            config = TransferConfig(multipart_threshold=size, multipart_chunksize=size)
            client.upload_file(step["source"], bucket, key, ExtraArgs=_extra_args(step), Config=config)
        elif step["op"] == "resume-upload":
            _resume(client, bucket, key, step)
        elif step["op"] == "download":
            client.download_file(bucket, key, step["destination"])
        elif step["op"] == "list-parts":
            observed.listed["parts"] = _list_parts(client, bucket, key, step)
        elif step["op"] == "list-uploads":
            observed.listed["uploads"] = _list_uploads(client, bucket, step)
        elif step["op"] == "put-object":
            objects.put_object(client, bucket, key, step)
        elif step["op"] == "head":
            observed.head = objects.head(client, bucket, key)
        elif step["op"] == "get-range":
            objects.get_range(client, bucket, key, step)
        elif step["op"] == "list-objects":
            observed.listed.update(objects.list_objects(client, bucket, step))
        elif step["op"] == "presign-get":
            objects.presign_get(client, bucket, key, step)
        elif step["op"] == "presign-put":
            objects.presign_put(client, bucket, key, step)
        elif step["op"] == "delete":
            client.delete_object(Bucket=bucket, Key=key)
        elif step["op"] == "abort-upload":
            client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=step["upload_id"])
    return observed


def main() -> int:
    """Run the driver (the exceptions with which boto3 gives up make the result "failed")."""
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError
    from s3transfer import exceptions as transfer

    failures = (transfer.RetriesExceededError, transfer.S3UploadFailedError, transfer.S3DownloadFailedError)
    import requests

    failures += (plain_http.PresignedTransferFailed, requests.RequestException)
    return run(perform, (Boto3Error, BotoCoreError, ClientError, *failures, OSError))


if __name__ == "__main__":
    sys.exit(main())
