"""Small helpers of the list operations: timestamps, paging parameters and one page of a bucket's keys (the
same on both wires)."""

from __future__ import annotations

import email.utils

from conformance.numbers import INT32_MAX, parse_decimal
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext


def http_time(timestamp: float) -> str:
    """A timestamp as JSS writes it in JSON bodies: RFC 1123, GMT."""
    return email.utils.formatdate(timestamp, usegmt=True)


#: How far ahead of GMT the times of listings are under deviation listing-times-china-local (UTC+8).
CHINA_OFFSET_SECONDS = 8 * 3600


def listed_time(ctx: RequestContext, timestamp: float) -> str:
    """A time the endpoint reports (a listing's LastModified, Initiated, CreationDate; an object's
    Last-Modified header): `http_time`, China Standard Time labelled GMT under deviation
    listing-times-china-local."""
    if ctx.config.deviations.active("listing-times-china-local"):
        timestamp += CHINA_OFFSET_SECONDS
    return http_time(timestamp)


def page_size(ctx: RequestContext, name: str, default: int, maximum: int) -> int:
    """A non-negative integer query parameter, `default` when absent, capped at `maximum` (0 is valid).

    Not ASCII digits, or above 2^31-1: 400 InvalidArgument (see ``conformance.numbers``).
    """
    value = ctx.query_value(name)
    if value is None or value == "":
        return default
    return min(query_integer(name, value), maximum)


def query_integer(name: str, value: str) -> int:
    """A query parameter's value as a non-negative 32-bit integer; 400 InvalidArgument otherwise."""
    try:
        return parse_decimal(value, INT32_MAX)
    except ValueError as exc:
        raise JssError(400, "InvalidArgument", f"{name} must be an integer from 0 to {INT32_MAX}") from exc


def object_page(storage, bucket: str, prefix: str, delimiter: str, after: str, limit: int):
    """One page of the objects of `bucket`: (object metadata entries, common prefixes, truncated, the last
    name listed) of the keys after `after` (compared as UTF-8 bytes) that start with `prefix`, rolled up to
    common prefixes at `delimiter`, at most `limit` entries and prefixes together."""
    contents: list[dict] = []
    prefixes: list[str] = []
    truncated, last = False, ""
    for meta in storage.list_objects(bucket):
        key = meta["key"]
        if not key.startswith(prefix) or key.encode("utf-8") <= after.encode("utf-8"):
            continue
        common = None
        if delimiter and (cut := key.find(delimiter, len(prefix))) >= 0:
            common = key[: cut + len(delimiter)]
        if common is not None and (
            common.encode("utf-8") <= after.encode("utf-8") or common in prefixes[-1:]
        ):
            continue
        if len(contents) + len(prefixes) >= limit:
            truncated = True
            break
        if common is not None:
            prefixes.append(common)
        else:
            contents.append(meta)
        last = common or key
    return contents, prefixes, truncated, last
