"""The API calls as functions returning dialect-neutral results, for both wire dialects.

Every function takes a client first (:class:`~conformance.client.JssClient`, or its S3 sibling
:class:`~conformance.client_s3.S3Client`) and returns a small dataclass with the parsed fields and the raw
``response``. An error answer raises :class:`ApiError`. Cases talk about uploads, parts and storage classes;
the wire details live side by side, one module per dialect: :mod:`conformance.operations.jss` (JSON bodies,
``x-jss-`` headers) and :mod:`conformance.operations.s3` (XML bodies, ``x-amz-`` headers). Each function here
calls the one of the client's dialect (``client.dialect``); the helpers on a response use the dialect of the
client that made the exchange, and so do the cases' assertions (:mod:`conformance.operations.verdicts`).
"""

from __future__ import annotations

import functools
import importlib
from types import ModuleType
from typing import Any

import requests

from conformance.operations.checks import CheckFailures, Observations, checking, not_reached
from conformance.operations.results import (
    ENCRYPTION_HEADER,
    ERROR_KEYS,
    REQUEST_ID_HEADER,
    STORAGE_CLASS_HEADER,
    ApiError,
    BucketListing,
    CompletedUpload,
    InitiatedUpload,
    MalformedResponse,
    ObjectEntry,
    ObjectInfo,
    ObjectListing,
    PartInfo,
    PartListing,
    Result,
    UploadedPart,
    UploadInfo,
    UploadListing,
    field_of,
    json_body,
    unquote_etag,
)
from conformance.operations.verdicts import (
    Mismatch,
    answer_of,
    assert_error,
    assert_status,
    assert_value,
    describe,
    exchange_of,
)
from conformance.outcomes import NotInDialect

DIALECTS = ("jss", "s3")

__all__ = [
    "DIALECTS", "ENCRYPTION_HEADER", "ERROR_KEYS", "REQUEST_ID_HEADER", "STORAGE_CLASS_HEADER",
    "ApiError", "BucketListing", "CompletedUpload", "InitiatedUpload", "MalformedResponse", "ObjectEntry",
    "ObjectInfo", "ObjectListing", "PartInfo", "PartListing", "Result", "UploadedPart", "UploadInfo",
    "UploadListing", "field_of", "json_body", "unquote_etag", "dialect_module",
    "CheckFailures", "Observations", "checking", "not_reached",
    "Mismatch", "answer_of", "assert_error", "assert_status", "assert_value", "describe", "exchange_of",
    "initiate", "upload_part", "complete_body", "complete", "abort", "list_parts", "list_uploads",
    "put_object", "get_object", "head_object", "delete_object", "put_bucket", "delete_bucket",
    "list_buckets", "list_objects", "multipart_etag", "request_id_header", "error_code", "error_message",
    "error_shape_problem", "upload_id_in", "require_unknown_storage_class",
]


