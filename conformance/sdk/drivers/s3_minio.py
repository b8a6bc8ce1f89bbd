"""The SDK driver for minio (PyPI, MinIO's Python client) on the S3 wire, in its default configuration.

``python -m conformance.sdk.drivers.s3_minio`` (see conformance.sdk.protocol): a multipart upload is
``fput_object`` with the scenario's part size (storage class as the x-amz-storage-class header, encryption
as ``SseS3``); a download is ``fget_object``. minio's public API has no ListParts, so a resume is
unsupported, and so are the list-parts and list-uploads steps. The object steps (put-object, head,
get-range, list-objects, presign-get, presign-put, delete; abort-upload and a put-object with Content-MD5
over plain HTTP are unsupported) are in ``s3_minio_objects``. minio is imported only when the driver runs (a
test extra, pinned in constraints.txt).
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from conformance.sdk.drivers import plain_http
from conformance.sdk.drivers import s3_minio_objects as objects
from conformance.sdk.drivers.driver_main import Observed, Unsupported, run


def _client(scenario: dict):
    from minio import Minio

    keys = scenario["credentials"]
    endpoint = urlsplit(scenario["endpoint"])
    return Minio(endpoint.netloc, access_key=keys["access_key"], secret_key=keys["secret_key"],
                 secure=endpoint.scheme == "https", region=scenario["region"])


def perform(scenario: dict) -> Observed:
    """Every step of the scenario with minio; what its list and head steps saw."""
    from minio.sse import SseS3

    client = _client(scenario)
    bucket = scenario["bucket"]
    observed = Observed()
    for step in scenario["steps"]:
        key = step.get("key") or scenario["key"]
        if step["op"] == "multipart-upload":
            storage_class = step.get("storage_class")
            metadata = {"x-amz-storage-class": storage_class} if storage_class else None
            client.fput_object(bucket, key, step["source"], part_size=step["part_size"], metadata=metadata,
                               sse=SseS3() if step.get("encryption") else None)
        elif step["op"] == "resume-upload":
            raise Unsupported("resume-upload", "minio's public API has no ListParts: an interrupted upload "
                              "cannot be resumed")
        elif step["op"] == "download":
            client.fget_object(bucket, key, step["destination"])
        elif step["op"] in ("list-parts", "list-uploads"):
            raise Unsupported(step["op"], "minio's public API has no ListParts nor ListMultipartUploads "
                              "(only the private _list_parts / _list_multipart_uploads)")
        elif step["op"] == "put-object":
            objects.put_object(client, bucket, key, step, scenario["endpoint"])
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
            client.remove_object(bucket, key)
        elif step["op"] == "abort-upload":
            raise Unsupported("abort-upload", "minio's public API has no AbortMultipartUpload (only the "
                              "private _abort_multipart_upload)")
    return observed


def main() -> int:
    """Run the driver (the exceptions with which minio gives up make the result "failed")."""
    from minio.error import MinioException
    from requests import RequestException
    from urllib3.exceptions import HTTPError

    failures = (plain_http.PresignedTransferFailed, RequestException)
    return run(perform, (MinioException, HTTPError, ValueError, OSError, *failures))


if __name__ == "__main__":
    sys.exit(main())
