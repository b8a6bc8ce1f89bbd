"""Authentication: the Authorization header and presigned URLs, verified with ``conformance.signing``."""

from __future__ import annotations

import hmac
import time
from urllib.parse import quote

from conformance import signing
from conformance.numbers import parse_decimal
from conformance.reference.config import User
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext

#: A Date further than this from the server clock is 403 RequestTimeTooSkewed.
MAX_SKEW_SECONDS = 15 * 60
#: The skew window of deviation clock-skew-window-5-minutes.
SHORT_SKEW_SECONDS = 5 * 60
PRESIGN_KEYS = ("Expires", "AccessKey", "Signature")


def authenticate(ctx: RequestContext) -> User | None:
    """The user who signed the request, None for an anonymous request; JssError when it is refused."""
    deviations = ctx.config.deviations
    check_signature = not deviations.active("accept-any-signature")
    presigned = [name for name in PRESIGN_KEYS if ctx.has_query(name)]
    authorization = ctx.header("authorization")
    if presigned and authorization is not None:
        raise JssError(400, "InvalidArgument", "Only one auth mechanism allowed")
    incomplete = 0 < len(presigned) < len(PRESIGN_KEYS)
    if incomplete and deviations.active("presigned-incomplete-as-anonymous"):
        return None
    if presigned:
        return _authenticate_url(ctx, check_signature)
    if authorization is None:
        return None
    return _authenticate_header(ctx, authorization, check_signature)


def _lookup(ctx: RequestContext, access_key: str) -> User:
    user = ctx.config.user_by_access_key(access_key)
    if user is None:
        if ctx.config.deviations.active("unknown-access-key-signature-mismatch"):
            raise JssError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match")
        raise JssError(403, "InvalidAccessKey", "The access key you provided does not exist in our records")
    return user


def _authenticate_header(ctx: RequestContext, authorization: str, check_signature: bool) -> User:
    try:
        access_key, sent_signature = signing.parse_authorization(authorization)
    except ValueError as exc:
        if ctx.config.deviations.active("malformed-authorization-403"):
            raise JssError(403, "AccessDenied", "Access Denied") from exc
        raise JssError(400, "InvalidToken", "The Authorization header is malformed") from exc
    user = _lookup(ctx, access_key)
    if not check_signature:
        return user
    date = ctx.header("date")
    if date is None and ctx.config.deviations.active("missing-date-accepted"):
        _check_signature(ctx, user, "", sent_signature)
        return user
    if date is None:
        raise JssError(403, "AccessDenied", "A valid Date header is required")
    try:
        sent_at = signing.parse_http_date(date)
    except ValueError as exc:
        raise JssError(403, "AccessDenied", "A valid Date header is required") from exc
    short = ctx.config.deviations.active("clock-skew-window-5-minutes")
    if abs(time.time() - sent_at) > (SHORT_SKEW_SECONDS if short else MAX_SKEW_SECONDS):
        raise JssError(
            403, "RequestTimeTooSkewed", "The difference between the request time and now is too large"
        )
    _check_signature(ctx, user, date, sent_signature)
    return user


def _authenticate_url(ctx: RequestContext, check_signature: bool) -> User:
    expires, access_key, sent_signature = (ctx.query_value(name) for name in PRESIGN_KEYS)
    if not expires or not access_key or not sent_signature:
        raise JssError(400, "InvalidURI", "A presigned URL needs Expires, AccessKey and Signature")
    try:
        expires_at = parse_decimal(expires)
    except ValueError as exc:
        raise JssError(400, "InvalidURI", "Expires must be a number of seconds since the epoch") from exc
    user = _lookup(ctx, access_key)
    if not check_signature:
        return user
    in_milliseconds = ctx.config.deviations.active("presigned-expires-as-milliseconds")
    if expires_at / (1000 if in_milliseconds else 1) < time.time():
        raise JssError(400, "ExpiredToken", "The presigned URL has expired")
    _check_signature(ctx, user, expires, sent_signature)
    return user


def _canonical_headers(ctx: RequestContext) -> str:
    """CanonicalizedHeaders of the request (sorted, repeats joined by ``,``) unless deviated."""
    headers = ctx.headers
    if ctx.raw_header_names and ctx.config.deviations.active("header-names-case-sensitive"):
        as_sent = zip(headers, ctx.raw_header_names, strict=True)
        headers = [(name, value) for (name, value), raw in as_sent if raw.startswith("x-jss-") or name == raw]
    if ctx.config.deviations.active("duplicate-headers-last-wins"):
        headers = list(dict(headers).items())
    if not ctx.config.deviations.active("canonical-headers-unsorted"):
        return signing.canonical_headers(headers)
    received: dict[str, list[str]] = {}
    for name, value in headers:
        if name.startswith("x-jss-"):
            received.setdefault(name, []).append(value.strip())
    return "".join(f"{name}:{','.join(values)}\n" for name, values in received.items())


def _canonical_resource(ctx: RequestContext) -> str:
    """CanonicalizedResource of the request (decoded key, sorted sub-resources) unless deviated."""
    deviations = ctx.config.deviations
    bucket, key = ctx.bucket, ctx.key
    if key is not None and deviations.active("resource-key-percent-encoded"):
        key = quote(key, safe="/")
    resource = signing.canonical_resource(bucket, key)
    if ctx.virtual_host and deviations.active("virtual-host-resource-without-bucket"):
        resource = resource.removeprefix(f"/{bucket}") or "/"
    subresources = signing.signed_subresources(ctx.query)
    if deviations.active("subresource-order-as-sent"):
        subresources = [(k, v) for k, v in ctx.query if k in signing.SIGNED_SUBRESOURCES]
    if deviations.active("subresource-order-as-documented"):
        subresources.sort(key=lambda pair: pair[0] != "uploadId")
    if not subresources:
        return resource
    return resource + "?" + "&".join(k if v is None else f"{k}={v}" for k, v in subresources)


def _check_signature(ctx: RequestContext, user: User, date: str, sent_signature: str) -> None:
    deviations = ctx.config.deviations
    string_to_sign = signing.string_to_sign(
        ctx.method,
        "" if deviations.active("string-to-sign-without-content-md5") else ctx.header("content-md5") or "",
        "" if deviations.active("string-to-sign-without-content-type") else ctx.header("content-type") or "",
        date,
        _canonical_headers(ctx),
        _canonical_resource(ctx),
    )
    expected = signing.signature(user.secret_key, string_to_sign)
    if not hmac.compare_digest(expected.encode(), sent_signature.encode("utf-8", "replace")):
        raise JssError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match")
