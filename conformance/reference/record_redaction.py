"""What the record (``serve --record FILE``) must not keep: every credential-bearing value a request carried.

A recorded line names the request target; its signature query values (JSS ``Signature``, SigV4
``X-Amz-Signature``, V2 ``Signature``) and session tokens (``X-Amz-Security-Token``) are replaced by
``REDACTED``, so a recorded presigned URL cannot be replayed. The access key and the secret-free parts of
``X-Amz-Credential`` stay (they say who signed). The same values, and the signature of the Authorization
header and an ``x-amz-security-token`` header, are then scrubbed from the whole line (a diagnosis may quote
a canonical query string), in their sent and their decoded forms.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

REDACTED = "REDACTED"
#: Query parameters whose value is a credential (compared case-insensitively).
SECRET_QUERY_NAMES = frozenset({"signature", "x-amz-signature", "x-amz-security-token"})
SECRET_HEADER_NAMES = frozenset({"x-amz-security-token"})
#: The signature part of an Authorization header: JSS ``jingdong AK:SIG``, V2 ``AWS AK:SIG``, SigV4
#: ``Signature=SIG``.
_AUTHORIZATION_SIGNATURES = (
    re.compile(r"Signature=([^,\s]+)"),
    re.compile(r"^\s*\S+\s+[^:\s]+:(\S+)\s*$"),
)
#: Shorter values are not scrubbed from the whole line (they would match unrelated text); a real signature
#: or token is far longer.
MIN_SCRUBBED = 8


def redact_target(target: str) -> str:
    """`target` (path?query as sent) with the value of each credential-bearing query parameter redacted."""
    path, mark, query = target.partition("?")
    if not mark:
        return target
    items = []
    for item in query.split("&"):
        name, equals, _ = item.partition("=")
        if equals and _decoded(name).lower() in SECRET_QUERY_NAMES:
            item = f"{name}={REDACTED}"
        items.append(item)
    return path + "?" + "&".join(items)


def secret_values(target: str, headers: list[tuple[str, str]]) -> set[str]:
    """The credential values a request carried (query and headers), sent and decoded, to scrub from a line."""
    found: set[str] = set()
    for item in target.partition("?")[2].split("&"):
        name, equals, value = item.partition("=")
        if equals and _decoded(name).lower() in SECRET_QUERY_NAMES:
            found.update((value, _decoded(value)))
    for name, value in headers:
        lowered = name.lower()
        if lowered in SECRET_HEADER_NAMES:
            found.add(value.strip())
        elif lowered == "authorization":
            for pattern in _AUTHORIZATION_SIGNATURES:
                found.update(pattern.findall(value))
    return {value for value in found if len(value) >= MIN_SCRUBBED}


def scrub(text: str, values: set[str]) -> str:
    """`text` with every occurrence of each of `values` replaced by REDACTED (longest first)."""
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text


def _decoded(text: str) -> str:
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return text
