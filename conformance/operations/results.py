"""The dialect-neutral results of the operations, the error types and the parsing helpers they share (the
cases' assertions are in :mod:`conformance.operations.verdicts`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

STORAGE_CLASS_HEADER = "x-jss-storage-class"
ENCRYPTION_HEADER = "x-jss-server-side-encryption"
REQUEST_ID_HEADER = "x-jss-request-id"
ERROR_KEYS = frozenset({"code", "message", "resource", "requestId"})


class MalformedResponse(AssertionError):
    """A success answer whose body is not the documented JSON (a conformance failure)."""


class ApiError(Exception):
    """An error answer: HTTP `status`, the body's error `code` (None when absent) and the raw `response`."""

    def __init__(self, status: int, code: str | None, response: requests.Response) -> None:
        super().__init__(f"HTTP {status} {code}")
        self.status = status
        self.code = code
        self.response = response

    @property
    def body(self) -> Any:
        """The parsed JSON error body, or None when it is not JSON (an S3 error body is XML)."""
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


def document_of(response: requests.Response) -> dict[str, Any]:
    """The response body as a JSON object; MalformedResponse when it is not one."""
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


def int_or_none(value: Any) -> int | None:
    """`value` as an int, or None when it is not one."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def flag(value: Any) -> bool | None:
    """A JSON boolean or a "true"/"false" string (any case) as a bool, else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def md5_hex(data: bytes) -> str:
    """Lowercase hex MD5 of `data`."""
    return hashlib.md5(data).hexdigest()
