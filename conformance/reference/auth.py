"""Authentication: the Authorization header and presigned URLs, verified with ``conformance.signing``."""

from __future__ import annotations

import hmac
import time

from conformance import signing
from conformance.reference.config import User
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext

#: A Date further than this from the server clock is 403 RequestTimeTooSkewed.
MAX_SKEW_SECONDS = 15 * 60
PRESIGN_KEYS = ("Expires", "AccessKey", "Signature")


def authenticate(ctx: RequestContext) -> User | None:
    """The user who signed the request, None for an anonymous request; JssError when it is refused."""
    check_signature = not ctx.config.deviations.active("accept-any-signature")
    presigned = any(ctx.has_query(name) for name in PRESIGN_KEYS)
    authorization = ctx.header("authorization")
    if presigned and authorization is not None:
        raise JssError(400, "InvalidArgument", "Only one auth mechanism allowed")
    if presigned:
        return _authenticate_url(ctx, check_signature)
    if authorization is None:
        return None
    return _authenticate_header(ctx, authorization, check_signature)


def _lookup(ctx: RequestContext, access_key: str) -> User:
    user = ctx.config.user_by_access_key(access_key)
    if user is None:
        raise JssError(403, "InvalidAccessKey", "The access key you provided does not exist in our records")
    return user


def _authenticate_header(ctx: RequestContext, authorization: str, check_signature: bool) -> User:
    try:
        access_key, sent_signature = signing.parse_authorization(authorization)
    except ValueError as exc:
        raise JssError(400, "InvalidToken", "The Authorization header is malformed") from exc
    user = _lookup(ctx, access_key)
    if not check_signature:
        return user
    date = ctx.header("date")
    if date is None:
        raise JssError(403, "AccessDenied", "A valid Date header is required")
    try:
        sent_at = signing.parse_http_date(date)
    except ValueError as exc:
        raise JssError(403, "AccessDenied", "A valid Date header is required") from exc
    if abs(time.time() - sent_at) > MAX_SKEW_SECONDS:
        raise JssError(
            403, "RequestTimeTooSkewed", "The difference between the request time and now is too large"
        )
    _check_signature(ctx, user, date, sent_signature)
    return user


def _authenticate_url(ctx: RequestContext, check_signature: bool) -> User:
    expires, access_key, sent_signature = (ctx.query_value(name) for name in PRESIGN_KEYS)
    if not expires or not access_key or not sent_signature:
        raise JssError(400, "InvalidURI", "A presigned URL needs Expires, AccessKey and Signature")
    if not expires.isdigit():
        raise JssError(400, "InvalidURI", "Expires must be a number of seconds since the epoch")
    user = _lookup(ctx, access_key)
    if not check_signature:
        return user
    if int(expires) < time.time():
        raise JssError(400, "ExpiredToken", "The presigned URL has expired")
    _check_signature(ctx, user, expires, sent_signature)
    return user


def _check_signature(ctx: RequestContext, user: User, date: str, sent_signature: str) -> None:
    resource = signing.canonical_resource(ctx.bucket, ctx.key, ctx.query)
    string_to_sign = signing.string_to_sign(
        ctx.method,
        ctx.header("content-md5") or "",
        ctx.header("content-type") or "",
        date,
        signing.canonical_headers(ctx.headers),
        resource,
    )
    expected = signing.signature(user.secret_key, string_to_sign)
    if not hmac.compare_digest(expected.encode(), sent_signature.encode("utf-8", "replace")):
        raise JssError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match")
