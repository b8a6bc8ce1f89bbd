"""Small helpers of the list operations: timestamps and paging parameters."""

from __future__ import annotations

import email.utils

from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext


def http_time(timestamp: float) -> str:
    """A timestamp as JSS writes it in JSON bodies: RFC 1123, GMT."""
    return email.utils.formatdate(timestamp, usegmt=True)


def page_size(ctx: RequestContext, name: str, default: int, maximum: int) -> int:
    """A non-negative integer query parameter, `default` when absent, capped at `maximum`.

    Not an integer: 400 InvalidArgument.
    """
    value = ctx.query_value(name)
    if value is None or value == "":
        return default
    if not value.isdigit():
        raise JssError(400, "InvalidArgument", f"{name} must be a non-negative integer")
    return min(int(value), maximum)