@functools.cache
def dialect_module(dialect: str) -> ModuleType:
    """The operations module of `dialect` ("jss" or "s3")."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r} (known: {', '.join(DIALECTS)})")
    return importlib.import_module(f"conformance.operations.{dialect}")


def _of(client: Any) -> ModuleType:
    return dialect_module(getattr(client, "dialect", "jss"))


def _of_response(response: requests.Response) -> ModuleType:
    exchange = getattr(response, "exchange", None)
    return dialect_module(getattr(exchange, "dialect", "jss"))


# -- the calls -----------------------------------------------------------------------------------------


def initiate(client, bucket, key, **options) -> InitiatedUpload:
    """InitiateMultipartUpload (S3: CreateMultipartUpload): ``POST /bucket/key?uploads``."""
    return _of(client).initiate(client, bucket, key, **options)


def upload_part(client, bucket, key, upload_id, part_number, body, **options) -> UploadedPart:
    """UploadPart: ``PUT /bucket/key?partNumber=N&uploadId=X`` (or uploadId first)."""
    return _of(client).upload_part(client, bucket, key, upload_id, part_number, body, **options)


def complete_body(parts, dialect: str = "jss") -> bytes:
    """The CompleteMultipartUpload body for (part number, ETag) pairs, in the given order."""
    return dialect_module(dialect).complete_body(parts)


def complete(client, bucket, key, upload_id, parts=None, **options) -> CompletedUpload:
    """CompleteMultipartUpload: ``POST /bucket/key?uploadId=X`` with the part list (or `raw_body`)."""
    return _of(client).complete(client, bucket, key, upload_id, parts, **options)


def abort(client, bucket, key, upload_id, **options) -> Result:
    """AbortMultipartUpload: ``DELETE /bucket/key?uploadId=X``."""
    return _of(client).abort(client, bucket, key, upload_id, **options)


def list_parts(client, bucket, key, upload_id, **options) -> PartListing:
    """ListParts: ``GET /bucket/key?uploadId=X`` [``&max-parts=N&part-number-marker=M``]."""
    return _of(client).list_parts(client, bucket, key, upload_id, **options)


def list_uploads(client, bucket, **options) -> UploadListing:
    """ListMultipartUploads: ``GET /bucket?uploads`` [``&prefix=P&max-uploads=N``]."""
    return _of(client).list_uploads(client, bucket, **options)


def put_object(client, bucket, key, body, **options) -> ObjectInfo:
    """PutObject: ``PUT /bucket/key``."""
    return _of(client).put_object(client, bucket, key, body, **options)


def get_object(client, bucket, key, **options) -> ObjectInfo:
    """GetObject: ``GET /bucket/key`` (the body is read whole)."""
    return _of(client).get_object(client, bucket, key, **options)


def head_object(client, bucket, key) -> ObjectInfo:
    """HeadObject: ``HEAD /bucket/key``."""
    return _of(client).head_object(client, bucket, key)


def delete_object(client, bucket, key) -> Result:
    """DeleteObject: ``DELETE /bucket/key``."""
    return _of(client).delete_object(client, bucket, key)


def put_bucket(client, bucket, **options) -> Result:
    """PutBucket (S3: CreateBucket): ``PUT /bucket``."""
    return _of(client).put_bucket(client, bucket, **options)


def delete_bucket(client, bucket) -> Result:
    """DeleteBucket: ``DELETE /bucket``."""
    return _of(client).delete_bucket(client, bucket)


def list_buckets(client) -> BucketListing:
    """ListBuckets (GetService): ``GET /``."""
    return _of(client).list_buckets(client)


def list_objects(client, bucket, **options) -> ObjectListing:
    """GetBucket (list objects): ``GET /bucket`` with prefix, marker, a page size and a delimiter."""
    return _of(client).list_objects(client, bucket, **options)


# -- what differs between the dialects beyond the calls ------------------------------------------------


def multipart_etag(client, part_etags: list[str]) -> str:
    """The final ETag the client's dialect documents for these part ETags (JSS: MD5 of the hex ETags;
    S3: MD5 of the binary digests, then ``-N``)."""
    return _of(client).multipart_etag(part_etags)


def require_unknown_storage_class(client, value: str) -> None:
    """NotInDialect when `value`, unknown to the JSS documentation, is a storage class of the client's
    dialect (S3's GLACIER, ...): the unknown-class check does not apply to it there."""
    if value in getattr(_of(client), "STORAGE_CLASSES", ()):
        raise NotInDialect(f"{value} is a storage class of the {client.dialect} dialect")


def request_id_header(client) -> str:
    """The response header carrying the request id in the client's dialect."""
    return _of(client).REQUEST_ID_HEADER


def error_code(response: requests.Response) -> str | None:
    """The code of an error answer's body (None when absent)."""
    return _of_response(response).error_code(response)


def error_message(response: requests.Response) -> str | None:
    """The server's own message in an error answer's body (JSON ``message``, XML ``<Message>``), or None."""
    return _of_response(response).error_message(response)


def error_shape_problem(response: requests.Response) -> str | None:
    """What the error body lacks of its dialect's documented shape (None: nothing)."""
    return _of_response(response).error_shape_problem(response)


def upload_id_in(dialect: str, body: bytes) -> str | None:
    """The UploadId of an initiate answer's body in `dialect`, or None when it cannot be read."""
    return dialect_module(dialect).upload_id_in(body)
