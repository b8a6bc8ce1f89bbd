"""Deliberately broken example drivers: the negative controls of ``jss-conformance sdk``.

``python -m conformance.sdk.drivers.broken MISTAKE`` is the example driver with one mistake, made at one place
(one subclass each); fixtures/sdk/negative-controls.toml says which scenarios each turns red and what the
judgement must name.
"""

from __future__ import annotations

import sys

from conformance import operations as ops
from conformance.client import SigningOptions
from conformance.sdk.drivers.example import ExampleDriver, GaveUp, main


class NoUploadsSubresource(ExampleDriver):
    """Signs InitiateMultipartUpload without ?uploads in the CanonicalizedResource."""

    def initiate(self, step: dict) -> str:  # noqa: D102
        wrong = SigningOptions(resource=f"/{self.bucket}/{self.key}")
        return self.attempt("initiate", lambda: ops.initiate(
            self.client, self.bucket, self.key, storage_class=step.get("storage_class"),
            encryption=step.get("encryption"), signing=wrong,
        )).upload_id


class NoRetry5xx(ExampleDriver):
    """Does not retry a 500 or 503 answer (connection errors still are)."""

    def retryable(self, error: Exception) -> bool:  # noqa: D102
        return not isinstance(error, ops.ApiError) and super().retryable(error)


class CompleteRetryNewUpload(ExampleDriver):
    """When a complete fails, starts the whole upload again as a new upload (the first one is left)."""

    def complete(self, upload_id: str, parts: dict[int, str], step: dict) -> None:  # noqa: D102
        try:
            ops.complete(self.client, self.bucket, self.key, upload_id, self.complete_parts(parts))
        except ops.ApiError:
            fresh = self.initiate(step)
            super().complete(fresh, self.send_parts(fresh, step), step)


class LeavesUploadBehind(ExampleDriver):
    """Gives up on a failed part without aborting the upload."""

    def on_failure(self, upload_id: str) -> None:  # noqa: D102
        return None


class PartsOutOfOrder(ExampleDriver):
    """Lists the parts in descending order in the complete body."""

    def complete_parts(self, parts: dict[int, str]) -> list[tuple[int, str]]:  # noqa: D102
        return sorted(parts.items(), reverse=True)


class PutInsteadOfMultipart(ExampleDriver):
    """Uploads with one PutObject instead of a multipart upload (the armed multipart faults never fire)."""

    def multipart_upload(self, step: dict) -> None:  # noqa: D102
        with open(step["source"], "rb") as source:
            data = source.read()
        self.attempt("put", lambda: ops.put_object(self.client, self.bucket, self.key, data))


MISTAKES = {
    "no-uploads-subresource": NoUploadsSubresource,
    "no-retry-5xx": NoRetry5xx,
    "complete-retry-new-upload": CompleteRetryNewUpload,
    "leaves-upload-behind": LeavesUploadBehind,
    "parts-out-of-order": PartsOutOfOrder,
    "put-instead-of-multipart": PutInsteadOfMultipart,
}

__all__ = ["MISTAKES", "GaveUp"]

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in MISTAKES:
        print(f"usage: python -m conformance.sdk.drivers.broken {{{','.join(MISTAKES)}}}", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(MISTAKES[sys.argv[1]]))
