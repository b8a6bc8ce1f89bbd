"""Multipart upload throughput: the embedded reference endpoint (JSS API) against moto's server and the
JuiceFS S3 gateway (S3 API, both driven by the same client).

For each object size (default 64 MiB, then 1 GiB) every server is started fresh on loopback, each in its own
process, and get one untimed warm-up part. Then the same deterministic payload is uploaded to each in
`--part-size` parts (initiate, parts in order, complete), alternating which server goes first on each repeat,
and every upload is verified (each part ETag, the final ETag, and size and ETag through HEAD) before its time
counts. Prints MiB/s per server (median of the repeats; also the parts phase alone and the complete call),
the ratios reference/moto and reference/JuiceFS, each server's RSS at rest and peak (process tree, sampled
every 20 ms), and the client's own ceiling against a discarding sink, with PASS/MISS against the issue's
targets (reference >= 3x moto and >= JuiceFS, peak RSS < 150 MB, complete of 1 GiB and more < 0.3 s).

With --wires it compares the reference endpoint with itself over its two wires instead (issue 18): the JSS
wire, and the S3 wire with a signed payload (hex SHA-256), UNSIGNED-PAYLOAD and chunk-signed streaming
(STREAMING-AWS4-HMAC-SHA256-PAYLOAD), side by side in one run; it prints MB/s and each one's ratio to the JSS
wire (no targets).

Exit status: 0 (targets missed too) unless --check is given and a target is missed (1); 1 when an upload is
broken or a server fails; 2 on bad options.

    python benchmarks/upload_throughput.py                      # 64 MiB x5 and 1 GiB x1
    python benchmarks/upload_throughput.py --size 1GiB --repeat 3 --check
    python benchmarks/upload_throughput.py --no-juicefs           # without the JuiceFS gateway
    python benchmarks/upload_throughput.py --wires --size 1GiB    # JSS wire vs the S3 wire's payload forms
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field

import requests
from benchlib.null_sink import client_ceiling
from benchlib.payload import Payload
from benchlib.report import MB, GiB, MiB, Verdicts, human_size, machine_note, median, parse_size
from benchlib.rss import RssSampler
from benchlib.servers import Server, juicefs_server, moto_server, reference_server
from benchlib.wire import UploadWire
from benchlib.wire_forms import print_wires, wire_servers

RATIO_TARGET = 3.0
JUICEFS_RATIO_TARGET = 1.0
PEAK_RSS_TARGET = 150 * MB
COMPLETE_TARGET = 0.3  # seconds, for objects of 1 GiB and more
MIN_PART_SIZE = 5 * MiB


class BrokenUpload(RuntimeError):
    """An upload that did not assemble into the expected object."""


@dataclass
class Timing:
    """One verified upload: the whole of it, and the parts phase alone (complete = the difference)."""

    total: float
    parts: float


@dataclass
class TargetResult:
    """What one server did with one object size."""

    name: str
    size: int
    timings: list[Timing] = field(default_factory=list)
    rest_rss: int = 0
    peak_rss: int = 0

    def rates(self) -> list[float]:
        """MiB/s of every repeat, initiate to complete."""
        return [self.size / MiB / timing.total for timing in self.timings]

    @property
    def median_rate(self) -> float:
        """Median MiB/s over the repeats."""
        return median(self.rates())

    @property
    def median_parts_rate(self) -> float:
        """Median MiB/s of the parts phase alone."""
        return median([self.size / MiB / timing.parts for timing in self.timings])

    @property
    def median_complete(self) -> float:
        """Median seconds of the complete call."""
        return median([timing.total - timing.parts for timing in self.timings])


def timed_upload(wire: UploadWire, payload: Payload, key: str) -> Timing:
    """Upload `payload` as `key` (initiate, parts, complete) and return how long it took.

    The clock covers initiate to the complete response. Verification (part ETags, final ETag, HEAD size and
    ETag) happens after the clock stops and raises BrokenUpload on any mismatch.
    """
    started = time.perf_counter()
    upload_id = wire.initiate(key)
    try:
        numbers = range(1, payload.part_count + 1)
        etags = [wire.upload_part(key, upload_id, n, payload.part(n)) for n in numbers]
        parts_done = time.perf_counter()
        final_etag = wire.complete(key, upload_id, etags)
    except BaseException:
        with contextlib.suppress(Exception):
            wire.abort(key, upload_id)
        raise
    finished = time.perf_counter()
    expected = payload.jss_etag if wire.dialect == "jss" else payload.s3_etag
    stored_size, stored_etag = wire.head(key)
    if etags != payload.part_etags:
        pairs = enumerate(zip(etags, payload.part_etags, strict=True), start=1)
        bad = [n for n, (got, want) in pairs if got != want]
        raise BrokenUpload(f"{wire.dialect}: part ETags differ from the payload's MD5 for parts {bad[:10]}")
    if (final_etag, stored_etag, stored_size) != (expected, expected, payload.size):
        raise BrokenUpload(
            f"{wire.dialect}: complete ETag {final_etag!r}, HEAD ETag {stored_etag!r} size {stored_size}; "
            f"expected ETag {expected!r} size {payload.size}"
        )
    return Timing(finished - started, parts_done - started)


def warm_up(wire: UploadWire, payload: Payload) -> None:
    """One untimed single-part upload: connection, first-request imports and caches out of the way."""
    upload_id = wire.initiate("bench/warm-up")
    wire.upload_part("bench/warm-up", upload_id, 1, payload.part(1))
    wire.abort("bench/warm-up", upload_id)


def _servers(args: argparse.Namespace, stack: ExitStack, session: requests.Session) -> list[Server]:
    """The servers of one size: the reference's wires (--wires), else the reference, moto and JuiceFS."""
    if args.wires:
        return wire_servers(stack, session, args.timeout)
    servers = [
        stack.enter_context(reference_server(session, None, args.timeout)),
        stack.enter_context(moto_server(session, args.timeout)),
    ]
    if not args.no_juicefs:
        servers.append(stack.enter_context(juicefs_server(session, args.timeout)))
    return servers


