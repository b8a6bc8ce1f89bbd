"""The example SDK driver, built on the suite's own client: the positive control of ``jss-conformance sdk``.

Run as ``python -m conformance.sdk.drivers.example``: it reads one JSON scenario on stdin (see
conformance.sdk.protocol), performs its steps on the scenario's wire (JSS, or S3 with SigV4) and prints one
JSON result line. It does what a careful SDK
does: retries 500/503 answers and broken connections (bounded, with a short back-off), retries a failed
complete on the same upload, aborts an upload that failed for good, resumes from ListParts, lists parts in
ascending order, and downloads by ranges (a cut range is asked again). The object steps (PutObject with its
headers, HEAD, ranged GET, paged ListObjects, presigned URLs, delete, abort) are in
conformance.sdk.drivers.example_objects.

Its methods are the places where the broken drivers (conformance.sdk.drivers.broken) each make one mistake.
"""

from __future__ import annotations

import json
import sys
import time

import requests

from conformance import operations as ops
from conformance.client import Credentials, JssClient
from conformance.outcomes import InfraError
from conformance.sdk.drivers.example_objects import ObjectSteps

RETRYABLE_STATUSES = frozenset({500, 503})
MAX_ATTEMPTS = 4
BACKOFF_SECONDS = 0.05
DOWNLOAD_CHUNK = 8 * 1024 * 1024


class GaveUp(Exception):
    """The SDK gave up on an operation (the scenario's result is "failed")."""


