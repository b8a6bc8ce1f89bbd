"""The S3 dialect: path-style requests signed with botocore's SigV4 (UNSIGNED-PAYLOAD, no body hash)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from .wire import Query, UploadWire, strip_quotes

_NO_PAYLOAD_SIGNING = Config(s3={"payload_signing_enabled": False})


def _xml_text(document: bytes, tag: str) -> str:
    """The text of the first element named `tag` (any namespace)."""
    for element in ElementTree.fromstring(document).iter():
        if element.tag.rsplit("}", 1)[-1] == tag:
            return element.text or ""
    raise KeyError(tag)


class S3Wire(UploadWire):
    """Multipart calls in the S3 REST API (XML bodies) against one bucket."""

    dialect = "s3"

    def __init__(
        self,
        endpoint: str,
        bucket: str,
        session: requests.Session,
        access_key: str = "bench-access",
        secret_key: str = "bench-secret",
        region: str = "us-east-1",
        timeout: float = 300.0,
    ) -> None:
        super().__init__(endpoint, bucket, session, timeout)
        self._credentials = Credentials(access_key, secret_key)
        self._region = region

    def sign(self, method: str, url: str, key: str | None, query: Query, headers: dict[str, str]) -> dict:
        """Add X-Amz-Date, X-Amz-Content-SHA256 (UNSIGNED-PAYLOAD) and the SigV4 Authorization."""
        request = AWSRequest(method=method, url=url, headers=headers, data=b"")
        request.context["client_config"] = _NO_PAYLOAD_SIGNING
        S3SigV4Auth(self._credentials, "s3", self._region).add_auth(request)
        return dict(request.headers.items())

    def create_bucket(self) -> None:
        """CreateBucket (us-east-1: no location constraint)."""
        self.send("PUT", None)

    def initiate(self, key: str) -> str:
        """CreateMultipartUpload: XML with UploadId."""
        return _xml_text(self.send("POST", key, [("uploads", None)]).content, "UploadId")

    def complete(self, key: str, upload_id: str, etags: list[str]) -> str:
        """CompleteMultipartUpload with an XML part list."""
        parts = "".join(
            f'<Part><PartNumber>{number}</PartNumber><ETag>"{etag}"</ETag></Part>'
            for number, etag in enumerate(etags, start=1)
        )
        body = f"<CompleteMultipartUpload>{parts}</CompleteMultipartUpload>".encode()
        headers = {"Content-Type": "application/xml"}
        response = self.send("POST", key, [("uploadId", upload_id)], body=body, headers=headers)
        return strip_quotes(_xml_text(response.content, "ETag"))
