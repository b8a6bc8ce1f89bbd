"""The expected SigV4 signature of a request: the one seam where the signature is computed.

botocore's canonicalization computes it for now (``S3SigV4Auth``); an independent implementation with staged
vectors is meant to replace the body of `expected_signature` without changing its signature.
"""

from __future__ import annotations

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class _FixedPayloadAuth(S3SigV4Auth):
    """S3SigV4Auth with the payload hash taken as given (a hash, UNSIGNED-PAYLOAD or a STREAMING-* form)."""

    def __init__(self, credentials: Credentials, service: str, region: str, payload_hash: str) -> None:
        super().__init__(credentials, service, region)
        self._payload_hash = payload_hash

    def payload(self, request: AWSRequest) -> str:
        return self._payload_hash


def expected_signature(
    method: str,
    raw_path: str,
    raw_query: str,
    signed_headers: list[tuple[str, str]],
    payload_hash: str,
    amz_date: str,
    region: str,
    service: str,
    secret_key: str,
) -> str:
    """The hex SigV4 signature a client holding `secret_key` sends for this request.

    `raw_path` and `raw_query` are as sent (still percent-encoded; the query without X-Amz-Signature for a
    presigned URL); `signed_headers` are the (lowercase name, value) pairs SignedHeaders names; `amz_date` is
    the X-Amz-Date timestamp (its first 8 characters are the scope's date); `region` and `service` are the
    credential scope's.
    """
    auth = _FixedPayloadAuth(Credentials("", secret_key), service, region, payload_hash)
    url = "http://signed" + raw_path + ("?" + raw_query if raw_query else "")
    request = AWSRequest(method=method, url=url, headers=dict(signed_headers))
    request.context["timestamp"] = amz_date
    string_to_sign = auth.string_to_sign(request, auth.canonical_request(request))
    return auth.signature(string_to_sign, request)
