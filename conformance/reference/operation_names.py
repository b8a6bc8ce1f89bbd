"""The operation name of a request (``initiate``, ``upload-part``...) as fault scripts and records use it: the
name conformance.reference.routing gives it, the same on both wires."""

from __future__ import annotations

from conformance.reference.httpio import RequestContext
from conformance.reference.routing import operation_of

#: Names the records keep from before the routing named them apart.
_ALIASES = {"head-service": "list-buckets"}


def operation_name(ctx: RequestContext) -> str:
    """The name of the operation `ctx` asks for (``head`` for HEAD on an object); ``unknown`` if none."""
    name = operation_of(ctx) or "unknown"
    return _ALIASES.get(name, name)