def measure_size(args: argparse.Namespace, size: int, repeats: int, deadline: float) -> list[TargetResult]:
    """Start the servers fresh, upload a `size` object `repeats` times to each, stop them."""
    payload = Payload(size, args.part_size)
    payload.part_etags  # noqa: B018 - hash every part before any clock starts
    with ExitStack() as stack:
        session = stack.enter_context(requests.Session())
        servers: list[Server] = _servers(args, stack, session)
        samplers = [stack.enter_context(RssSampler(server.pid, args.sample_interval)) for server in servers]
        results = [TargetResult(server.name, size) for server in servers]
        for server in servers:
            warm_up(server.wire, payload)
        time.sleep(args.settle)
        for sampler, result in zip(samplers, results, strict=True):
            result.rest_rss = sampler.reset()
        for repeat in range(repeats):
            if repeat and time.monotonic() > deadline:
                print(f"  (time budget reached: {repeat} of {repeats} repeats done)")
                break
            order = range(len(servers)) if repeat % 2 == 0 else reversed(range(len(servers)))
            for index in order:
                key = f"bench/{human_size(size).replace(' ', '')}-{repeat}.bin"
                results[index].timings.append(timed_upload(servers[index].wire, payload, key))
                servers[index].wire.delete(key)
                time.sleep(args.settle)
        for sampler, result in zip(samplers, results, strict=True):
            sampler.current()
            result.peak_rss = sampler.peak
    return results