class ExampleDriver(ObjectSteps):
    """Performs a scenario's steps on one bucket and key."""

    def __init__(self, scenario: dict) -> None:
        credentials = scenario["credentials"]
        keys = Credentials(credentials["access_key"], credentials["secret_key"])
        endpoint = scenario["endpoint"]
        self.wire = scenario.get("wire", "jss")
        if self.wire == "s3":
            from conformance.client_s3 import S3Client  # botocore: imported only for the S3 wire (~1 s)

            self.client: JssClient = S3Client(endpoint, keys, region=scenario["region"], timeout=60)
        else:
            self.client = JssClient(endpoint, keys, timeout=60)
        self.bucket, self.key = scenario["bucket"], scenario["key"]
        self.listed: dict[str, list] = {}  # what the list steps saw (the result's "listed")
        self.head: dict | None = None  # what the head step reported (the result's "head")

    # -- retries ---------------------------------------------------------------------------------------
    def retryable(self, error: Exception) -> bool:
        """Whether a failed attempt is worth another."""
        if isinstance(error, ops.ApiError):
            return error.status in RETRYABLE_STATUSES
        return isinstance(error, InfraError | requests.RequestException)

    def attempt(self, what: str, call):
        """`call()` with bounded retries of retryable failures; GaveUp when they run out or one is final."""
        for number in range(1, MAX_ATTEMPTS + 1):
            try:
                return call()
            except (ops.ApiError, InfraError, requests.RequestException) as error:
                if not self.retryable(error) or number == MAX_ATTEMPTS:
                    raise GaveUp(f"{what}: {error}") from error
                time.sleep(BACKOFF_SECONDS * number)
        raise AssertionError("unreachable")

    # -- multipart -------------------------------------------------------------------------------------
    def initiate(self, step: dict) -> str:
        """InitiateMultipartUpload with the step's storage class and encryption. When an attempt's answer
        was lost (a broken connection), the upload it may have created is found and aborted."""
        lost = []

        def call():
            try:
                return ops.initiate(
                    self.client, self.bucket, self.key, storage_class=step.get("storage_class"),
                    encryption=step.get("encryption"),
                )
            except (InfraError, requests.RequestException):
                lost.append(True)
                raise

        upload_id = self.attempt("initiate", call).upload_id
        if lost:
            self.abort_strays(upload_id)
        return upload_id

    def abort_strays(self, keep: str) -> None:
        """Abort the uploads of our key other than `keep` (those a lost initiate answer named)."""
        listing = self.attempt("list uploads",
                               lambda: ops.list_uploads(self.client, self.bucket, prefix=self.key))
        for upload in listing.uploads:
            if upload.key == self.key and upload.upload_id != keep:
                stray = upload.upload_id
                self.attempt("abort", lambda u=stray: ops.abort(self.client, self.bucket, self.key, u))

    def upload_part(self, upload_id: str, number: int, data: bytes) -> str:
        """One UploadPart; its ETag."""
        return self.attempt(f"upload part {number}", lambda: ops.upload_part(
            self.client, self.bucket, self.key, upload_id, number, data
        )).etag

    def complete_parts(self, parts: dict[int, str]) -> list[tuple[int, str]]:
        """The complete list: ascending part numbers."""
        return sorted(parts.items())

    def complete(self, upload_id: str, parts: dict[int, str], step: dict) -> None:
        """CompleteMultipartUpload, retried on the same upload. A retry answered 404 after an attempt whose
        answer was lost is a complete that took effect: it succeeded when the object is there."""
        listed = self.complete_parts(parts)
        attempts = []

        def call():
            attempts.append(True)
            return ops.complete(self.client, self.bucket, self.key, upload_id, listed)

        try:
            self.attempt("complete", call)
        except GaveUp as exc:
            missing = isinstance(exc.__cause__, ops.ApiError) and exc.__cause__.status == 404
            if not (missing and len(attempts) > 1 and self.object_exists()):
                raise

    def object_exists(self) -> bool:
        """Whether our key holds an object (HeadObject)."""
        try:
            self.attempt("head", lambda: ops.head_object(self.client, self.bucket, self.key))
        except GaveUp:
            return False
        return True

    def on_failure(self, upload_id: str) -> None:
        """An upload that failed for good is aborted."""
        self.attempt("abort", lambda: ops.abort(self.client, self.bucket, self.key, upload_id))

    def send_parts(self, upload_id: str, step: dict, skip: frozenset[int] = frozenset()) -> dict[int, str]:
        """Upload the source in parts of part_size (one part in memory at a time); skip those in `skip`."""
        etags: dict[int, str] = {}
        with open(step["source"], "rb") as source:
            number = 0
            while data := source.read(step["part_size"]):
                number += 1
                if number not in skip:
                    etags[number] = self.upload_part(upload_id, number, data)
        return etags

    def multipart_upload(self, step: dict) -> None:
        """Initiate, send the parts, complete; abort when it fails for good."""
        upload_id = self.initiate(step)
        try:
            self.complete(upload_id, self.send_parts(upload_id, step), step)
        except GaveUp:
            self.on_failure(upload_id)
            raise

    def resume_upload(self, step: dict) -> None:
        """Resume an interrupted upload: ListParts, send the missing parts, complete."""
        upload_id = step["upload_id"]
        listing = self.attempt(
            "list parts", lambda: ops.list_parts(self.client, self.bucket, self.key, upload_id)
        )
        stored = {part.part_number: part.etag for part in listing.parts}
        sent = self.send_parts(upload_id, step, skip=frozenset(stored))
        self.complete(upload_id, {**stored, **sent}, step)

    # -- download --------------------------------------------------------------------------------------
    def download(self, step: dict) -> None:
        """GetObject by ranges of 8 MiB into the destination file; a cut range is asked again."""
        size = self.attempt("head", lambda: ops.head_object(self.client, self.bucket, self.key)).size or 0
        with open(step["destination"], "wb") as out:
            for start in range(0, size, DOWNLOAD_CHUNK):
                end = min(size, start + DOWNLOAD_CHUNK) - 1
                chunk = self.attempt(f"get bytes {start}-{end}", lambda s=start, e=end: self.get_range(s, e))
                out.write(chunk)

    def get_range(self, start: int, end: int) -> bytes:
        """One ranged GetObject, checked to be complete."""
        info = ops.get_object(self.client, self.bucket, self.key, headers={"Range": f"bytes={start}-{end}"})
        if len(info.body) != end - start + 1:
            raise InfraError(f"got {len(info.body)} bytes of range {start}-{end}")
        return info.body

    # -- listings --------------------------------------------------------------------------------------
    def list_parts_page(self, upload_id: str, max_parts: int | None, marker: int | None):
        """One page of ListParts (max-parts, part-number-marker)."""
        return ops.list_parts(self.client, self.bucket, self.key, upload_id, max_parts=max_parts,
                              part_number_marker=marker)

    def list_parts(self, step: dict) -> None:
        """ListParts paged by max_parts: the next page from the last part number seen, until a short page."""
        max_parts, marker, numbers = step.get("max_parts"), None, []
        while True:
            page = self.attempt(
                "list parts", lambda m=marker: self.list_parts_page(step["upload_id"], max_parts, m)
            )
            numbers += [part.part_number for part in page.parts]
            if not page.parts or max_parts is None or len(page.parts) < max_parts:
                break
            marker = page.parts[-1].part_number
        self.listed["parts"] = numbers

    def list_uploads_page(self, prefix: str, max_uploads: int | None):
        """One page of ListMultipartUploads (prefix, max-uploads)."""
        return ops.list_uploads(self.client, self.bucket, prefix=prefix, max_uploads=max_uploads)

    def list_uploads(self, step: dict) -> None:
        """ListMultipartUploads with the step's prefix and max_uploads (the suite's operations module has no
        key-marker paging: one page, which the scenarios keep large enough)."""
        page = self.attempt(
            "list uploads", lambda: self.list_uploads_page(step["prefix"], step.get("max_uploads"))
        )
        self.listed["uploads"] = [{"key": item.key, "upload_id": item.upload_id} for item in page.uploads]

    def perform(self, steps: list[dict]) -> None:
        """Every step in order."""
        handlers = {"multipart-upload": self.multipart_upload, "resume-upload": self.resume_upload,
                    "download": self.download, "list-parts": self.list_parts,
                    "list-uploads": self.list_uploads, **self.object_handlers()}
        for step in steps:
            handlers[step["op"]](step)


def main(driver_class=ExampleDriver) -> int:
    """Read the scenario, perform it, print the result line; exit status 0 unless the input is unusable."""
    try:
        scenario = json.loads(sys.stdin.read())
    except ValueError as exc:
        print(json.dumps({"status": "failed", "message": f"unreadable scenario: {exc}"}))
        return 2
    driver = driver_class(scenario)
    try:
        driver.perform(scenario["steps"])
    except GaveUp as exc:
        print(json.dumps({"status": "failed", "message": str(exc), "listed": driver.listed}))
        return 0
    result = {"status": "ok", "listed": driver.listed}
    if driver.head is not None:
        result["head"] = driver.head
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
