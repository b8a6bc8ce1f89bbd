"""The S3 dialect of the API calls: XML bodies, ``x-amz-`` headers (see :mod:`conformance.operations`).

The same functions and results as :mod:`conformance.operations.jss`, over the S3 REST API as the S3 API
reference describes it (CreateMultipartUpload, UploadPart, CompleteMultipartUpload, ...). Error codes that
the JSS documentation names differently are translated from fixtures/dialects/s3.toml (``[codes]``), so a case
asserts the JSS name and an S3 target is held to the S3 one.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Mapping
from typing import Any
from xml.sax.saxutils import escape

import requests

from conformance.client import Body, SigningOptions
from conformance.operations.results import (
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
    flag,
    int_or_none,
    unquote_etag,
)
from conformance.paths import fixtures_dir
from conformance.tomlfile import read_toml

STORAGE_CLASS_HEADER = "x-amz-storage-class"
ENCRYPTION_HEADER = "x-amz-server-side-encryption"
REQUEST_ID_HEADER = "x-amz-request-id"
ERROR_ELEMENTS = ("Code", "Message", "Resource", "RequestId")
#: What clients read of an error body (errors.body.code-message): MUST under both rulebooks.
ERROR_REQUIRED = ("Code", "Message")
#: The elements AWS's sample error response shows besides (errors.body.sample-elements): EXAMPLE.
ERROR_SAMPLE = ("Resource", "RequestId")
#: S3 sends no x-amz-storage-class for a STANDARD object (HeadObject, GetObject).
DEFAULT_STORAGE_CLASS = "STANDARD"
#: The storage classes of the S3 API reference (x-amz-storage-class).
STORAGE_CLASSES = (
    "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
    "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE",
)
_HEX_MD5 = re.compile(r"^[0-9a-fA-F]{32}$")


@functools.cache
def dialect_table() -> dict[str, Any]:
    """fixtures/dialects/s3.toml: the S3 names of error codes, the dialect's default expectations."""
    return read_toml(fixtures_dir() / "dialects" / "s3.toml")


def s3_code(jss_code: str) -> str:
    """The S3 name of an error code the JSS documentation names `jss_code` (the same when not listed)."""
    return dialect_table().get("codes", {}).get(jss_code, jss_code)


# -- XML -----------------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def xml_root(content: bytes) -> ElementTree.Element | None:
    """The root element of an XML body, or None when it is empty or not XML."""
    if not content or not content.strip():
        return None
    try:
        return ElementTree.fromstring(content)
    except ElementTree.ParseError:
        return None


def _text(element: ElementTree.Element | None, name: str) -> str | None:
    """The text of the first child `name` of `element` (any namespace), or None."""
    if element is None:
        return None
    child = next((c for c in element if _local(c.tag) == name), None)
    return None if child is None else (child.text or "")


def _children(element: ElementTree.Element | None, name: str) -> list[ElementTree.Element]:
    return [c for c in element if _local(c.tag) == name] if element is not None else []


def _document(response: requests.Response, root_name: str) -> ElementTree.Element:
    """The XML root of a success answer (MalformedResponse when there is none). Its name (documented:
    `root_name`) is not checked here, so a misnamed root is reported by the response-fields checks only."""
    root = xml_root(response.content)
    if root is None:
        raise MalformedResponse(f"HTTP {response.status_code}: expected an XML <{root_name}>, got no XML")
    return root


class Children(dict):
    """An element's children by local name (name -> [elements]); `root` is the element's own name."""

    root: str = ""


def element_children(element: ElementTree.Element) -> Children:
    """The children of `element` grouped by their local names (for the response-fields checks)."""
    children = Children()
    children.root = _local(element.tag)
    for child in element:
        children.setdefault(_local(child.tag), []).append(child)
    return children


# -- errors --------------------------------------------------------------------------------------------


def error_code(response: requests.Response) -> str | None:
    """The ``Code`` of an XML ``Error`` body (None when absent)."""
    root = xml_root(response.content)
    return _text(root, "Code") if root is not None and _local(root.tag) == "Error" else None


