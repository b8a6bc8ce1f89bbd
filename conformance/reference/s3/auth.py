"""SigV4 authentication of S3 requests: the Authorization header and presigned URLs (``X-Amz-*``); a
Signature Version 2 request (``AWS AKID:sig``, or ``AWSAccessKeyId``/``Signature`` in the query) goes to
`auth_v2`.

The expected signature comes from `sigv4_check.expected_signature`; this module parses what the client sent,
checks the clock and the expiry, and compares.
"""

from __future__ import annotations

import calendar
import hmac
import re
import time

from conformance import sigv2
from conformance.numbers import parse_decimal
from conformance.reference.config import User
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext
from conformance.reference.s3 import auth_v2
from conformance.reference.s3.chunked import signature_mismatch
from conformance.reference.s3.payload import CHUNK_SIGNED, HEX_SHA256, UNSIGNED
from conformance.reference.s3.sigv4_check import StreamSigning, expected_signature
from conformance.sigv4 import (
    ALGORITHM,
    STREAMING_PAYLOAD,
    STREAMING_PAYLOAD_TRAILER,
    STREAMING_UNSIGNED_TRAILER,
)

MAX_SKEW_SECONDS = 15 * 60
#: The window of deviation s3-clock-skew-window-5-minutes.
DEVIANT_SKEW_SECONDS = 5 * 60
#: The canonical header deviation s3-storage-class-header-unsigned leaves out.
STORAGE_CLASS_HEADER = "x-amz-storage-class"
MAX_EXPIRES_SECONDS = 7 * 24 * 3600
AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")
HEADER_FIELDS = re.compile(r"(Credential|SignedHeaders|Signature)=([^,\s]*)")
#: The x-amz-content-sha256 values of a streamed (aws-chunked) body; another STREAMING-… is 400.
STREAMING_FORMS = frozenset({STREAMING_PAYLOAD, STREAMING_PAYLOAD_TRAILER, STREAMING_UNSIGNED_TRAILER})


def _malformed(message: str) -> JssError:
    return JssError(400, "AuthorizationHeaderMalformed", message)


def _epoch(amz_date: str) -> int:
    """The seconds since the epoch of an X-Amz-Date; 403 AccessDenied when it is not a real UTC time in the
    ISO 8601 basic format (``20260230T250000Z`` has the shape but no such day or hour)."""
    refused = JssError(403, "AccessDenied", "X-Amz-Date must be in the ISO 8601 basic format")
    if AMZ_DATE.fullmatch(amz_date) is None:
        raise refused
    try:
        return calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
    except ValueError as exc:
        raise refused from exc


