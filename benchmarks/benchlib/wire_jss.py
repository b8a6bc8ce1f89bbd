"""The JSS dialect: path-style requests signed with `conformance.signing` ("jingdong" HMAC-SHA1)."""

from __future__ import annotations

import json

import requests

from conformance import signing

from .wire import Query, UploadWire


class JssWire(UploadWire):
    """Multipart calls in the JSS API (JSON bodies) against one bucket of one region's endpoint."""

    dialect = "jss"

    def __init__(
        self,
        endpoint: str,
        bucket: str,
        session: requests.Session,
        access_key: str,
        secret_key: str,
        timeout: float = 300.0,
    ) -> None:
        super().__init__(endpoint, bucket, session, timeout)
        self._access_key = access_key
        self._secret_key = secret_key

    def sign(self, method: str, url: str, key: str | None, query: Query, headers: dict[str, str]) -> dict:
        """Add Date and the jingdong Authorization over the canonical resource of the request."""
        headers["Date"] = signing.http_date()
        resource = signing.canonical_resource(self.bucket, key, query)
        signed = signing.sign_request(method, resource, headers, self._access_key, self._secret_key)
        headers["Authorization"] = signed.authorization
        return headers

    def create_bucket(self) -> None:
        """PutBucket (201)."""
        self.send("PUT", None, expect=(200, 201))

    def initiate(self, key: str) -> str:
        """InitiateMultipartUpload: JSON {"Bucket","Key","UploadId"}."""
        return self.send("POST", key, [("uploads", None)]).json()["UploadId"]

    def complete(self, key: str, upload_id: str, etags: list[str]) -> str:
        """CompleteMultipartUpload with a JSON part list."""
        parts = [{"PartNumber": number, "ETag": etag} for number, etag in enumerate(etags, start=1)]
        body = json.dumps({"Part": parts}).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        response = self.send("POST", key, [("uploadId", upload_id)], body=body, headers=headers)
        return response.json()["ETag"].strip('"')
