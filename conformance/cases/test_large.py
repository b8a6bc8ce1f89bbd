"""The large family: the reason multipart upload exists (InitiateMultipartUpload's introduction: files of
500 MB and more, breakpoint upload over a link that is cut off).

One object of ``--jss-large-size`` (512 MiB by default) is uploaded in parts from a generated stream, never
whole in the client's memory (conformance.cases.streams); in the middle of a part the client drops its
connection with half the body sent; it then resumes from ListParts (only the parts ListParts does not list are
sent again), completes, and verifies the object by a streamed download, hashed on the fly (size, a strong
hash of the bytes equal to the generator's, the final-ETag formula of the dialect). The peak resident set of
the client and of the embedded endpoint during the case is attached and printed in the terminal summary
(section `jss-conformance: large`).

Off by default (marker ``large``): ``--jss-large`` or ``--jss-family large`` runs it, ``tox -e large`` too.
"""

from __future__ import annotations

import time

import allure
import pytest

from conformance import operations as ops
from conformance.cases.streams import MIB, DownloadDigests, DroppedConnection, GeneratedObject, object_digest
from conformance.harness.large import FIGURES_PROPERTY, peak_rss_mib, reset_peak, rss_mib
from conformance.harness.progress import Progress, progress_for
from conformance.outcomes import InfraError

#: How often, and how far apart, ListParts is read after the drop: a server handles the cut-off request on
#: its own time, and a part it wrongly keeps must have the chance to show up.
SETTLE_LISTINGS, SETTLE_PAUSE = 3, 0.25
DOWNLOAD_CHUNK = 1024 * 1024

pytestmark = pytest.mark.large


def _upload(client, bucket, key, upload_id, source: GeneratedObject, number: int, progress: Progress):
    """UploadPart of part `number` streamed from `source`: (its answer, md5 hex and sha256 sent)."""
    stream = source.part(number)
    answer = ops.upload_part(client, bucket, key, upload_id, number, stream)
    progress.update(add=source.part_range(number)[1])
    return answer, stream.md5.hexdigest(), stream.sha256.digest()


