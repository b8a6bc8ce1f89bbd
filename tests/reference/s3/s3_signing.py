"""A low-level SigV4 request for the S3 front's tests: botocore's signer on a hand-made request, so a test
can choose the payload hash, the body framing, the clock and the credentials."""

from __future__ import annotations

import datetime
import hashlib
from urllib.parse import quote

import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from freezegun import freeze_time
from ref_helpers import ALICE, NORTH, RefUser


class _GivenPayloadAuth(S3SigV4Auth):
    """botocore's S3 signer, signing the payload hash it is given (botocore would compute its own)."""

    def __init__(self, credentials: Credentials, region: str, payload_hash: str) -> None:
        super().__init__(credentials, "s3", region)
        self._payload_hash = payload_hash

    def payload(self, request: AWSRequest) -> str:
        return self._payload_hash


def signed_request(
    endpoint: str,
    method: str,
    target: str,
    *,
    region: str = NORTH,
    user: RefUser = ALICE,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    payload_hash: str | None = None,
    at: datetime.datetime | None = None,
) -> requests.Response:
    """Send `method target` (path-style, percent-encoded: see `path`) signed for `user` in `region`;
    `payload_hash` defaults to the body's SHA-256, `at` to now."""
    request = AWSRequest(method=method, url=endpoint + target, data=body, headers=dict(headers or {}))
    payload_hash = payload_hash or hashlib.sha256(body).hexdigest()
    signer = _GivenPayloadAuth(Credentials(user.access_key, user.secret_key), region, payload_hash)
    with freeze_time(at or datetime.datetime.now(datetime.UTC)):
        signer.add_auth(request)
    prepared = request.prepare()
    return requests.request(method, prepared.url, headers=dict(prepared.headers), data=body, timeout=10)


def path(bucket: str, key: str) -> str:
    """The path-style target of `key` in `bucket`, percent-encoded as SigV4 signs it."""
    return f"/{bucket}/{quote(key, safe='/~')}"


def signed_header_lines(
    endpoint: str, method: str, target: str, *, region: str = NORTH, user: RefUser = ALICE,
    payload_hash: str = "UNSIGNED-PAYLOAD",
) -> str:
    """CRLF-terminated header lines (x-amz-content-sha256, X-Amz-Date, Authorization) of `method target`
    signed for `user`, for a request sent by hand (its Host must be the endpoint's host:port)."""
    request = AWSRequest(method=method, url=endpoint + target, headers={"x-amz-content-sha256": payload_hash})
    _GivenPayloadAuth(Credentials(user.access_key, user.secret_key), region, payload_hash).add_auth(request)
    return "".join(f"{name}: {value}\r\n" for name, value in request.headers.items())
