"""Small helpers of the list operations: timestamps and paging parameters."""

from __future__ import annotations

import email.utils

from conformance.numbers import INT32_MAX, parse_decimal
from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext


def http_time(timestamp: float) -> str:
    """A timestamp as JSS writes it in JSON bodies: RFC 1123, GMT."""
    return email.utils.formatdate(timestamp, usegmt=True)


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
