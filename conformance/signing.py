"""The JSS "jingdong" signature (HMAC-SHA1), one public function per canonicalization stage.

    Authorization = "jingdong " AccessKey ":" Signature
    Signature     = Base64(HMAC-SHA1(SecretKey, UTF-8(StringToSign)))
    StringToSign  = Verb LF Content-MD5 LF Content-Type LF Date LF CanonicalizedHeaders CanonicalizedResource

This module is the one place the canonicalization rules live: the client signs with it and the reference
endpoint verifies with it. It has no dependency outside the standard library (its one import from the
package, ``conformance.numbers``, is standard library only).
"""

from __future__ import annotations

import base64
import datetime
import email.utils
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote

from conformance.numbers import parse_decimal

AUTH_SCHEME = "jingdong"
HEADER_PREFIX = "x-jss-"

#: Query keys that take part in the CanonicalizedResource; every other query parameter is left out.
SIGNED_SUBRESOURCES = frozenset(
    {
        "acl", "lifecycle", "location", "logging", "partNumber", "policy", "uploadId", "uploads",
        "versionId", "versioning", "versions", "website",
        # JSS response overrides
        "contentType", "contentLanguage", "cacheControl", "contentDisposition", "contentEncoding",
    }
)

Headers = Mapping[str, str] | Iterable[tuple[str, str]]
QueryPairs = list[tuple[str, str | None]]


def _header_pairs(headers: Headers | None) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if isinstance(headers, Mapping):
        return list(headers.items())
    return list(headers)


def header_value(headers: Headers | None, name: str) -> str:
    """Return the value of the first header `name` (case-insensitive), or "" when it is absent.

    Leading and trailing whitespace is not part of an HTTP field value (RFC 9110 section 5.5), so it is
    removed: a receiving server never sees it and signs without it.
    """
    wanted = name.lower()
    for key, value in _header_pairs(headers):
        if key.strip().lower() == wanted:
            return str(value).strip()
    return ""


def canonical_headers(headers: Headers | None) -> str:
    """Stage 1: the CanonicalizedHeaders.

    Every header whose name starts with ``x-jss-`` (any case), name lowercased, value trimmed, sorted by
    name, one ``name:value\\n`` line each. A repeated name gives one line with the values joined by ``,``.
    """
    merged: dict[str, list[str]] = {}
    for name, value in _header_pairs(headers):
        lowered = name.strip().lower()
        if lowered.startswith(HEADER_PREFIX):
            merged.setdefault(lowered, []).append(str(value).strip())
    return "".join(f"{name}:{','.join(values)}\n" for name, values in sorted(merged.items()))


def parse_query(query: str) -> QueryPairs:
    """Split a raw query string into decoded (key, value) pairs; a key without ``=`` has the value None."""
    pairs: QueryPairs = []
    for item in query.split("&"):
        if not item:
            continue
        key, sep, value = item.partition("=")
        pairs.append((unquote(key), unquote(value) if sep else None))
    return pairs


def signed_subresources(query: QueryPairs | Mapping[str, str | None] | None) -> QueryPairs:
    """The query pairs that are signed, sorted by key (``partNumber`` before ``uploadId``).

    Names are case-sensitive (``UploadId`` is not signed). The sort is by key only and stable, so a repeated
    key keeps the order it was sent in (and a bare ``k`` beside ``k=`` does not break the sort).
    """
    if query is None:
        return []
    items = list(query.items()) if isinstance(query, Mapping) else list(query)
    return sorted(((k, v) for k, v in items if k in SIGNED_SUBRESOURCES), key=lambda pair: pair[0])


def canonical_resource(
    bucket: str | None, key: str | None = None, query: QueryPairs | Mapping[str, str | None] | None = None
) -> str:
    """Stage 2: the CanonicalizedResource: ``/bucket/key`` (decoded UTF-8 key), ``/bucket`` or ``/``,
    followed by the signed sub-resources, sorted, as ``?k=v&k2``."""
    if not bucket:
        path = "/"
    elif key:
        path = f"/{bucket}/{key}"
    else:
        path = f"/{bucket}"
    subresources = signed_subresources(query)
    if not subresources:
        return path
    return path + "?" + "&".join(k if v is None else f"{k}={v}" for k, v in subresources)


def split_request_target(
    target: str, host_bucket: str | None = None
) -> tuple[str | None, str | None, QueryPairs]:
    """Split a request target into (bucket, key, query pairs), decoding the path.

    Path style: ``/bucket/key?query``. Virtual-host style: pass the bucket taken from the Host header as
    `host_bucket`; the target is then ``/key?query``. Only the one ``/`` that separates the key is removed,
    so a key that itself starts with ``/`` is the same in both styles. A path that is not UTF-8 once
    percent-decoded raises UnicodeDecodeError (a ValueError).
    """
    path, _, query = target.partition("?")
    path = unquote(path, encoding="utf-8", errors="strict")
    if host_bucket:
        bucket, key = host_bucket, path.removeprefix("/") or None
    else:
        bucket, _, key = path.lstrip("/").partition("/")
        bucket, key = bucket or None, key or None
    return bucket, key, parse_query(query)