def error_message(response: requests.Response) -> str | None:
    """The ``Message`` of an XML ``Error`` body (None when absent or empty)."""
    root = xml_root(response.content)
    value = _text(root, "Message") if root is not None and _local(root.tag) == "Error" else None
    return value if value and value.strip() else None


def error_shape_problem(
    response: requests.Response, elements: tuple[str, ...] = ERROR_ELEMENTS
) -> str | None:
    """What the error body lacks of S3's shape: an XML ``Error`` with `elements` (default: Code, Message,
    Resource, RequestId)."""
    root = xml_root(response.content)
    if root is None or _local(root.tag) != "Error":
        return f"HTTP {response.status_code}: the error body is not an XML <Error>"
    missing = [name for name in elements if _text(root, name) is None]
    return f"the <Error> lacks {missing} (has {[_local(c.tag) for c in root]})" if missing else None


def _checked(response: requests.Response, *ok: int) -> requests.Response:
    """`response` when its status is in `ok` (default: any 2xx) and its body is no ``Error`` (S3 may answer
    a CompleteMultipartUpload with 200 and an error body); ApiError otherwise."""
    good = (response.status_code in ok) if ok else (200 <= response.status_code < 300)
    if good and error_code(response) is None:
        return response
    raise ApiError(response.status_code, error_code(response), response)


# -- request helpers -----------------------------------------------------------------------------------


def _encryption_value(encryption: bool | str | None) -> str | None:
    """JSS's true/false flag as S3's header: true -> AES256, false -> no header; other strings as given."""
    if isinstance(encryption, str) and encryption.lower() in ("true", "false"):
        encryption = encryption.lower() == "true"
    if isinstance(encryption, bool):
        return "AES256" if encryption else None
    return encryption


def _headers(
    storage_class: str | None = None,
    encryption: bool | str | None = None,
    extra: Mapping[str, str] | None = None,
) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    if storage_class is not None:
        headers.append((STORAGE_CLASS_HEADER, storage_class))
    value = _encryption_value(encryption)
    if value is not None:
        headers.append((ENCRYPTION_HEADER, value))
    for name, value in (extra or {}).items():
        if name.lower() == "content-md5" and _HEX_MD5.match(value):
            value = base64.b64encode(bytes.fromhex(value)).decode("ascii")  # S3 sends the digest in base64
        headers.append((name, value))
    return headers


def _object_info(response: requests.Response, body: bytes | None = None) -> ObjectInfo:
    return ObjectInfo(
        response,
        etag=unquote_etag(response.headers.get("ETag")),
        size=int_or_none(response.headers.get("Content-Length")),
        storage_class=response.headers.get(STORAGE_CLASS_HEADER, DEFAULT_STORAGE_CLASS),
        last_modified=response.headers.get("Last-Modified"),
        body=body,
    )


# -- multipart operations ------------------------------------------------------------------------------


def initiate(
    client, bucket: str, key: str, *, storage_class: str | None = None, encryption: bool | str | None = None,
    headers: Mapping[str, str] | None = None, signing: SigningOptions | None = None, host: str | None = None,
) -> InitiatedUpload:
    """CreateMultipartUpload: ``POST /bucket/key?uploads``, answer ``InitiateMultipartUploadResult``."""
    response = client.request(
        "POST", bucket, key, query=[("uploads", None)], headers=_headers(storage_class, encryption, headers),
        signing=signing, host=host,
    )
    root = _document(_checked(response), "InitiateMultipartUploadResult")
    return InitiatedUpload(response, _text(root, "Bucket"), _text(root, "Key"), _text(root, "UploadId"))


def upload_part(
    client, bucket: str, key: str, upload_id: str, part_number: int | str, body: Body, *,
    upload_id_first: bool = False, headers: Mapping[str, str] | None = None,
    signing: SigningOptions | None = None,
) -> UploadedPart:
    """UploadPart: ``PUT /bucket/key?partNumber=N&uploadId=X``."""
    query = [("partNumber", str(part_number)), ("uploadId", upload_id)]
    if upload_id_first:
        query.reverse()
    response = _checked(
        client.request("PUT", bucket, key, query=query, headers=_headers(extra=headers), body=body,
                       signing=signing)
    )
    return UploadedPart(response, int_or_none(part_number) or 0, unquote_etag(response.headers.get("ETag")))


