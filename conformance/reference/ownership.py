"""Who may act on a bucket: its owner only. A request of another account, or one without Authorization
(anonymous), is refused with 403 AccessDenied before any work, whatever the operation.

The access deviations (negative controls of the suite's access family) are all switched here: each opens one
operation to callers that do not own the bucket, or moves the refusal after the work, or renames its code.
"""

from __future__ import annotations

from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext

#: The operations whose refusal the deviation ownership-checked-after-the-write moves after the work.
WRITES = ("upload-part", "complete", "abort", "put-object")


def _opened(ctx: RequestContext, operation: str) -> bool:
    """True when a deviation lets a caller who does not own the bucket do `operation`."""
    deviations = ctx.config.deviations
    anonymous = ctx.user is None
    return (
        (operation == "initiate" and deviations.active("initiate-in-any-bucket"))
        or (operation == "list-uploads" and deviations.active("list-uploads-public"))
        or (operation == "upload-part" and deviations.active("upload-id-is-capability"))
        or (operation == "list-parts" and deviations.active("list-parts-by-upload-id"))
        or (operation == "complete" and deviations.active("complete-by-upload-id"))
        or (operation == "abort" and deviations.active("foreign-abort-allowed"))
        or (operation == "put-object" and deviations.active("foreign-overwrite-allowed"))
        or (operation == "get-object" and anonymous and deviations.active("anonymous-object-reads-allowed"))
        or (operation == "get-object" and not anonymous and deviations.active("any-account-reads-objects"))
    )


def refuse(ctx: RequestContext, operation: str | None) -> None:
    """Refuse a caller who does not own the bucket: raise 403 AccessDenied (or, with the deviations, let it
    through, or keep the refusal in ``ctx.late_refusal`` for the app to raise after the work).

    `operation` names the API call (``initiate``, ``list-uploads``, ``upload-part``, ``list-parts``,
    ``complete``, ``abort``, ``get-object``, ``put-object``; None for the others).
    """
    deviations = ctx.config.deviations
    if operation is not None and _opened(ctx, operation):
        return
    code = "AccessDenied"
    if ctx.user is not None and deviations.active("foreign-account-code-bucket-not-belong-to"):
        code = "BucketNotBelongTo"
    error = JssError(403, code, "Access Denied")
    if operation in WRITES and deviations.active("ownership-checked-after-the-write"):
        ctx.late_refusal = error
        return
    raise error
