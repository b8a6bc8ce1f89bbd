"""Deliberately broken example drivers: the negative controls of ``jss-conformance sdk``.

``python -m conformance.sdk.drivers.broken MISTAKE`` is the example driver with one mistake, made at one place
(one subclass each); fixtures/sdk/negative-controls.toml says which scenarios each turns red and what the
judgement must name.
"""

from __future__ import annotations

import sys
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from conformance import operations as ops
from conformance import signing as signer
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


def _everything_signed(bucket: str, key: str | None, query: list[tuple[str, str | None]]) -> SigningOptions:
    """A CanonicalizedResource that signs every query parameter, sorted (the documented sub-resources and
    the ones the spec leaves unsigned alike)."""
    signed = "&".join(name if value is None else f"{name}={value}" for name, value in sorted(query))
    return SigningOptions(resource=f"{signer.canonical_resource(bucket, key)}?{signed}")


class SignsUnsignedQuery(ExampleDriver):
    """Signs max-parts, part-number-marker, prefix and max-uploads into the CanonicalizedResource."""

    def list_parts_page(self, upload_id: str, max_parts: int | None, marker: int | None):  # noqa: D102
        query = [("uploadId", upload_id), ("max-parts", str(max_parts)), ("part-number-marker", str(marker))]
        query = [(name, value) for name, value in query if value != "None"]
        signing = _everything_signed(self.bucket, self.key, query)
        return ops.list_parts(self.client, self.bucket, self.key, upload_id, max_parts=max_parts,
                              part_number_marker=marker, signing=signing)

    def list_uploads_page(self, prefix: str, max_uploads: int | None):  # noqa: D102
        query = [("uploads", None), ("prefix", prefix)]
        if max_uploads is not None:
            query.append(("max-uploads", str(max_uploads)))
        return ops.list_uploads(self.client, self.bucket, prefix=prefix, max_uploads=max_uploads,
                                signing=_everything_signed(self.bucket, None, query))


class SignsPaddedValuesUntrimmed(ExampleDriver):
    """Sends its x-jss- header values with trailing spaces and signs them with that padding, untrimmed."""

    PADDING = "  "

    def initiate(self, step: dict) -> str:  # noqa: D102
        headers = {}
        if step.get("storage_class"):
            headers["x-jss-storage-class"] = step["storage_class"] + self.PADDING
        if step.get("encryption") is not None:
            value = "true" if step["encryption"] else "false"
            headers["x-jss-server-side-encryption"] = value + self.PADDING
        lines = "".join(f"{name}:{value}\n" for name, value in sorted(headers.items()))
        untrimmed = SigningOptions(canonical_headers=lines)
        return self.attempt("initiate", lambda: ops.initiate(
            self.client, self.bucket, self.key, headers=headers, signing=untrimmed,
        )).upload_id


class DropsMetadata(ExampleDriver):
    """Sends a PutObject without the user metadata the application gave (as an SDK that drops it)."""

    def put_headers(self, step: dict, data: bytes) -> dict[str, str]:  # noqa: D102
        return super().put_headers({**step, "metadata": {}}, data)


class RangeEndExclusive(ExampleDriver):
    """Takes a range's end as exclusive: asks ``Range: bytes=A-(B-1)`` for bytes A..B."""

    def range_bounds(self, start: int, end: int) -> tuple[int, int]:  # noqa: D102
        return start, end - 1


class ListsFirstPageOnly(ExampleDriver):
    """Stops ListObjects after the first page (ignores that the answer is truncated)."""

    def next_marker(self, page) -> str | None:  # noqa: D102
        return None


class IgnoresCommonPrefixes(ExampleDriver):
    """Drops the common prefixes of a delimited ListObjects (reports the keys only)."""

    def page_prefixes(self, page) -> list[str]:  # noqa: D102
        return []


class PresignWrongExpiry(ExampleDriver):
    """Signs a presigned URL for one expiry and sends another in it (Expires / X-Amz-Expires one hour later
    than the one signed)."""

    def presigned_url(self, method: str, expires: int) -> str:  # noqa: D102
        url = super().presigned_url(method, expires)
        parts = urlsplit(url)
        query = [(name, str(int(value) + 3600) if name in ("Expires", "X-Amz-Expires") else value)
                 for name, value in parse_qsl(parts.query, keep_blank_values=True)]
        return urlunsplit(parts._replace(query=urlencode(query)))


class HeadDropsContentType(ExampleDriver):
    """Reports a HEAD without the Content-Type the server answered (as an SDK that does not surface it)."""

    def head_report(self, info) -> dict:  # noqa: D102
        return {**super().head_report(info), "content_type": None}


class PresignNotUsed(ExampleDriver):
    """Does the presign steps with ordinary signed requests (an Authorization header), no presigned URL."""

    def presign_get_step(self, step: dict) -> None:  # noqa: D102
        info = self.attempt("get", lambda: ops.get_object(self.client, self.bucket, self.key))
        with open(step["destination"], "wb") as out:
            out.write(info.body)

    def presign_put_step(self, step: dict) -> None:  # noqa: D102
        self.put_object({"source": step["source"]})


class DeletesWithTrailingSlash(ExampleDriver):
    """Sends DeleteObject for the key with a "/" appended (another key: the object stays)."""

    def delete_step(self, step: dict) -> None:  # noqa: D102
        self.attempt("delete", lambda: ops.delete_object(self.client, self.bucket, self.key + "/"))


class AbortDeletesObject(ExampleDriver):
    """"Aborts" an upload by deleting the object at its key (the upload stays, the object is gone)."""

    def abort_upload_step(self, step: dict) -> None:  # noqa: D102
        self.attempt("abort", lambda: ops.delete_object(self.client, self.bucket, self.key))


MISTAKES = {
    "no-uploads-subresource": NoUploadsSubresource,
    "no-retry-5xx": NoRetry5xx,
    "complete-retry-new-upload": CompleteRetryNewUpload,
    "leaves-upload-behind": LeavesUploadBehind,
    "parts-out-of-order": PartsOutOfOrder,
    "put-instead-of-multipart": PutInsteadOfMultipart,
    "signs-unsigned-query": SignsUnsignedQuery,
    "signs-padded-values-untrimmed": SignsPaddedValuesUntrimmed,
    "drops-metadata": DropsMetadata,
    "range-end-exclusive": RangeEndExclusive,
    "lists-first-page-only": ListsFirstPageOnly,
    "ignores-common-prefixes": IgnoresCommonPrefixes,
    "presign-wrong-expiry": PresignWrongExpiry,
    "head-drops-content-type": HeadDropsContentType,
    "presign-not-used": PresignNotUsed,
    "deletes-with-trailing-slash": DeletesWithTrailingSlash,
    "abort-deletes-object": AbortDeletesObject,
}

__all__ = ["MISTAKES", "GaveUp"]

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in MISTAKES:
        print(f"usage: python -m conformance.sdk.drivers.broken {{{','.join(MISTAKES)}}}", file=sys.stderr)
        sys.exit(2)
    sys.exit(main(MISTAKES[sys.argv[1]]))