def complete_body(parts: Iterable[tuple[int, str]]) -> bytes:
    """The XML ``CompleteMultipartUpload`` for (part number, ETag) pairs, in the given order."""
    listed = "".join(
        f'<Part><PartNumber>{number}</PartNumber><ETag>"{escape(unquote_etag(etag) or "")}"</ETag></Part>'
        for number, etag in parts
    )
    return f"<CompleteMultipartUpload>{listed}</CompleteMultipartUpload>".encode()


def complete(
    client, bucket: str, key: str, upload_id: str, parts: Iterable[tuple[int, str]] | None = None, *,
    raw_body: bytes | None = None, signing: SigningOptions | None = None,
) -> CompletedUpload:
    """CompleteMultipartUpload: ``POST /bucket/key?uploadId=X``, answer ``CompleteMultipartUploadResult``."""
    body = raw_body if raw_body is not None else complete_body(parts or [])
    response = client.request(
        "POST", bucket, key, query=[("uploadId", upload_id)], body=body,
        headers=[("Content-Type", "application/xml")], signing=signing,
    )
    root = _document(_checked(response), "CompleteMultipartUploadResult")
    return CompletedUpload(
        response, _text(root, "Bucket"), _text(root, "Key"), unquote_etag(_text(root, "ETag"))
    )


def abort(client, bucket: str, key: str, upload_id: str, *, signing: SigningOptions | None = None) -> Result:
    """AbortMultipartUpload: ``DELETE /bucket/key?uploadId=X``."""
    return Result(_checked(client.request("DELETE", bucket, key, query=[("uploadId", upload_id)],
                                          signing=signing)))


def list_parts(
    client, bucket: str, key: str, upload_id: str, *, max_parts: int | None = None,
    part_number_marker: int | None = None, signing: SigningOptions | None = None,
) -> PartListing:
    """ListParts: ``GET /bucket/key?uploadId=X``, answer ``ListPartsResult``."""
    query: list[tuple[str, str | None]] = [("uploadId", upload_id)]
    if max_parts is not None:
        query.append(("max-parts", str(max_parts)))
    if part_number_marker is not None:
        query.append(("part-number-marker", str(part_number_marker)))
    response = client.request("GET", bucket, key, query=query, signing=signing)
    root = _document(_checked(response), "ListPartsResult")
    parts = [
        PartInfo(int_or_none(_text(p, "PartNumber")), unquote_etag(_text(p, "ETag")),
                 int_or_none(_text(p, "Size")), _text(p, "LastModified"))
        for p in _children(root, "Part")
    ]
    return PartListing(response, _text(root, "Bucket"), _text(root, "Key"), _text(root, "UploadId"),
                       _text(root, "StorageClass"), parts)


def list_uploads(
    client, bucket: str, *, prefix: str | None = None, max_uploads: int | None = None,
    signing: SigningOptions | None = None, host: str | None = None,
) -> UploadListing:
    """ListMultipartUploads: ``GET /bucket?uploads``, answer ``ListMultipartUploadsResult``."""
    query: list[tuple[str, str | None]] = [("uploads", None)]
    if prefix is not None:
        query.append(("prefix", prefix))
    if max_uploads is not None:
        query.append(("max-uploads", str(max_uploads)))
    response = client.request("GET", bucket, None, query=query, signing=signing, host=host)
    root = _document(_checked(response), "ListMultipartUploadsResult")
    uploads = [
        UploadInfo(
            _text(u, "Key"), _text(u, "UploadId"), _text(u, "Initiated"), None, _text(u, "StorageClass")
        )
        for u in _children(root, "Upload")
    ]
    return UploadListing(response, _text(root, "Bucket"), _text(root, "Prefix"), uploads)


# -- object and bucket operations ----------------------------------------------------------------------