def _drop(client, bucket, key, upload_id, source: GeneratedObject, number: int) -> bool:
    """Send half of part `number`, then tear the connection down; True when the client did drop it (False
    when the server answered first)."""
    _, length = source.part_range(number)
    try:
        ops.upload_part(client, bucket, key, upload_id, number, source.part(number, drop_after=length // 2))
    except DroppedConnection:
        return True
    except ops.ApiError:
        return False
    return False


def _settled_listing(client, bucket, key, upload_id, dropped: int) -> ops.PartListing:
    """ListParts after the drop, read a few times (stopping early if the dropped part shows up)."""
    listing = ops.list_parts(client, bucket, key, upload_id)
    for _ in range(SETTLE_LISTINGS - 1):
        if any(part.part_number == dropped for part in listing.parts):
            break
        time.sleep(SETTLE_PAUSE)
        listing = ops.list_parts(client, bucket, key, upload_id)
    return listing


def _download(client, bucket, key, part_size: int, progress: Progress):
    """A streamed GET of the object hashed on the fly: (the response, its DownloadDigests)."""
    response = client.request("GET", bucket, key, stream=True)
    digests = DownloadDigests(part_size)
    try:
        if response.status_code == 200:
            for chunk in response.iter_content(DOWNLOAD_CHUNK):
                digests.update(chunk)
                progress.update(add=len(chunk))
    finally:
        response.close()
    return response, digests.finish()


def _memory_report(pid, started: float, size: int, before: dict) -> str:
    seconds = time.monotonic() - started
    client_peak, endpoint_peak = peak_rss_mib(), peak_rss_mib(pid) if pid else None

    def mib(value):
        return "n/a" if value is None else f"{value:.1f} MiB"

    return (
        f"large: {size / MIB:.0f} MiB in {seconds:.1f} s ({size / MIB / seconds:.1f} MiB/s, up+down"
        f"); client peak RSS {mib(client_peak)} (at start {mib(before['client'])}); endpoint peak "
        f"RSS {mib(endpoint_peak)} (at start {mib(before['endpoint'])}"
        + ("" if pid else ", not a local process") + ")"
    )


@pytest.mark.clause("large.resume.after-dropped-part", "large.object.streamed")
def test_multipart_large_object_resumed_after_dropped_connection(
    jss_client, jss_bucket, jss_key, jss_large, jss_endpoint_pid, record_property, pytestconfig
):
    bucket, key = jss_bucket.name, jss_key
    source = GeneratedObject(f"jss-conformance/large/{key}", jss_large.size, jss_large.part_size)
    dropped = max(1, (source.part_count + 1) // 2)
    reset_peak()
    if jss_endpoint_pid:
        reset_peak(jss_endpoint_pid)
    before = {"client": rss_mib(), "endpoint": rss_mib(jss_endpoint_pid) if jss_endpoint_pid else None}
    started = time.monotonic()
    progress = progress_for(pytestconfig, "large (upload, then download)", 2 * source.size)

    upload = ops.initiate(jss_client, bucket, key)
    sent: dict[int, tuple[str, bytes]] = {}
    for number in range(1, dropped):
        answer, md5_hex, sha = _upload(jss_client, bucket, key, upload.upload_id, source, number, progress)
        ops.assert_value(f"the ETag of part {number}", answer.etag, md5_hex, decided_by=answer)
        sent[number] = (md5_hex, sha)
    if not _drop(jss_client, bucket, key, upload.upload_id, source, dropped):
        raise InfraError(f"the target answered part {dropped} before the client dropped its connection")

    with ops.checking("large.resume.after-dropped-part"):
        listing = _settled_listing(jss_client, bucket, key, upload.upload_id, dropped)
        expected = [(n, md5_hex, source.part_range(n)[1]) for n, (md5_hex, _) in sorted(sent.items())]
        listed = [(p.part_number, p.etag, p.size) for p in listing.parts]
        ops.assert_value(
            f"the parts listed after part {dropped}'s connection dropped (PartNumber, ETag, Size)",
            listed, expected, decided_by=listing,
        )

        listed_numbers = {p.part_number for p in listing.parts}
        for number in range(1, source.part_count + 1):
            if number in listed_numbers:
                continue
            answer, md5_hex, sha = _upload(
                jss_client, bucket, key, upload.upload_id, source, number, progress)
            ops.assert_value(f"the ETag of part {number}", answer.etag, md5_hex, decided_by=answer)
            sent[number] = (md5_hex, sha)
        etags = [(n, sent[n][0]) for n in sorted(sent)]
        completed = ops.complete(jss_client, bucket, key, upload.upload_id, etags)
        final_etag = ops.multipart_etag(jss_client, [etag for _, etag in etags])
        ops.assert_value("the ETag of the completed object", completed.etag, final_etag, decided_by=completed)

    with ops.checking("large.object.streamed"):
        response, digests = _download(jss_client, bucket, key, source.part_size, progress)
        ops.assert_status(response, 200)
        ops.assert_value("the size of the downloaded object", digests.size, source.size, decided_by=response)
        ops.assert_value(
            "the SHA-256 of the downloaded bytes (part-wise)", digests.digest,
            object_digest([sent[n][1] for n in sorted(sent)]), decided_by=response,
        )
        ops.assert_value(
            "the final-ETag formula over the downloaded parts",
            ops.multipart_etag(jss_client, digests.part_md5), final_etag, decided_by=response,
        )
        ops.assert_value(
            "the ETag of the downloaded object", ops.unquote_etag(response.headers.get("ETag")), final_etag,
            decided_by=response,
        )

    report = _memory_report(jss_endpoint_pid, started, source.size, before)
    allure.attach(report, name="large: time and peak memory", attachment_type=allure.attachment_type.TEXT)
    record_property(FIGURES_PROPERTY, report)
