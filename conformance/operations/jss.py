"""The JSS dialect of the API calls: JSON bodies, ``x-jss-`` headers (see :mod:`conformance.operations`).

Every function takes a :class:`~conformance.client.JssClient` first and returns a small dataclass with the
parsed fields and the raw ``response`` (so response-field checks can look at the JSON and headers as sent).
An error answer raises :class:`ApiError`.

Field lookup in success bodies is case-insensitive (the seed itself spells ``UploadId`` as ``UploadID`` in
its prose), so a misspelled field is reported by the response-fields checks and nowhere else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import requests

from conformance.client import Body, JssClient, SigningOptions
from conformance.operations.results import (
    ENCRYPTION_HEADER,
    ERROR_KEYS,
    REQUEST_ID_HEADER,  # noqa: F401 - the dialect's request id header (operations.request_id_header)
    STORAGE_CLASS_HEADER,
    ApiError,
    BucketListing,
    CompletedUpload,
    InitiatedUpload,
    ObjectEntry,
    ObjectInfo,
    ObjectListing,
    PartInfo,
    PartListing,
    Result,
    UploadedPart,
    UploadInfo,
    UploadListing,
    document_of,
    field_of,
    flag,
    int_or_none,
    json_body,
    md5_hex,
    unquote_etag,
)

# -- request helpers -----------------------------------------------------------------------------------


def _checked(response: requests.Response, *ok: int) -> requests.Response:
    """Return `response` when its status is in `ok` (default: any 2xx); raise ApiError otherwise."""
    if (response.status_code in ok) if ok else (200 <= response.status_code < 300):
        return response
    raise ApiError(response.status_code, field_of(json_body(response), "code"), response)


def _headers(
    storage_class: str | None = None,
    encryption: bool | str | None = None,
    extra: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    if storage_class is not None:
        headers.append((STORAGE_CLASS_HEADER, storage_class))
    if isinstance(encryption, bool):
        encryption = "true" if encryption else "false"
    if encryption is not None:
        headers.append((ENCRYPTION_HEADER, encryption))
    headers.extend((extra or {}).items())
    return headers


def _object_info(response: requests.Response, body: bytes | None = None) -> ObjectInfo:
    return ObjectInfo(
        response,
        etag=unquote_etag(response.headers.get("ETag")),
        size=int_or_none(response.headers.get("Content-Length")),
        storage_class=response.headers.get(STORAGE_CLASS_HEADER),
        last_modified=response.headers.get("Last-Modified"),
        body=body,
    )


# -- multipart operations ------------------------------------------------------------------------------


def initiate(
    client: JssClient,
    bucket: str,
    key: str,
    *,
    storage_class: str | None = None,
    encryption: bool | str | None = None,
    headers: Mapping[str, str] | None = None,
    signing: SigningOptions | None = None,
    host: str | None = None,
) -> InitiatedUpload:
    """InitiateMultipartUpload: ``POST /bucket/key?uploads``."""
    response = client.request(
        "POST", bucket, key, query=[("uploads", None)], headers=_headers(storage_class, encryption, headers),
        signing=signing, host=host,
    )
    document = document_of(_checked(response))
    return InitiatedUpload(
        response, field_of(document, "Bucket"), field_of(document, "Key"), field_of(document, "UploadId")
    )


def upload_part(
    client: JssClient,
    bucket: str,
    key: str,
    upload_id: str,
    part_number: int | str,
    body: Body,
    *,
    upload_id_first: bool = False,
    headers: Mapping[str, str] | None = None,
    signing: SigningOptions | None = None,
) -> UploadedPart:
    """UploadPart: ``PUT /bucket/key?partNumber=N&uploadId=X`` (or uploadId first)."""
    query = [("partNumber", str(part_number)), ("uploadId", upload_id)]
    if upload_id_first:
        query.reverse()
    response = _checked(
        client.request("PUT", bucket, key, query=query, headers=headers, body=body, signing=signing)
    )
    return UploadedPart(response, int_or_none(part_number) or 0, unquote_etag(response.headers.get("ETag")))


def complete_body(parts: Iterable[tuple[int, str]]) -> bytes:
    """The CompleteMultipartUpload body for (part number, ETag) pairs, in the given order."""
    listed = [{"PartNumber": number, "ETag": unquote_etag(etag)} for number, etag in parts]
    return json.dumps({"Part": listed}).encode("utf-8")


def complete(
    client: JssClient,
    bucket: str,
    key: str,
    upload_id: str,
    parts: Iterable[tuple[int, str]] | None = None,
    *,
    raw_body: bytes | None = None,
    signing: SigningOptions | None = None,
) -> CompletedUpload:
    """CompleteMultipartUpload: ``POST /bucket/key?uploadId=X`` with the part list (or `raw_body`)."""
    body = raw_body if raw_body is not None else complete_body(parts or [])
    query = [("uploadId", upload_id)]
    response = client.request("POST", bucket, key, query=query, body=body, signing=signing)
    document = document_of(_checked(response))
    etag = unquote_etag(field_of(document, "ETag"))
    return CompletedUpload(response, field_of(document, "Bucket"), field_of(document, "Key"), etag)


def abort(
    client: JssClient, bucket: str, key: str, upload_id: str, *, signing: SigningOptions | None = None
) -> Result:
    """AbortMultipartUpload: ``DELETE /bucket/key?uploadId=X``."""
    query = [("uploadId", upload_id)]
    return Result(_checked(client.request("DELETE", bucket, key, query=query, signing=signing)))


def list_parts(
    client: JssClient,
    bucket: str,
    key: str,
    upload_id: str,
    *,
    max_parts: int | None = None,
    part_number_marker: int | None = None,
    signing: SigningOptions | None = None,
) -> PartListing:
    """ListParts: ``GET /bucket/key?uploadId=X`` [``&max-parts=N&part-number-marker=M``]."""
    query: list[tuple[str, str | None]] = [("uploadId", upload_id)]
    if max_parts is not None:
        query.append(("max-parts", str(max_parts)))
    if part_number_marker is not None:
        query.append(("part-number-marker", str(part_number_marker)))
    response = client.request("GET", bucket, key, query=query, signing=signing)
    document = document_of(_checked(response))
    parts = [
        PartInfo(
            int_or_none(field_of(item, "PartNumber")), unquote_etag(field_of(item, "ETag")),
            int_or_none(field_of(item, "Size")), field_of(item, "LastModified"),
        )
        for item in (field_of(document, "Part") or [])
    ]
    return PartListing(
        response, field_of(document, "Bucket"), field_of(document, "Key"), field_of(document, "UploadId"),
        field_of(document, "StorageClass"), parts,
    )


def list_uploads(
    client: JssClient,
    bucket: str,
    *,
    prefix: str | None = None,
    max_uploads: int | None = None,
    signing: SigningOptions | None = None,
    host: str | None = None,
) -> UploadListing:
    """ListMultipartUploads: ``GET /bucket?uploads`` [``&prefix=P&max-uploads=N``]."""
    query: list[tuple[str, str | None]] = [("uploads", None)]
    if prefix is not None:
        query.append(("prefix", prefix))
    if max_uploads is not None:
        query.append(("max-uploads", str(max_uploads)))
    response = client.request("GET", bucket, None, query=query, signing=signing, host=host)
    document = document_of(_checked(response))
    uploads = [
        UploadInfo(
            field_of(item, "Key"), field_of(item, "UploadId"), field_of(item, "Initiated"),
            flag(field_of(item, "Enable-Encryption")), field_of(item, "StorageClass"),
        )
        for item in (field_of(document, "Upload") or [])
    ]
    return UploadListing(response, field_of(document, "Bucket"), field_of(document, "Prefix"), uploads)


# -- object and bucket operations ----------------------------------------------------------------------


def put_object(
    client: JssClient,
    bucket: str,
    key: str,
    body: Body,
    *,
    storage_class: str | None = None,
    encryption: bool | str | None = None,
    headers: Mapping[str, str] | None = None,
    signing: SigningOptions | None = None,
) -> ObjectInfo:
    """PutObject: ``PUT /bucket/key``."""
    response = client.request(
        "PUT", bucket, key, headers=_headers(storage_class, encryption, headers), body=body, signing=signing
    )
    return _object_info(_checked(response))


def get_object(
    client: JssClient, bucket: str, key: str, *, headers: Mapping[str, str] | None = None
) -> ObjectInfo:
    """GetObject: ``GET /bucket/key`` (the body is read whole)."""
    response = _checked(client.request("GET", bucket, key, headers=headers))
    return _object_info(response, response.content)


def head_object(client: JssClient, bucket: str, key: str) -> ObjectInfo:
    """HeadObject: ``HEAD /bucket/key``."""
    return _object_info(_checked(client.request("HEAD", bucket, key)))


def delete_object(client: JssClient, bucket: str, key: str) -> Result:
    """DeleteObject: ``DELETE /bucket/key``."""
    return Result(_checked(client.request("DELETE", bucket, key)))


def put_bucket(client: JssClient, bucket: str) -> Result:
    """PutBucket: ``PUT /bucket`` (the bucket's region is the endpoint's)."""
    return Result(_checked(client.request("PUT", bucket)))


def delete_bucket(client: JssClient, bucket: str) -> Result:
    """DeleteBucket: ``DELETE /bucket``."""
    return Result(_checked(client.request("DELETE", bucket)))


def list_buckets(client: JssClient) -> BucketListing:
    """ListBuckets (GetService): ``GET /``."""
    response = client.request("GET")
    document = document_of(_checked(response))
    return BucketListing(response, [field_of(item, "Name") for item in (field_of(document, "Buckets") or [])])


def list_objects(
    client: JssClient,
    bucket: str,
    *,
    prefix: str | None = None,
    marker: str | None = None,
    max_keys: int | None = None,
    delimiter: str | None = None,
) -> ObjectListing:
    """GetBucket (list objects): ``GET /bucket`` [``?prefix=&marker=&maxKeys=&delimiter=``]."""
    named = (("prefix", prefix), ("marker", marker), ("maxKeys", max_keys), ("delimiter", delimiter))
    query = [(name, str(value)) for name, value in named if value is not None]
    response = client.request("GET", bucket, None, query=query)
    document = document_of(_checked(response))
    entries = [
        ObjectEntry(
            field_of(item, "Key"), unquote_etag(field_of(item, "ETag")), int_or_none(field_of(item, "Size")),
            field_of(item, "StorageClass"),
        )
        for item in (field_of(document, "Contents") or [])
    ]
    return ObjectListing(
        response, entries, list(field_of(document, "CommonPrefixes") or []),
        field_of(document, "NextMarker"), flag(field_of(document, "HasNext")),
    )



# -- what differs between the dialects beyond the calls ------------------------------------------------


def multipart_etag(part_etags: list[str]) -> str:
    """The documented final ETag: MD5 of the concatenated lowercase hex part ETags, in part order."""
    return md5_hex("".join(etag.lower() for etag in part_etags).encode("ascii"))


def upload_id_in(body: bytes) -> str | None:
    """The UploadId of an initiate answer's body, or None when it cannot be read."""
    try:
        value = field_of(json.loads(body), "UploadId")
    except ValueError:
        return None
    return value if isinstance(value, str) and value else None


def error_code(response: requests.Response) -> str | None:
    """The code of an error answer's body (None when absent)."""
    return field_of(json_body(response), "code")


def error_message(response: requests.Response) -> str | None:
    """The ``message`` of a JSON error body (None when absent or not text)."""
    value = field_of(json_body(response), "message")
    return value if isinstance(value, str) and value.strip() else None


def error_shape_problem(response: requests.Response) -> str | None:
    """What the error body lacks of its documented shape (a JSON object with the four lowercase keys)."""
    document = json_body(response)
    keys = set(document) if isinstance(document, dict) else set()
    missing = sorted(ERROR_KEYS - keys)
    return f"the error body lacks the keys {missing} (keys: {sorted(keys)})" if missing else None