def put_object(
    client, bucket: str, key: str, body: Body, *, storage_class: str | None = None,
    encryption: bool | str | None = None, headers: Mapping[str, str] | None = None,
    signing: SigningOptions | None = None,
) -> ObjectInfo:
    """PutObject: ``PUT /bucket/key``."""
    response = client.request(
        "PUT", bucket, key, headers=_headers(storage_class, encryption, headers), body=body, signing=signing
    )
    return _object_info(_checked(response))


def get_object(client, bucket: str, key: str, *, headers: Mapping[str, str] | None = None) -> ObjectInfo:
    """GetObject: ``GET /bucket/key`` (the body is read whole)."""
    response = _checked(client.request("GET", bucket, key, headers=headers))
    return _object_info(response, response.content)


def head_object(client, bucket: str, key: str) -> ObjectInfo:
    """HeadObject: ``HEAD /bucket/key`` (no x-amz-storage-class header: STANDARD)."""
    return _object_info(_checked(client.request("HEAD", bucket, key)))


def delete_object(client, bucket: str, key: str) -> Result:
    """DeleteObject: ``DELETE /bucket/key``."""
    return Result(_checked(client.request("DELETE", bucket, key)))


def put_bucket(client, bucket: str, *, region: str | None = None) -> Result:
    """CreateBucket: ``PUT /bucket``, with a LocationConstraint for a region other than us-east-1."""
    region = region or getattr(client, "region", None)
    body = b""
    if region and region != "us-east-1":
        body = (
            "<CreateBucketConfiguration><LocationConstraint>"
            f"{escape(region)}</LocationConstraint></CreateBucketConfiguration>"
        ).encode()
    return Result(_checked(client.request("PUT", bucket, body=body)))


def delete_bucket(client, bucket: str) -> Result:
    """DeleteBucket: ``DELETE /bucket``."""
    return Result(_checked(client.request("DELETE", bucket)))


def list_buckets(client) -> BucketListing:
    """ListBuckets: ``GET /``, answer ``ListAllMyBucketsResult``."""
    response = client.request("GET")
    root = _document(_checked(response), "ListAllMyBucketsResult")
    buckets = next(iter(_children(root, "Buckets")), None)
    return BucketListing(response, [_text(b, "Name") for b in _children(buckets, "Bucket")])


def list_objects(
    client, bucket: str, *, prefix: str | None = None, marker: str | None = None, max_keys: int | None = None,
    delimiter: str | None = None,
) -> ObjectListing:
    """ListObjects: ``GET /bucket`` [``?prefix=&marker=&max-keys=&delimiter=``] -> ``ListBucketResult``."""
    named = (("prefix", prefix), ("marker", marker), ("max-keys", max_keys), ("delimiter", delimiter))
    query = [(name, str(value)) for name, value in named if value is not None]
    response = client.request("GET", bucket, None, query=query)
    root = _document(_checked(response), "ListBucketResult")
    entries = [
        ObjectEntry(_text(c, "Key"), unquote_etag(_text(c, "ETag")), int_or_none(_text(c, "Size")),
                    _text(c, "StorageClass"))
        for c in _children(root, "Contents")
    ]
    prefixes = [_text(p, "Prefix") for p in _children(root, "CommonPrefixes")]
    truncated = flag(_text(root, "IsTruncated"))
    next_marker = _text(root, "NextMarker") or (entries[-1].key if truncated and entries else None)
    return ObjectListing(response, entries, prefixes, next_marker, truncated)


# -- what differs between the dialects beyond the calls ------------------------------------------------


def multipart_etag(part_etags: list[str]) -> str:
    """S3's final ETag: MD5 of the concatenated binary part digests, then ``-`` and the part count."""
    digests = b"".join(bytes.fromhex(etag) for etag in part_etags)
    return f"{hashlib.md5(digests).hexdigest()}-{len(part_etags)}"


def upload_id_in(body: bytes) -> str | None:
    """The UploadId of a CreateMultipartUpload answer's body, or None when it cannot be read."""
    root = xml_root(body)
    value = _text(root, "UploadId") if root is not None else None
    return value or None