def print_size(size: int, part_size: int, results: list[TargetResult], verdicts: Verdicts) -> None:
    """The block of lines for one object size."""
    reference = results[0]
    repeats = len(reference.timings)
    print(f"\nobject {human_size(size)} in {human_size(part_size)} parts, {repeats} repeat(s), medians:")
    print(f"  {'server':<10} {'MiB/s':>7} {'parts MiB/s':>12} {'complete s':>11} {'RSS at rest':>12}"
          f" {'peak RSS':>10}   runs MiB/s")
    for result in results:
        runs = ", ".join(f"{rate:.1f}" for rate in result.rates())
        print(
            f"  {result.name:<10} {result.median_rate:>7.1f} {result.median_parts_rate:>12.1f} "
            f"{result.median_complete:>11.2f} {result.rest_rss / MB:>9.1f} MB {result.peak_rss / MB:>7.1f} MB"
            f"   {runs}"
        )
    label = human_size(size)
    targets = {"moto": RATIO_TARGET, "juicefs": JUICEFS_RATIO_TARGET}
    for peer in results[1:]:
        paired = median([ref / other for ref, other in zip(reference.rates(), peer.rates(), strict=True)])
        print(f"  (reference/{peer.name}, median of the per-repeat ratios, back to back: {paired:.2f}x)")
    for peer in results[1:]:
        ratio, target = reference.median_rate / peer.median_rate, targets[peer.name]
        print(verdicts.add(f"{label} throughput reference/{peer.name}", f"{ratio:.2f}x", f">= {target:g}x",
                           ratio >= target))
    print(verdicts.add(f"{label} reference peak RSS", f"{reference.peak_rss / MB:.1f} MB",
                       f"< {PEAK_RSS_TARGET / MB:g} MB", reference.peak_rss < PEAK_RSS_TARGET))
    if size >= GiB:
        print(verdicts.add(f"{label} reference complete", f"{reference.median_complete:.3f} s",
                           f"< {COMPLETE_TARGET:g} s", reference.median_complete < COMPLETE_TARGET))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=parse_size, action="append",
                        help="object size, repeatable (default: 64MiB and 1GiB)")
    parser.add_argument("--part-size", type=parse_size, default=16 * MiB, help="part size (default 16MiB)")
    parser.add_argument("--repeat", type=int,
                        help="uploads per server and size (default 5 below 1 GiB, else 3)")
    parser.add_argument("--settle", type=float, default=1.0,
                        help="seconds of rest after each upload, so one server's aftermath (memory "
                             "released, writeback) does not land in the other's time (default 1)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per HTTP request (default 300)")
    parser.add_argument("--budget", type=float, default=1200.0,
                        help="seconds after which no further repeat starts (default 1200)")
    parser.add_argument("--sample-interval", type=float, default=0.02,
                        help="RSS sampling period in seconds (default 0.02)")
    parser.add_argument("--max-size", type=parse_size, default=4 * GiB, help="refuse larger objects (4GiB)")
    parser.add_argument("--no-juicefs", action="store_true", help="leave the JuiceFS gateway out")
    parser.add_argument("--wires", action="store_true",
                        help="compare the reference endpoint's wires (JSS; S3 signed, unsigned, "
                             "chunk-signed) instead of the reference, moto and JuiceFS")
    parser.add_argument("--no-ceiling", action="store_true", help="skip the client-ceiling measurement")
    parser.add_argument("--json", metavar="PATH", help="also write the measurements as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    args.size = args.size or [64 * MiB, 1 * GiB]
    if any(size <= 0 or size > args.max_size for size in args.size):
        parser.error(f"sizes must be between 1 byte and --max-size ({human_size(args.max_size)})")
    if args.part_size <= 0 or (args.repeat is not None and args.repeat < 1) or args.settle < 0:
        parser.error("--part-size and --repeat must be positive, --settle not negative")
    if args.part_size < MIN_PART_SIZE and any(size > args.part_size for size in args.size):
        parser.error("--part-size below 5MiB: moto (like S3) refuses non-final parts under 5 MiB")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; see the module docstring for the exit status."""
    args = parse_args(argv)
    verdicts = Verdicts()
    deadline = time.monotonic() + args.budget
    measurements = []
    print(machine_note())
    s3_signer = ("conformance.sigv4 in each payload form" if args.wires
                 else "botocore SigV4 (UNSIGNED-PAYLOAD)")
    print("client: one requests.Session, bodies sent as zero-copy memoryviews of one buffer; "
          f"JSS signed with conformance.signing, S3 with {s3_signer}")
    if not args.no_ceiling:
        ceiling = client_ceiling(Payload(max(args.size), args.part_size))
        print(f"client ceiling (same parts to a discarding sink): {ceiling:.0f} MiB/s")
    for size in args.size:
        repeats = args.repeat or (3 if size >= GiB else 5)
        try:
            results = measure_size(args, size, repeats, deadline)
        except (RuntimeError, requests.RequestException) as exc:  # BrokenUpload, WireError, start errors
            print(f"upload failed, no numbers for {human_size(size)}: {exc}", file=sys.stderr)
            return 1
        if args.wires:
            print_wires(size, args.part_size, results)
        else:
            print_size(size, args.part_size, results, verdicts)
        measurements.append({"size": size, "part_size": args.part_size,
                             "results": [asdict(result) for result in results]})
    print(f"\n{machine_note()}" + ("" if args.wires else f"\n{verdicts.summary()}"))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"measurements": measurements, "targets": verdicts.results}, handle, indent=2)
    return 1 if args.check and not verdicts.all_passed else 0


if __name__ == "__main__":
    sys.exit(main())
