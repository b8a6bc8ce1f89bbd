"""Remove what an interrupted run left in its folder: abort its uploads, delete its objects.

A sweep acts on a folder, never on a string prefix: the prefix is normalised to end in ``/``
(:func:`run_folder`), so ``jssc-…-92da23`` sweeps ``jssc-…-92da23/…`` and never ``jssc-…-92da231`` or
``jssc-…-92da23x/…``. Only keys inside that folder are touched, whatever the endpoint's listing returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from conformance import operations as ops
from conformance.client import JssClient
from conformance.target import BucketSpec

MAX_ROUNDS = 50
PAGE = 1000


@dataclass
class SweepReport:
    """What a sweep of one bucket did."""

    bucket: str
    aborted: list[tuple[str, str]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def run_folder(prefix: str) -> str:
    """`prefix` as a folder: ending in ``/`` (one is added when missing). ValueError for an empty prefix or
    one that is only slashes or spaces (it would be the whole bucket)."""
    if not prefix.strip().strip("/"):
        raise ValueError("refusing an empty prefix: it would sweep the whole bucket")
    return prefix if prefix.endswith("/") else prefix + "/"


def _ok(response) -> bool:
    return 200 <= response.status_code < 300 or response.status_code == 404


def sweep_bucket(
    client: JssClient,
    bucket: BucketSpec,
    prefix: str,
    *,
    dry_run: bool = False,
    say: Callable[[str], None] = print,
) -> SweepReport:
    """Abort every upload and delete every object of `bucket` inside the folder `prefix` (see
    :func:`run_folder`: a missing final ``/`` is added)."""
    prefix = run_folder(prefix)
    report = SweepReport(bucket.name)
    verb = "would abort" if dry_run else "aborted"
    seen: set[str] = set()
    for _ in range(MAX_ROUNDS):
        listing = ops.list_uploads(client, bucket.name, prefix=prefix, max_uploads=PAGE)
        fresh = [u for u in listing.uploads if u.key and u.upload_id and u.key.startswith(prefix)]
        fresh = [u for u in fresh if u.upload_id not in seen]
        if not fresh:
            break
        for upload in fresh:
            seen.add(upload.upload_id)
            response = (
                None
                if dry_run
                else client.request("DELETE", bucket.name, upload.key, query=[("uploadId", upload.upload_id)])
            )
            if response is None or _ok(response):
                report.aborted.append((upload.key, upload.upload_id))
                say(f"{bucket.name}: {verb} upload {upload.upload_id} of {upload.key}")
            else:
                report.failures.append(
                    f"abort {upload.upload_id} of {upload.key}: HTTP {response.status_code}"
                )
                say(f"{bucket.name}: FAILED to abort upload {upload.upload_id} of {upload.key}")
        if dry_run:
            break
    verb = "would delete" if dry_run else "deleted"
    marker = None
    for _ in range(MAX_ROUNDS * 20):
        listing = ops.list_objects(client, bucket.name, prefix=prefix, marker=marker, max_keys=PAGE)
        for entry in listing.entries:
            if not entry.key or not entry.key.startswith(prefix):
                continue
            response = None if dry_run else client.request("DELETE", bucket.name, entry.key)
            if response is None or _ok(response):
                report.deleted.append(entry.key)
                say(f"{bucket.name}: {verb} object {entry.key}")
            else:
                report.failures.append(f"delete {entry.key}: HTTP {response.status_code}")
                say(f"{bucket.name}: FAILED to delete object {entry.key}")
        last = listing.entries[-1].key if listing.entries else None
        if not listing.has_next or not last or last == marker:
            break
        marker = listing.next_marker or last
    return report