def _scope(ctx: RequestContext, credential: str, amz_date: str) -> tuple[User, str, str]:
    """(user, region, service) of a Credential value ``AK/date/region/service/aws4_request``; the region
    must be the receiving endpoint's, the service s3 (else 400 AuthorizationHeaderMalformed)."""
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise _malformed("The Credential is not AK/date/region/service/aws4_request")
    access_key, date, region, service, _ = parts
    user = ctx.config.user_by_access_key(access_key)
    if user is None:
        if ctx.config.deviations.active("s3-unknown-access-key-signature-mismatch"):
            raise signature_mismatch()
        raise JssError(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist")
    if date != amz_date[:8]:
        raise _malformed("The Credential's date is not the date of X-Amz-Date")
    if region != ctx.region:
        raise _malformed(f"the region '{region}' is wrong; expecting '{ctx.region}'")
    if service != "s3":
        raise _malformed(f"incorrect service '{service}'. This endpoint belongs to 's3'")
    return user, region, service


def _check(ctx, user, region, service, signed, payload_hash, amz_date, sent, raw_query) -> None:
    names = signed.split(";")
    if "host" not in names:
        raise _malformed("SignedHeaders must include host")
    if ctx.config.deviations.active("s3-storage-class-header-unsigned"):
        names = [name for name in names if name != STORAGE_CLASS_HEADER]
    if ctx.config.deviations.active("s3-content-type-header-unsigned"):
        names = [name for name in names if name != "content-type"]
    headers = [(name, ctx.header(name) or "") for name in names]
    expected = expected_signature(
        ctx.method, ctx.raw_path, raw_query, headers, payload_hash, amz_date, region, service, user.secret_key
    )
    if not hmac.compare_digest(expected.encode(), sent.encode("utf-8", "replace")):
        raise signature_mismatch()


def _authenticate_header(ctx: RequestContext, authorization: str) -> User:
    algorithm, _, rest = authorization.partition(" ")
    if algorithm != ALGORITHM:
        if algorithm == sigv2.SCHEME:
            return auth_v2.authenticate_header(ctx, authorization)
        raise JssError(400, "InvalidArgument", "Unsupported Authorization Type")
    fields = dict(HEADER_FIELDS.findall(rest))
    if set(fields) != {"Credential", "SignedHeaders", "Signature"}:
        raise _malformed("The Authorization header needs Credential, SignedHeaders and Signature")
    amz_date = ctx.header("x-amz-date") or ""
    if not amz_date:
        raise JssError(403, "AccessDenied", "AWS authentication requires a valid X-Amz-Date header")
    window = (
        DEVIANT_SKEW_SECONDS
        if ctx.config.deviations.active("s3-clock-skew-window-5-minutes")
        else MAX_SKEW_SECONDS
    )
    if abs(time.time() - _epoch(amz_date)) > window:
        raise JssError(
            403,
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
        )
    user, region, service = _scope(ctx, fields["Credential"], amz_date)
    payload_hash = ctx.header("x-amz-content-sha256")
    if payload_hash is None:
        raise JssError(
            400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256"
        )
    if not (
        HEX_SHA256.fullmatch(payload_hash)
        or payload_hash == UNSIGNED
        or payload_hash in STREAMING_FORMS
    ):
        raise JssError(
            400,
            "InvalidArgument",
            "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-… or a lowercase hex SHA-256",
        )
    _check(
        ctx,
        user,
        region,
        service,
        fields["SignedHeaders"],
        payload_hash,
        amz_date,
        fields["Signature"],
        ctx.raw_query,
    )
    if payload_hash in CHUNK_SIGNED:
        ctx.stream_signing = StreamSigning.of_request(
            user.secret_key, amz_date, region, service, fields["Signature"]
        )
    return user


def _authenticate_url(ctx: RequestContext) -> User:
    values = {
        name: ctx.query_value(f"X-Amz-{name}") or ""
        for name in ("Algorithm", "Credential", "Date", "Expires", "SignedHeaders", "Signature")
    }
    if values["Algorithm"] != ALGORITHM or not all(values.values()):
        raise JssError(
            400,
            "AuthorizationQueryParametersError",
            "A presigned URL needs X-Amz-Algorithm=AWS4-HMAC-SHA256, Credential, Date, Expires, "
            "SignedHeaders and Signature",
        )
    try:
        expires = parse_decimal(values["Expires"], MAX_EXPIRES_SECONDS)
    except ValueError:  # not ASCII digits (``²`` is isdigit() but no int), or above 7 days
        expires = 0
    if not expires:
        raise JssError(
            400, "AuthorizationQueryParametersError", "X-Amz-Expires must be from 1 to 604800 seconds"
        )
    amz_date = values["Date"]
    signed_at = _epoch(amz_date)
    user, region, service = _scope(ctx, values["Credential"], amz_date)
    if time.time() > signed_at + expires:
        raise JssError(403, "AccessDenied", "Request has expired")
    if signed_at - time.time() > MAX_SKEW_SECONDS:
        raise JssError(403, "RequestTimeTooSkewed", "The request was signed in the future")
    raw_query = "&".join(item for item in ctx.raw_query.split("&") if not item.startswith("X-Amz-Signature="))
    if ctx.config.deviations.active("s3-presigned-signature-in-canonical-query"):
        raw_query = ctx.raw_query
    payload_hash = ctx.header("x-amz-content-sha256") or UNSIGNED
    _check(
        ctx,
        user,
        region,
        service,
        values["SignedHeaders"],
        payload_hash,
        amz_date,
        values["Signature"],
        raw_query,
    )
    return user


def authenticate(ctx: RequestContext) -> User | None:
    """The user who signed the request, None for an anonymous one; JssError when it is refused."""
    authorization = ctx.header("authorization")
    presigned = ctx.has_query("X-Amz-Signature") or ctx.has_query("X-Amz-Credential")
    if (presigned or auth_v2.is_presigned(ctx)) and authorization is not None:
        raise JssError(400, "InvalidArgument", "Only one auth mechanism allowed")
    if (presigned or authorization is not None) and ctx.config.deviations.active("s3-accept-any-signature"):
        return _any_signature_user(ctx, authorization)
    if presigned:
        return _authenticate_url(ctx)
    if auth_v2.is_presigned(ctx):
        return auth_v2.authenticate_url(ctx)
    if authorization is None:
        return None
    return _authenticate_header(ctx, authorization)


def _any_signature_user(ctx: RequestContext, authorization: str | None) -> User:
    """Deviation s3-accept-any-signature: the user of the Credential's access key, whatever the signature,
    the clock or the expiry; 403 InvalidAccessKeyId for an unknown key."""
    credential = ctx.query_value("X-Amz-Credential") or ""
    if authorization is not None:
        credential = dict(HEADER_FIELDS.findall(authorization)).get("Credential", "")
    user = ctx.config.user_by_access_key(credential.split("/")[0])
    if user is None:
        raise JssError(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist")
    return user
