"""The JSS API calls as functions returning dialect-neutral results.

Every function takes a :class:`~conformance.client.JssClient` first and returns a small dataclass with the
parsed fields and the raw ``response`` (so response-field checks can look at the JSON and headers as sent).
An error answer raises :class:`ApiError`. The JSS wire details (JSON field names, ``x-jss-`` headers, quoted
ETags) stay in this module; cases talk about uploads, parts and storage classes.

Field lookup in success bodies is case-insensitive (the seed itself spells ``UploadId`` as ``UploadID`` in
its prose), so a misspelled field is reported by the response-fields checks and nowhere else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from conformance.client import Body, JssClient, SigningOptions

STORAGE_CLASS_HEADER = "x-jss-storage-class"
ENCRYPTION_HEADER = "x-jss-server-side-encryption"
REQUEST_ID_HEADER = "x-jss-request-id"
ERROR_KEYS = frozenset({"code", "message", "resource", "requestId"})


class MalformedResponse(AssertionError):
    """A success answer whose body is not the documented JSON (a conformance failure)."""


class ApiError(Exception):
    """An error answer: HTTP `status`, the JSON body's `code` (None when absent) and the raw `response`."""

    def __init__(self, status: int, code: str | None, response: requests.Response) -> None:
        super().__init__(f"HTTP {status} {code}")
        self.status = status
        self.code = code
        self.response = response

    @property
    def body(self) -> Any:
        """The parsed JSON error body, or None when it is not JSON."""
        return json_body(self.response)


# -- results -------------------------------------------------------------------------------------------


@dataclass
class Result:
    """Base of every result: the raw response, and its parsed JSON document (None when not JSON)."""

    response: requests.Response = field(repr=False)

    @property
    def document(self) -> Any:
        """The response body parsed as JSON (None when it is empty or not JSON)."""
        return json_body(self.response)


@dataclass
class InitiatedUpload(Result):
    bucket: str | None = None
    key: str | None = None
    upload_id: str | None = None


@dataclass
class UploadedPart(Result):
    part_number: int = 0
    etag: str | None = None  # unquoted


@dataclass
class CompletedUpload(Result):
    bucket: str | None = None
    key: str | None = None
    etag: str | None = None  # unquoted


@dataclass
class PartInfo:
    part_number: int | None
    etag: str | None
    size: int | None
    last_modified: str | None


@dataclass
class PartListing(Result):
    bucket: str | None = None
    key: str | None = None
    upload_id: str | None = None
    storage_class: str | None = None
    parts: list[PartInfo] = field(default_factory=list)


@dataclass
class UploadInfo:
    key: str | None
    upload_id: str | None
    initiated: str | None
    encrypted: bool | None
    storage_class: str | None


@dataclass
class UploadListing(Result):
    bucket: str | None = None
    prefix: str | None = None
    uploads: list[UploadInfo] = field(default_factory=list)


@dataclass
class ObjectInfo(Result):
    """A written, read or headed object. `body` is set by get_object only."""

    etag: str | None = None  # unquoted
    size: int | None = None
    storage_class: str | None = None
    last_modified: str | None = None
    body: bytes | None = None


@dataclass
class ObjectEntry:
    key: str | None
    etag: str | None
    size: int | None
    storage_class: str | None


@dataclass
class ObjectListing(Result):
    entries: list[ObjectEntry] = field(default_factory=list)
    common_prefixes: list[Any] = field(default_factory=list)
    next_marker: str | None = None
    has_next: bool | None = None


@dataclass
class BucketListing(Result):
    names: list[str] = field(default_factory=list)


# -- parsing helpers -----------------------------------------------------------------------------------


def json_body(response: requests.Response) -> Any:
    """The response body parsed as JSON, or None when it is empty or not JSON."""
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return None


def _document(response: requests.Response) -> dict[str, Any]:
    document = json_body(response)
    if not isinstance(document, dict):
        raise MalformedResponse(f"HTTP {response.status_code}: the body is not a JSON object")
    return document


def field_of(document: Mapping[str, Any] | None, name: str) -> Any:
    """The value of field `name` of a JSON object, matched exactly first, then case-insensitively."""
    if not isinstance(document, Mapping):
        return None
    if name in document:
        return document[name]
    wanted = name.lower()
    return next((value for key, value in document.items() if key.lower() == wanted), None)


def unquote_etag(value: str | None) -> str | None:
    """An ETag without its surrounding double quotes."""
    return value.strip().strip('"') if value is not None else None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


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
        size=_int_or_none(response.headers.get("Content-Length")),
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
    document = _document(_checked(response))
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
    return UploadedPart(response, _int_or_none(part_number) or 0, unquote_etag(response.headers.get("ETag")))


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
    document = _document(_checked(response))
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
    document = _document(_checked(response))
    parts = [
        PartInfo(
            _int_or_none(field_of(item, "PartNumber")), unquote_etag(field_of(item, "ETag")),
            _int_or_none(field_of(item, "Size")), field_of(item, "LastModified"),
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
    document = _document(_checked(response))
    uploads = [
        UploadInfo(
            field_of(item, "Key"), field_of(item, "UploadId"), field_of(item, "Initiated"),
            _flag(field_of(item, "Enable-Encryption")), field_of(item, "StorageClass"),
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
    document = _document(_checked(response))
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
    document = _document(_checked(response))
    entries = [
        ObjectEntry(
            field_of(item, "Key"), unquote_etag(field_of(item, "ETag")), _int_or_none(field_of(item, "Size")),
            field_of(item, "StorageClass"),
        )
        for item in (field_of(document, "Contents") or [])
    ]
    return ObjectListing(
        response, entries, list(field_of(document, "CommonPrefixes") or []),
        field_of(document, "NextMarker"), _flag(field_of(document, "HasNext")),
    )


# -- the single error assertion ------------------------------------------------------------------------


def assert_error(response_or_exc: requests.Response | ApiError, status: int, code: str | None) -> None:
    """Assert an error answer: HTTP `status`, the body's ``code`` (when `code` is given), and a JSON body
    with the four lowercase keys code/message/resource/requestId. Never the message text. A HEAD answer has
    no body, so only its status is checked."""
    response = response_or_exc.response if isinstance(response_or_exc, ApiError) else response_or_exc
    assert response is not None, "expected an error answer, got no response"
    assert response.status_code == status, f"expected HTTP {status} {code}, got HTTP {response.status_code}"
    if response.request is not None and response.request.method == "HEAD":
        return
    document = json_body(response)
    assert isinstance(document, dict), f"HTTP {response.status_code}: the error body is not a JSON object"
    missing = sorted(ERROR_KEYS - set(document))
    assert not missing, f"the error body lacks the keys {missing}"
    if code is not None:
        assert document.get("code") == code, f"expected code {code!r}, got {document.get('code')!r}"
