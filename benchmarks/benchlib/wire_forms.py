"""The reference endpoint over both wires, side by side (`upload_throughput.py --wires`): the JSS wire, and
the S3 wire in its three payload forms (signed payload, UNSIGNED-PAYLOAD, chunk-signed streaming), each
timed as its own "server" of the benchmark; the three S3 forms share one `--wire s3` process."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import requests

from .report import MB, MiB, human_size
from .servers import BUCKET, REFERENCE_REGION, Server, _quietly, reference_pid, reference_server
from .wire_s3_forms import FORMS, S3FormWire

JSS_NAME = "jss-wire"
FORM_NAMES = {"signed": "s3-signed", "unsigned": "s3-unsigned", "chunked": "s3-chunked"}
FORM_LABELS = {
    JSS_NAME: "JSS wire (jingdong HMAC-SHA1, body not hashed)",
    "s3-signed": "S3 SigV4, x-amz-content-sha256 = hex SHA-256",
    "s3-unsigned": "S3 SigV4, UNSIGNED-PAYLOAD",
    "s3-chunked": "S3 SigV4, STREAMING-AWS4-HMAC-SHA256-PAYLOAD (64 KiB chunks)",
}


@contextmanager
def reference_s3_servers(session: requests.Session, min_part_size: int | None, timeout: float) -> Iterator[
    list[Server]
]:
    """`conformance.reference --wire s3` (one region, one throwaway user): one Server per payload form."""
    from conformance.reference.launch import start_reference

    access_key, secret_key = f"BENCH{secrets.token_hex(6).upper()}", secrets.token_urlsafe(30)
    with start_reference(regions=(REFERENCE_REGION,), users=[("bench", access_key, secret_key)],
                         min_part_size=min_part_size, extra_args=["--wire", "s3"]) as handle:
        endpoint, pid = handle.endpoints[REFERENCE_REGION], reference_pid(handle)
        credentials = (access_key, secret_key, REFERENCE_REGION, timeout)
        wires = [S3FormWire(form, endpoint, BUCKET, session, *credentials) for form in FORMS]
        wires[0].create_bucket()
        try:
            yield [Server(FORM_NAMES[wire.form], pid, wire) for wire in wires]
        finally:
            _quietly(wires[0].delete_bucket)


def wire_servers(stack: ExitStack, session: requests.Session, timeout: float) -> list[Server]:
    """The JSS-wire reference, then the S3-wire reference's three forms, entered on `stack`."""
    jss = stack.enter_context(reference_server(session, None, timeout))
    jss.name = JSS_NAME
    return [jss, *stack.enter_context(reference_s3_servers(session, None, timeout))]


def print_wires(size: int, part_size: int, results: list) -> None:
    """The block of lines of one object size: MB/s (and MiB/s) of every wire, its ratio to the JSS wire."""
    jss = results[0]
    print(f"\nobject {human_size(size)} in {human_size(part_size)} parts, {len(jss.timings)} repeat(s), "
          f"the reference endpoint over both wires, medians:")
    print(f"  {'wire':<12} {'MB/s':>7} {'MiB/s':>7} {'x JSS':>6} {'parts MB/s':>11} {'complete s':>11} "
          f"{'peak RSS':>10}   runs MB/s   form")
    for result in results:
        rate = result.median_rate * MiB / MB
        runs = ", ".join(f"{value * MiB / MB:.1f}" for value in result.rates())
        print(f"  {result.name:<12} {rate:>7.1f} {result.median_rate:>7.1f} "
              f"{result.median_rate / jss.median_rate:>6.2f} {result.median_parts_rate * MiB / MB:>11.1f} "
              f"{result.median_complete:>11.2f} {result.peak_rss / MB:>7.1f} MB   {runs}   "
              f"{FORM_LABELS[result.name]}")
    print("  (the three S3 forms share one --wire s3 process: its peak RSS is theirs together)")
