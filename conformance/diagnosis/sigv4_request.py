"""A request as sent, read as a SigV4 one: the Authorization header (``AWS4-HMAC-SHA256 Credential=...,
SignedHeaders=..., Signature=...``) or the presigned ``X-Amz-*`` query parameters.

The reading is lenient where the diagnosis needs to see a mistake (a scope that does not end with
aws4_request, a date that is not the X-Amz-Date's day): only what makes a request impossible to re-sign is a
ValueError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from conformance import sigv4
from conformance.diagnosis.signature import SentRequest

PRESIGN_PREFIX = "X-Amz-"
FIELDS = re.compile(r"(Credential|SignedHeaders|Signature)=([^,\s]*)")


@dataclass(frozen=True)
class SigV4Request:
    """What the client claims it signed, and the request as sent."""

    mode: str  # "header" or "presigned"
    access_key: str
    scope_date: str
    region: str
    service: str
    terminator: str
    signed_names: list[str]
    signature: str
    amz_date: str
    expires: str | None  # X-Amz-Expires of a presigned URL
    raw_path: str
    raw_query: str  # as sent, without X-Amz-Signature
    payload_line: str  # the payload hash line the server signs
    headers: list[tuple[str, str]]

    def scope(self) -> str:
        """The credential scope as the client wrote it."""
        return "/".join([self.scope_date, self.region, self.service, self.terminator])


def _raw_query_items(request: SentRequest) -> list[str]:
    query = request.target.partition("?")[2]
    return [item for item in query.split("&") if item]


def _presign_values(request: SentRequest) -> dict[str, str]:
    values = {}
    for item in _raw_query_items(request):
        name, _, value = item.partition("=")
        name = unquote(name)
        if name.startswith(PRESIGN_PREFIX):
            values[name.removeprefix(PRESIGN_PREFIX)] = unquote(value)
    return values


def is_sigv4(request: SentRequest) -> bool:
    """Whether the request is signed with SigV4 (header or presigned), so the SigV4 diagnosis applies."""
    authorization = request.header("authorization") or ""
    if authorization.strip().startswith(sigv4.ALGORITHM + " "):
        return True
    return "Algorithm" in _presign_values(request) or "Credential" in _presign_values(request)


def read(request: SentRequest) -> SigV4Request:
    """The SigV4 reading of `request` (``is_sigv4`` true); ValueError when it cannot be re-signed."""
    raw_path, _, _ = request.target.partition("?")
    authorization = request.header("authorization")
    if authorization is not None and authorization.strip().startswith(sigv4.ALGORITHM + " "):
        fields = dict(FIELDS.findall(authorization))
        if set(fields) != {"Credential", "SignedHeaders", "Signature"}:
            raise ValueError("the Authorization header needs Credential, SignedHeaders and Signature")
        mode, expires, amz_date = "header", None, request.header("x-amz-date") or ""
        raw_query = request.target.partition("?")[2]
        payload = request.header("x-amz-content-sha256") or ""
    else:
        fields = _presign_values(request)
        missing = {"Credential", "SignedHeaders", "Signature", "Date", "Expires"} - set(fields)
        if missing:
            raise ValueError(f"the presigned URL lacks X-Amz-{', X-Amz-'.join(sorted(missing))}")
        mode, expires, amz_date = "presigned", fields["Expires"], fields["Date"]
        raw_query = "&".join(
            item for item in _raw_query_items(request) if unquote(item.partition("=")[0]) != "X-Amz-Signature"
        )
        payload = request.header("x-amz-content-sha256") or sigv4.UNSIGNED_PAYLOAD
    credential = fields["Credential"].split("/")
    if len(credential) != 5:
        raise ValueError("the Credential is not access-key/date/region/service/aws4_request")
    if not amz_date:
        raise ValueError("no X-Amz-Date: nothing to sign the request at")
    access_key, scope_date, region, service, terminator = credential
    names = [name for name in fields["SignedHeaders"].split(";") if name]
    return SigV4Request(
        mode, access_key, scope_date, region, service, terminator, names, fields["Signature"], amz_date,
        expires, raw_path, raw_query, payload, list(request.headers),
    )
