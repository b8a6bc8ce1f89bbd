"""Deviation refused-multipart-request-clears-key: a multipart request refused with 400 or 404 (initiate,
UploadPart, complete, abort of a signed-in caller) has already cleared its key, the object deleted and every
upload of the key removed (a clean-up that runs before the request is validated)."""

from __future__ import annotations

from conformance.reference.errors import JssError
from conformance.reference.httpio import RequestContext
from conformance.reference.operation_names import operation_name
from conformance.reference.storage import Storage
from conformance.reference.uploads import Uploads

#: The operations whose refusal clears the key under the deviation.
MULTIPART_OPERATIONS = frozenset({"initiate", "upload-part", "complete", "abort"})


def clear_key_after_refusal(ctx: RequestContext | None, error: JssError, storage: Storage) -> None:
    """Delete the key's object and remove its uploads when `ctx` is a refused multipart request."""
    if ctx is None or ctx.user is None or ctx.bucket is None or ctx.key is None:
        return
    if error.status not in (400, 404) or storage.get_bucket(ctx.bucket) is None:
        return
    if operation_name(ctx) not in MULTIPART_OPERATIONS:
        return
    storage.delete_object(ctx.bucket, ctx.key)
    uploads = Uploads(storage)
    for upload in uploads.list(ctx.bucket):
        if upload["key"] == ctx.key:
            storage.purge_later(uploads.remove(ctx.bucket, upload["upload_id"]))