def resource_from_target(target: str, host_bucket: str | None = None) -> str:
    """The CanonicalizedResource of a request target as sent (see :func:`split_request_target`)."""
    bucket, key, query = split_request_target(target, host_bucket)
    return canonical_resource(bucket, key, query)


def string_to_sign(
    method: str,
    content_md5: str,
    content_type: str,
    date: str,
    canonical_headers_: str,
    canonical_resource_: str,
) -> str:
    """Stage 3: the StringToSign. `date` is the Date header as sent, or the Expires value of a signed URL."""
    return f"{method}\n{content_md5}\n{content_type}\n{date}\n{canonical_headers_}{canonical_resource_}"


def signature(secret_key: str, string_to_sign_: str) -> str:
    """Stage 4: Base64(HMAC-SHA1(secret, UTF-8(StringToSign)))."""
    digest = hmac.new(secret_key.encode("utf-8"), string_to_sign_.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def authorization_header(access_key: str, signature_: str) -> str:
    """Stage 5 (header signing): the Authorization header value."""
    return f"{AUTH_SCHEME} {access_key}:{signature_}"


def parse_authorization(value: str) -> tuple[str, str]:
    """Split an Authorization header into (access key, signature); ValueError when it is malformed."""
    scheme, _, credential = value.strip().partition(" ")
    access_key, sep, sig = credential.strip().partition(":")
    if scheme != AUTH_SCHEME or not sep or not access_key or not sig or " " in credential.strip():
        raise ValueError("malformed Authorization header")
    return access_key, sig


def presigned_query(access_key: str, expires: int, signature_: str) -> str:
    """Stage 5 (URL signing): the ``Expires=..&AccessKey=..&Signature=..`` query, signature URL-encoded."""
    return (
        f"Expires={int(expires)}&AccessKey={quote(access_key, safe='')}"
        f"&Signature={quote(signature_, safe='')}"
    )


def presigned_url(url: str, access_key: str, expires: int, signature_: str) -> str:
    """Stage 5 (URL signing): `url` (a full URL or a request target, as sent) with the presigned query
    appended after ``?``, or after ``&`` when it already has a query."""
    separator = "&" if "?" in url else "?"
    return url + separator + presigned_query(access_key, expires, signature_)


def http_date(timestamp: float | None = None) -> str:
    """An RFC 1123 GMT date (``Thu, 13 Jul 2017 02:37:31 GMT``) for `timestamp` (default: now)."""
    return email.utils.formatdate(timestamp, usegmt=True)


#: An IMF-fixdate (RFC 9110 section 5.6.7, the RFC 1123 form the JSS documentation uses), GMT only.
_IMF_FIXDATE = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT"
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_http_date(value: str) -> float:
    """Seconds since the epoch of an RFC 1123 GMT date (``Thu, 13 Jul 2017 02:37:31 GMT``).

    Only that form is accepted (the one the JSS documentation prescribes, RFC 9110's IMF-fixdate): a
    four-digit year, two-digit fields, the zone ``GMT``. Anything else (another zone or form, a 20-digit
    year, a 31 February) raises ValueError.
    """
    match = _IMF_FIXDATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"not an RFC 1123 GMT date: {str(value)[:80]!r}")
    _, day, month, year, hour, minute, second = match.groups()
    fields = [parse_decimal(field, 9999) for field in (year, day, hour, minute, second)]
    year_, day_, hour_, minute_, second_ = fields
    try:
        parsed = datetime.datetime(
            year_, _MONTHS.index(month) + 1, day_, hour_, minute_, second_, tzinfo=datetime.UTC
        )
    except ValueError as exc:
        raise ValueError(f"not a valid date: {value!r}") from exc
    return parsed.timestamp()


@dataclass(frozen=True)
class SignedRequest:
    """Every stage of one signature, for reports and for `jss-conformance sign`."""

    canonical_headers: str
    canonical_resource: str
    string_to_sign: str
    signature: str
    authorization: str | None = None
    signed_url_query: str | None = None


def sign_request(
    method: str,
    resource: str,
    headers: Headers | None,
    access_key: str,
    secret_key: str,
    date: str | None = None,
) -> SignedRequest:
    """Sign a request for the Authorization header.

    `resource` is the CanonicalizedResource; `headers` are the headers as sent (Content-MD5, Content-Type,
    x-jss-*); `date` defaults to the Date header among them.
    """
    date_value = date if date is not None else header_value(headers, "Date")
    canon = canonical_headers(headers)
    sts = string_to_sign(
        method.upper(), header_value(headers, "Content-MD5"), header_value(headers, "Content-Type"),
        date_value, canon, resource,
    )
    sig = signature(secret_key, sts)
    return SignedRequest(canon, resource, sts, sig, authorization=authorization_header(access_key, sig))


def presign(
    method: str, resource: str, headers: Headers | None, access_key: str, secret_key: str, expires: int
) -> SignedRequest:
    """Sign a request as a URL: Expires (unix seconds) takes the Date's place in the StringToSign."""
    canon = canonical_headers(headers)
    sts = string_to_sign(
        method.upper(), header_value(headers, "Content-MD5"), header_value(headers, "Content-Type"),
        str(int(expires)), canon, resource,
    )
    sig = signature(secret_key, sts)
    query = presigned_query(access_key, expires, sig)
    return SignedRequest(canon, resource, sts, sig, signed_url_query=query)
