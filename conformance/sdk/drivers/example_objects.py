"""The object steps of the example SDK driver (put-object, head, get-range, list-objects, presign-get,
presign-put, delete, abort-upload; see conformance.sdk.protocol), on either wire through the suite's own
client (conformance.client / conformance.client_s3). A mixin of
:class:`~conformance.sdk.drivers.example.ExampleDriver`, which gives it ``client``, ``bucket``, ``key``,
``wire``, ``listed``, ``head`` and ``attempt`` (bounded retries).

Each method is one place where a broken driver (conformance.sdk.drivers.broken) can make one mistake."""

from __future__ import annotations

import base64
import hashlib
import time

import requests

from conformance import operations as ops
from conformance.client import SigningOptions
from conformance.outcomes import InfraError

#: The user-metadata header prefix of each wire.
META_PREFIXES = {"jss": "x-jss-meta-", "s3": "x-amz-meta-"}
PLAIN_TIMEOUT = 60


class ObjectSteps:
    """The object steps; see the module docstring for what the class using it provides."""

    # -- PutObject and HeadObject ----------------------------------------------------------------------
    def put_headers(self, step: dict, data: bytes) -> dict[str, str]:
        """The headers of the PutObject: Content-Type, Content-MD5 when asked, the user metadata with the
        wire's prefix. Content-MD5 is base64 of the body's MD5 on S3; on JSS the 32 lowercase hex digits
        every documented example and client send (clause signature.content-md5.hex; the doc's text says
        base64, which the reference accepts but the recorder's diagnosis reports as that clause's FAIL)."""
        headers = {}
        if step.get("content_type"):
            headers["Content-Type"] = step["content_type"]
        if step.get("content_md5"):
            digest = hashlib.md5(data)
            headers["Content-MD5"] = (digest.hexdigest() if self.wire == "jss"
                                      else base64.b64encode(digest.digest()).decode("ascii"))
        prefix = META_PREFIXES[self.wire]
        headers.update((prefix + name.lower(), value) for name, value in step.get("metadata", {}).items())
        return headers

    def put_object(self, step: dict) -> None:
        """One PutObject of the source file."""
        with open(step["source"], "rb") as source:
            data = source.read()
        headers = self.put_headers(step, data)
        self.attempt("put", lambda: ops.put_object(self.client, self.bucket, self.key, data, headers=headers))

    def head_report(self, info) -> dict:
        """What the HEAD reported: size, ETag, Content-Type, user metadata (names without the prefix)."""
        prefix = META_PREFIXES[self.wire]
        metadata = {name.lower()[len(prefix):]: value for name, value in info.response.headers.items()
                    if name.lower().startswith(prefix)}
        content_type = info.response.headers.get("Content-Type")
        return {"size": info.size, "etag": info.etag, "content_type": content_type, "metadata": metadata}

    def head_step(self, step: dict) -> None:
        """HeadObject; what it reported goes in the result's ``head``."""
        info = self.attempt("head", lambda: ops.head_object(self.client, self.bucket, self.key))
        self.head = self.head_report(info)

    # -- ranged GET --------------------------------------------------------------------------------------
    def range_bounds(self, start: int, end: int) -> tuple[int, int]:
        """The first and last byte (inclusive) the Range header asks for bytes start..end."""
        return start, end

    def get_range_step(self, step: dict) -> None:
        """One GET with ``Range: bytes=A-B``, the bytes written to the destination (a short answer is asked
        again)."""
        first, last = self.range_bounds(step["start"], step["end"])

        def get() -> bytes:
            headers = {"Range": f"bytes={first}-{last}"}
            info = ops.get_object(self.client, self.bucket, self.key, headers=headers)
            if len(info.body) != last - first + 1:
                raise InfraError(f"got {len(info.body)} bytes of range {first}-{last}")
            return info.body

        body = self.attempt(f"get bytes {first}-{last}", get)
        with open(step["destination"], "wb") as out:
            out.write(body)

    # -- ListObjects -------------------------------------------------------------------------------------
    def next_marker(self, page) -> str | None:
        """The marker of the next page (None: the listing is complete): NextMarker, else the last key or
        common prefix of the page, whichever sorts last."""
        if not page.has_next or not (page.entries or page.common_prefixes):
            return None
        names = [entry.key for entry in page.entries] + [str(prefix) for prefix in page.common_prefixes]
        return page.next_marker or max(names, key=lambda name: name.encode("utf-8"))

    def page_prefixes(self, page) -> list[str]:
        """The common prefixes a ListObjects page reported (the step's delimiter rolled them up)."""
        return [str(prefix) for prefix in page.common_prefixes]

    def list_objects_step(self, step: dict) -> None:
        """ListObjects with the prefix (and the delimiter, when the step has one), paged by marker in pages
        of max_keys, until not truncated."""
        keys: list[str] = []
        prefixes: list[str] = []
        marker = None
        while True:
            page = self.attempt("list objects", lambda m=marker: ops.list_objects(
                self.client, self.bucket, prefix=step["prefix"], marker=m, max_keys=step["max_keys"],
                delimiter=step.get("delimiter")))
            keys += [entry.key for entry in page.entries]
            prefixes += self.page_prefixes(page)
            marker = self.next_marker(page)
            if marker is None:
                break
        self.listed["objects"] = keys
        if step.get("delimiter"):
            self.listed["object_prefixes"] = prefixes

    # -- presigned URLs ----------------------------------------------------------------------------------
    def presigned_url(self, method: str, expires: int) -> str:
        """A URL for `method` on the key, signed in its query (valid `expires` seconds from now) by the
        client's signer: JSS Expires/AccessKey/Signature, or SigV4's X-Amz-* on S3."""
        options = SigningOptions(presign_expires=int(time.time()) + expires)
        _, _, query, _ = self.client._sign(method, self.bucket, self.key, [], [], options)  # noqa: SLF001
        return self.client._url(self.bucket, self.key, query, virtual_host=False)  # noqa: SLF001

    @staticmethod
    def plain(method: str, url: str, data: bytes | None = None) -> requests.Response:
        """The request through a plain HTTP client (no signing); ApiError for an answer other than 2xx."""
        response = requests.request(method, url, data=data, timeout=PLAIN_TIMEOUT)
        if not 200 <= response.status_code < 300:
            raise ops.ApiError(response.status_code, None, response)
        return response

    def presign_get_step(self, step: dict) -> None:
        """A presigned GET URL, fetched with a plain HTTP client into the destination."""
        url = self.presigned_url("GET", step["expires"])
        response = self.attempt("presigned get", lambda: self.plain("GET", url))
        with open(step["destination"], "wb") as out:
            out.write(response.content)

    def presign_put_step(self, step: dict) -> None:
        """A presigned PUT URL, the source file uploaded to it with a plain HTTP client."""
        with open(step["source"], "rb") as source:
            data = source.read()
        url = self.presigned_url("PUT", step["expires"])
        self.attempt("presigned put", lambda: self.plain("PUT", url, data))

    # -- DeleteObject, AbortMultipartUpload --------------------------------------------------------------
    def delete_step(self, step: dict) -> None:
        """DeleteObject of the key."""
        self.attempt("delete", lambda: ops.delete_object(self.client, self.bucket, self.key))

    def abort_upload_step(self, step: dict) -> None:
        """AbortMultipartUpload of the given upload."""
        self.attempt("abort", lambda: ops.abort(self.client, self.bucket, self.key, step["upload_id"]))

    def object_handlers(self) -> dict:
        """The handler of each object step op."""
        return {"put-object": self.put_object, "head": self.head_step, "get-range": self.get_range_step,
                "list-objects": self.list_objects_step, "presign-get": self.presign_get_step,
                "presign-put": self.presign_put_step, "delete": self.delete_step,
                "abort-upload": self.abort_upload_step}
