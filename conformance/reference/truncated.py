"""The ``dropped-part-kept`` deviation: a part whose connection dropped in the middle of its body is kept,
truncated, as the part (a server that installs whatever it received when the client went away).

Only the deviation uses this: :func:`teeing` wraps the ASGI ``receive`` of an UploadPart so that every
body chunk is also appended to a side file (hashed as it goes, never held), and :func:`keep_truncated`
installs that file as the part once the body was cut off.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from conformance.reference.storage import BucketChanged
from conformance.reference.uploads import Uploads, upload_lock_name


class Tee:
    """A side copy of a request body being received: its file, size and MD5."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle = open(path, "wb")  # noqa: SIM115 - closed by finish()/discard()
        self.md5 = hashlib.md5()
        self.size = 0

    def add(self, chunk: bytes) -> None:
        """Append one received chunk."""
        self.handle.write(chunk)
        self.md5.update(chunk)
        self.size += len(chunk)

    def finish(self) -> None:
        """Close the side file."""
        self.handle.close()

    def discard(self) -> None:
        """Close and remove the side file."""
        self.handle.close()
        self.path.unlink(missing_ok=True)


def teeing(receive, tee: Tee):
    """`receive` that also copies every body chunk into `tee`."""

    async def wrapped() -> dict:
        message = await receive()
        if message.get("type") == "http.request" and message.get("body"):
            tee.add(message["body"])
        return message

    return wrapped


async def keep_truncated(storage, bucket: dict, upload_id: str, number: int, tee: Tee) -> None:
    """Install what `tee` received as part `number` of the upload (its MD5 as ETag, its size) in `bucket`
    (the record the request was authorised against: nothing is installed if the bucket changed since)."""
    tee.finish()
    meta = {"etag": tee.md5.hexdigest(), "size": tee.size, "last_modified": time.time()}
    uploads = Uploads(storage)
    name = bucket["name"]
    async with storage.locks.get(upload_lock_name(name, upload_id)):
        try:
            installed = uploads.install_part(name, upload_id, number, tee.path, meta, expected_bucket=bucket)
        except BucketChanged:
            installed = False
        if not installed:
            tee.path.unlink(missing_ok=True)
