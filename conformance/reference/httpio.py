"""The request context handed to every operation, and the responses an operation returns."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from conformance.reference.config import ServerConfig, User

JSON_CONTENT_TYPE = b"application/json;charset=UTF-8"


def new_request_id() -> str:
    """A request id: 16 uppercase hex characters, like JSS's."""
    return secrets.token_hex(8).upper()


@dataclass
class RequestContext:
    """One parsed request: what the operations need, nothing of ASGI."""

    method: str
    bucket: str | None
    key: str | None
    query: list[tuple[str, str | None]]
    headers: list[tuple[str, str]]
    region: str
    request_id: str
    config: ServerConfig
    user: User | None = None
    virtual_host: bool = False  # the bucket came from the Host header
    raw_header_names: tuple[str, ...] = ()  # the names of `headers` as sent (case kept), when known
    late_refusal: Exception | None = None  # raised after the operation's work (deviation, ownership.py)
    raw_path: str = ""  # the path as sent, still percent-encoded (SigV4 signs it so)
    raw_query: str = ""  # the query string as sent
    stream_signing: object | None = None  # the S3 front's chunk verifier (s3.sigv4_check.StreamSigning)
    _header_map: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        merged: dict[str, list[str]] = {}
        for name, value in self.headers:
            merged.setdefault(name, []).append(value)
        self._header_map = {name: ",".join(values) for name, values in merged.items()}

    def header(self, name: str) -> str | None:
        """The value of header `name` (lowercase), repeated values joined by ``,``; None when absent."""
        return self._header_map.get(name)

    def has_query(self, name: str) -> bool:
        """True when query parameter `name` is present (with or without a value)."""
        return any(key == name for key, _ in self.query)

    def query_value(self, name: str) -> str | None:
        """The first value of query parameter `name` ("" for a key without ``=``), or None when absent."""
        for key, value in self.query:
            if key == name:
                return value if value is not None else ""
        return None

    @property
    def resource(self) -> str:
        """The resource named in error bodies: ``/bucket/key``, ``/bucket`` or ``/``."""
        if not self.bucket:
            return "/"
        return f"/{self.bucket}/{self.key}" if self.key else f"/{self.bucket}"


@dataclass
class Response:
    """A response: status, headers, and either a body or an async stream of `length` bytes."""

    status: int
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytes = b""
    stream: AsyncIterator[bytes] | None = None
    length: int | None = None


def json_response(
    payload: object, status: int = 200, headers: list[tuple[bytes, bytes]] | None = None
) -> Response:
    """A JSON response with the JSS content type."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status, [(b"content-type", JSON_CONTENT_TYPE), *(headers or [])], body)


def empty_response(status: int = 200, headers: list[tuple[bytes, bytes]] | None = None) -> Response:
    """A response with no body (UploadPart, deletes, PutBucket, PutObject)."""
    return Response(status, [(b"content-type", JSON_CONTENT_TYPE), *(headers or [])])


def quoted_etag(hex_digest: str) -> bytes:
    """The ETag header value: the hex MD5 in double quotes."""
    return f'"{hex_digest}"'.encode("ascii")
