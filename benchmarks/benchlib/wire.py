"""What an upload benchmark needs from a server, whatever its wire dialect.

Both dialects send with the same `requests.Session` and sign a short string per request (JSS: HMAC-SHA1
of the string to sign via `conformance.signing`; S3: botocore's SigV4 with UNSIGNED-PAYLOAD), so neither
client hashes the body and the client-side cost per request is comparable.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from urllib.parse import quote

import requests

Body = bytes | memoryview
Query = list[tuple[str, str | None]]


class WireError(RuntimeError):
    """An unexpected status from the server under test."""


def encode_query(query: Query) -> str:
    """The raw query string, order kept: ``k`` for a None value, else ``k=v`` (value percent-encoded)."""
    return "&".join(k if v is None else f"{k}={quote(v, safe='')}" for k, v in query)


def object_path(bucket: str, key: str | None) -> str:
    """The path-style request path ``/bucket[/key]``."""
    return f"/{quote(bucket, safe='')}" + (f"/{quote(key, safe='/')}" if key else "")


def strip_quotes(etag: str) -> str:
    """An ETag without its surrounding double quotes."""
    return etag.strip().strip('"')


class UploadWire(ABC):
    """The multipart calls of one dialect against one bucket."""

    dialect = "?"

    def __init__(self, endpoint: str, bucket: str, session: requests.Session, timeout: float) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.bucket = bucket
        self.session = session
        self.timeout = timeout

    def send(
        self,
        method: str,
        key: str | None = None,
        query: Query | None = None,
        body: Body = b"",
        headers: Mapping[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
    ) -> requests.Response:
        """Sign and send one request; WireError unless the status is one of `expect`."""
        query = query or []
        path = object_path(self.bucket, key)
        url = self.endpoint + path + (f"?{encode_query(query)}" if query else "")
        signed_headers = self.sign(method, url, key, query, dict(headers or {}))
        response = self.session.request(method, url, data=body, headers=signed_headers, timeout=self.timeout)
        if response.status_code not in expect:
            raise WireError(
                f"{self.dialect} {method} {path}?{encode_query(query)} -> {response.status_code} "
                f"{response.content[:300]!r}"
            )
        return response

    @abstractmethod
    def sign(self, method: str, url: str, key: str | None, query: Query, headers: dict[str, str]) -> dict:
        """The headers to send, with the dialect's date and authorization added."""

    @abstractmethod
    def create_bucket(self) -> None:
        """Create the bucket."""

    @abstractmethod
    def initiate(self, key: str) -> str:
        """Start a multipart upload; return its upload id."""

    def upload_part(self, key: str, upload_id: str, number: int, body: Body) -> str:
        """Upload one part; return its ETag without quotes."""
        query: Query = [("partNumber", str(number)), ("uploadId", upload_id)]
        response = self.send("PUT", key, query, body=body)
        return strip_quotes(response.headers.get("ETag", ""))

    @abstractmethod
    def complete(self, key: str, upload_id: str, etags: list[str]) -> str:
        """Complete the upload with parts 1..len(etags); return the final ETag without quotes."""

    def abort(self, key: str, upload_id: str) -> None:
        """Abort the upload (best effort cleanup)."""
        self.send("DELETE", key, [("uploadId", upload_id)], expect=(200, 204, 404))

    def head(self, key: str) -> tuple[int, str]:
        """(Content-Length, ETag without quotes) of a stored object."""
        response = self.send("HEAD", key)
        return int(response.headers["Content-Length"]), strip_quotes(response.headers.get("ETag", ""))

    def delete(self, key: str) -> None:
        """Delete an object."""
        self.send("DELETE", key, expect=(200, 204))

    def delete_bucket(self) -> None:
        """Delete the (empty) bucket."""
        self.send("DELETE", None, expect=(200, 204))
