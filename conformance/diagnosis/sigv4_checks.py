"""SigV4 client mistakes read off the request itself, whether or not its signature verifies: what its
credential scope names, which headers SignedHeaders leaves out, its payload hash against its body, its
X-Amz-Date against the clock, a presigned URL's expiry. Each returns (mistake id, what exactly) pairs."""

from __future__ import annotations

import calendar
import time

from conformance import sigv4
from conformance.diagnosis.sigv4_request import SigV4Request

SERVICE = "s3"
MAX_SKEW_SECONDS = 15 * 60
MAX_EXPIRES_SECONDS = 7 * 24 * 3600
HEX_DIGITS = frozenset("0123456789abcdef")

Found = list[tuple[str, str]]


def amz_epoch(amz_date: str) -> int | None:
    """Unix seconds of an ISO 8601 basic ``YYYYMMDDTHHMMSSZ`` timestamp; None when it is not one."""
    if len(amz_date) != 16 or amz_date[8] != "T" or amz_date[15] != "Z":
        return None
    try:
        return calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        return None


def scope(view: SigV4Request, regions: tuple[str, ...]) -> Found:
    """The Credential's scope: the endpoint's region (when known), s3, aws4_request, the X-Amz-Date's day."""
    found = []
    if regions and view.region not in regions:
        found.append(("scope-region-wrong", f"named {view.region!r}, the endpoint is {', '.join(regions)}"))
    if view.service != SERVICE:
        found.append(("scope-service-wrong", f"named {view.service!r}"))
    if view.terminator != sigv4.TERMINATOR:
        found.append(("scope-terminator-wrong", f"named {view.terminator!r}"))
    if view.scope_date != view.amz_date[:8]:
        found.append(("amz-date-scope-mismatch", f"scope {view.scope_date}, X-Amz-Date {view.amz_date}"))
    return found


def signed_headers(view: SigV4Request) -> Found:
    """Host and every x-amz-* header sent are in SignedHeaders; every header SignedHeaders names was sent."""
    names = {name.lower() for name in view.signed_names}
    sent = dict.fromkeys(name.lower() for name, _ in view.headers)
    must = [n for n in sent if n == "host" or (n.startswith("x-amz-") and view.mode == "header")]
    found = [("header-not-in-signed-headers", name) for name in must if name not in names]
    if "host" not in names and "host" not in sent:
        found.append(("header-not-in-signed-headers", "host"))
    for name in sorted(names - set(sent)):
        found.append(("signed-header-changed", f"{name} named but not sent"))
    return found


def payload(view: SigV4Request, body: bytes | None) -> Found:
    """A hex x-amz-content-sha256 is the SHA-256 of the body (when the body is known)."""
    line = view.payload_line
    if body is None or len(line) != 64 or not set(line) <= HEX_DIGITS:
        return []
    actual = sigv4.payload_hash(body)
    return [] if actual == line else [("payload-hash-mismatch", f"the body's is {actual[:16]}...")]


def clock(view: SigV4Request, now: float) -> Found:
    """X-Amz-Date within 15 minutes of `now` (a presigned URL: not signed in the future); a presigned URL
    not expired, its X-Amz-Expires from 1 to 604800."""
    signed_at = amz_epoch(view.amz_date)
    if signed_at is None:
        return []
    found = []
    if view.mode == "header" and abs(now - signed_at) > MAX_SKEW_SECONDS:
        found.append(("clock-skew", f"{round(now - signed_at)} s behind the server's clock"))
    if view.mode == "presigned":
        if signed_at - now > MAX_SKEW_SECONDS:
            found.append(("clock-skew", f"signed {round(signed_at - now)} s in the future"))
        text = view.expires or ""
        expires = int(text) if text.isascii() and text.isdecimal() else 0
        if not 0 < expires <= MAX_EXPIRES_SECONDS:
            found.append(("presigned-expires-too-large", f"X-Amz-Expires={view.expires}"))
        elif now > signed_at + expires:
            found.append(("presigned-expired", f"{round(now - signed_at - expires)} s ago"))
    return found


def run(view: SigV4Request, body: bytes | None, now: float, regions: tuple[str, ...]) -> Found:
    """Every mistake the request shows by itself."""
    return [*scope(view, regions), *signed_headers(view), *payload(view, body), *clock(view, now)]
