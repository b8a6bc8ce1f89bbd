"""Signature Version 2 authentication of S3 requests: ``Authorization: AWS AKID:sig`` and presigned URLs
(``AWSAccessKeyId``, ``Expires``, ``Signature``), computed by conformance.sigv2.

Refusals as AWS answers them (https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html,
https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html): an unknown key 403 InvalidAccessKeyId,
no usable date 403 AccessDenied, a clock more than 15 minutes off 403 RequestTimeTooSkewed, an expired URL
403 AccessDenied, a wrong signature 403 SignatureDoesNotMatch.
"""

from __future__ import annotations

import calendar
import email.utils
import hmac
import time

from conformance import sigv2
from conformance.reference.config import User
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext
from conformance.reference.s3.chunked import signature_mismatch

MAX_SKEW_SECONDS = 15 * 60
PRESIGNED_FIELDS = ("AWSAccessKeyId", "Expires", "Signature")


def is_presigned(ctx: RequestContext) -> bool:
    """True when the query carries a V2 presigned signature (Signature with AWSAccessKeyId)."""
    return ctx.has_query("Signature") and ctx.has_query("AWSAccessKeyId")


def _user(ctx: RequestContext, access_key: str) -> User:
    user = ctx.config.user_by_access_key(access_key)
    if user is None:
        raise JssError(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist")
    return user


def _epoch(value: str) -> float | None:
    """Seconds since the epoch of an RFC 1123 date (or an ISO 8601 basic one), None when neither."""
    try:
        return email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        pass
    try:
        return calendar.timegm(time.strptime(value, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        return None


def _resources(ctx: RequestContext) -> list[str]:
    """The CanonicalizedResource of the request; for a bucket-level request also its ``/bucket/`` spelling
    (the page derives ``/bucket`` from a path-style request; its examples and botocore sign ``/bucket/``)."""
    query = sigv2.parse_query(ctx.raw_query)
    bucket = ctx.bucket if ctx.virtual_host else None
    resources = [sigv2.canonical_resource(ctx.raw_path, query, bucket)]
    if ctx.bucket and ctx.key is None:
        resources.append(sigv2.canonical_resource(f"/{ctx.bucket}/", query))
    return resources


def _compare(ctx: RequestContext, user: User, sent: str, expires: str | None = None) -> None:
    for resource in _resources(ctx):
        text = sigv2.string_to_sign(ctx.method, ctx.headers, resource, expires)
        expected = sigv2.signature(user.secret_key, text)
        if hmac.compare_digest(expected.encode(), sent.encode("utf-8", "replace")):
            return
    raise signature_mismatch()


def authenticate_header(ctx: RequestContext, authorization: str) -> User:
    """The user of an ``AWS AKID:signature`` request; JssError when it is refused."""
    try:
        access_key, sent = sigv2.parse_authorization(authorization)
    except ValueError as exc:
        raise JssError(400, "InvalidArgument", "Authorization header is invalid -- one and only one ' ' "
                       "(space) required") from exc
    user = _user(ctx, access_key)
    signed_at = _epoch(ctx.header("x-amz-date") or ctx.header("date") or "")
    if signed_at is None:
        raise JssError(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
    if abs(time.time() - signed_at) > MAX_SKEW_SECONDS:
        raise JssError(
            403, "RequestTimeTooSkewed", "The difference between the request time and the current time is "
            "too large."
        )
    _compare(ctx, user, sent)
    return user


def authenticate_url(ctx: RequestContext) -> User:
    """The user of a V2 presigned URL; JssError when it is refused."""
    access_key, expires, sent = (ctx.query_value(name) or "" for name in PRESIGNED_FIELDS)
    if not expires.isdigit():
        raise JssError(403, "AccessDenied", "Query-string authentication requires the Signature, Expires and "
                       "AWSAccessKeyId parameters")
    user = _user(ctx, access_key)
    if time.time() > int(expires):
        raise JssError(403, "AccessDenied", "Request has expired")
    _compare(ctx, user, sent, expires)
    return user
