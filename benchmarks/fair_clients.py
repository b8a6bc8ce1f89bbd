"""Fair to every client (issue 21 items 4 and 8): three loads against the reference endpoint, each while an
independent client (another account, another loopback address: 127.0.0.2) sends a signed HEAD on a new
connection every 50 ms; its p50 / p99 latency before, during and after each load, side by side.

    python benchmarks/fair_clients.py                      # all three cases, the server's default limits
    python benchmarks/fair_clients.py --case sockets --sockets 4096
    python benchmarks/fair_clients.py --case bodies --bodies 50 --bodies 200
    python benchmarks/fair_clients.py --case listing --uploads 5000

- ``sockets``: one client (127.0.0.1) opens `--sockets` idle connections (no byte sent) and holds them.
- ``bodies``: one account sends `--bodies` concurrent CompleteMultipartUpload bodies of 4 MiB (a part list of
  ~80,000 entries; the answer is a 4xx once parsed, or 503 SlowDown when its account has no slot in time);
  the server's peak RSS is printed too.
- ``listing``: one account holds `--uploads` uploads in progress and 4 threads list them with max-uploads=1
  in a loop; the list call's own p50 / p99 is printed too, and, in this process, the per-call cost of one
  page from every manifest (the scan the endpoint did before its index) and from the index, side by side.

Loopback only; the server is started and stopped by the script (its temporary folders removed). To measure
the code of another checkout, run the script from that checkout's root (``python -m conformance.reference``
imports from the working directory). Always exits 0 once measured.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from benchlib.head_probe import HeadProbe, percentile, signed_request  # noqa: E402

from conformance.reference.launch import start_reference  # noqa: E402

MiB = 1024 * 1024
ALICE = ("alice", "AKFAIRALICE000001", "fair-alice-secret")  # the loading account
BOB = ("bob", "AKFAIRBOB00000002", "fair-bob-secret")  # the independent client's account
PROBE_ADDRESS = "127.0.0.2"


def exchange(port: int, head: bytes, body: bytes = b"", timeout: float = 120.0) -> tuple[int, bytes]:
    """Send one request (head, then body: no copy of a large body) on a new connection from 127.0.0.1;
    (status, body) of the answer (0: none)."""
    received = b""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(head)
            if body:
                sock.sendall(body)
            while chunk := sock.recv(65536):
                received += chunk
    except OSError:
        pass
    if not received.startswith(b"HTTP/"):
        return 0, b""
    return int(received.split(b" ", 2)[1]), received.partition(b"\r\n\r\n")[2]


def call(port: int, method: str, target: str, user, body: bytes = b"") -> tuple[int, bytes]:
    """One signed request with `body`, Connection: close."""
    extra = f"Content-Length: {len(body)}\r\nConnection: close\r\n"
    return exchange(port, signed_request(method, target, user, extra), body)


def rss_mib(pid: int) -> float:
    """The VmRSS of a process in MiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class PeakRss:
    """The largest RSS of a process while the block runs, sampled every 20 ms."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mib(self.pid))

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def complete_body(limit: int = 4 * MiB) -> bytes:
    """A part list of ascending part numbers just under `limit` bytes."""
    entries, size, number = [], 12, 1
    while True:
        entry = json.dumps({"PartNumber": number, "ETag": f"{number:032x}"})
        if size + len(entry) + 2 > limit:
            break
        entries.append(entry)
        size += len(entry) + 2
        number += 1
    return ('{"Part": [' + ", ".join(entries) + "]}").encode()


def load_sockets(port: int, count: int, hold: float) -> str:
    """Open `count` idle connections from 127.0.0.1, hold them `hold` s; how many the server kept."""
    opened: list[socket.socket] = []
    try:
        for _ in range(count):
            with contextlib.suppress(OSError):
                opened.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(hold)
        states = Counter()
        for sock in opened:
            sock.setblocking(False)
            try:
                first = sock.recv(12, socket.MSG_PEEK)
                states["refused 503" if first.startswith(b"HTTP/1.1 503") else "closed"] += 1
            except BlockingIOError:
                states["held"] += 1
            except OSError:
                states["closed"] += 1
    finally:
        for sock in opened:
            sock.close()
    return f"{len(opened)} opened: " + ", ".join(f"{name} {n}" for name, n in sorted(states.items()))


def load_bodies(port: int, pid: int, target: str, count: int, body: bytes) -> str:
    """`count` concurrent complete bodies of one account; their statuses and the server's peak RSS."""
    statuses: Counter = Counter()
    start = threading.Barrier(count)

    def one() -> None:
        head = signed_request("POST", target, ALICE, f"Content-Length: {len(body)}\r\nConnection: close\r\n")
        start.wait()
        statuses[exchange(port, head, body)[0]] += 1

    with PeakRss(pid) as peak:
        threads = [threading.Thread(target=one) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    answers = ", ".join(f"{status}x{n}" for status, n in sorted(statuses.items()))
    return f"{count} bodies answered {answers}; server peak RSS {peak.peak:.0f} MiB"


def load_listing(port: int, bucket: str, seconds: float, threads: int = 4) -> str:
    """`threads` clients listing the uploads with max-uploads=1 for `seconds`; the call's own p50 / p99."""
    latencies: list[float] = []
    statuses: Counter = Counter()
    deadline = time.monotonic() + seconds

    def loop() -> None:
        while time.monotonic() < deadline:
            started = time.monotonic()
            status, _ = call(port, "GET", f"/{bucket}?uploads&max-uploads=1", ALICE)
            latencies.append(time.monotonic() - started)
            statuses[status] += 1

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    answers = ", ".join(f"{status}x{n}" for status, n in sorted(statuses.items()))
    return (f"{len(latencies)} lists ({answers}); list call p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms")


def page_cost_in_process(uploads: int, calls: int = 5) -> str:
    """Per-call cost of a max-uploads=1 page over `uploads` uploads: the manifest scan vs the index."""
    try:
        from conformance.reference.config import ServerConfig
        from conformance.reference.httpio import RequestContext
        from conformance.reference.lists import scanned_jss_page
        from conformance.reference.storage import Storage
        from conformance.reference.upload_pages import jss_page
        from conformance.reference.uploads import Uploads
    except ImportError:
        return "in-process page cost: not measured (this checkout has no upload index)"
    with tempfile.TemporaryDirectory() as folder:
        storage = Storage(Path(folder), b"\0" * 32)
        storage.create_bucket("cost", "alice", "cn-north-1")
        for number in range(uploads):
            Uploads(storage).create("cost", {"key": f"k{number:05d}", "storage_class": "STANDARD",
                                             "encrypted": False})
        ctx = RequestContext("GET", "cost", None, [], [], "cn-north-1", "bench", ServerConfig(Path(folder)))
        costs = {}
        for name, page in (("scan (before)", scanned_jss_page), ("index (after)", jss_page)):
            extra = (10000,) if page is jss_page else ()
            page(ctx, storage, "", "", "", 1, *extra)  # warm: the index is built on first use
            times = []
            for _ in range(calls):
                started = time.perf_counter()
                page(ctx, storage, "", "", "", 1, *extra)
                times.append(time.perf_counter() - started)
            costs[name] = percentile(times, 0.5) * 1000
    return "in-process cost of one max-uploads=1 page over {} uploads (median of {}): {}".format(
        uploads, calls, ", ".join(f"{name} {ms:.2f} ms" for name, ms in costs.items()))


def run_case(name: str, port: int, probe_target: str, phase_seconds: float, load) -> str:
    """One case: the probe before, during `load()` and after; its table rows and what the load reported."""
    with HeadProbe(port, probe_target, BOB, PROBE_ADDRESS) as probe:
        time.sleep(phase_seconds)
        probe.phase = "during"
        started = time.monotonic()
        reported = load()
        during = time.monotonic() - started
        probe.phase = "after"
        time.sleep(phase_seconds)
    rows = [f"{name:22} {phase:7} {probe.summary(phase)}" for phase in ("before", "during", "after")]
    return "\n".join([*rows, f"{'':22} load ({during:.1f} s): {reported}"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--case", action="append", choices=("sockets", "bodies", "listing"), help="default: all three")
    add("--sockets", type=int, default=4096, help="idle connections of the one client")
    add("--hold", type=float, default=5.0, help="seconds the idle connections are held")
    add("--bodies", type=int, action="append", help="concurrent complete bodies (repeatable; 50 and 200)")
    add("--uploads", type=int, default=5000, help="uploads in progress for the listing case")
    add("--list-seconds", type=float, default=10.0, help="seconds of listing load")
    add("--phase-seconds", type=float, default=3.0, help="seconds of probing before and after each load")
    add("--server-arg", action="append", default=[], help="extra option for the server (repeatable)")
    args = parser.parse_args(argv)
    cases = args.case or ["sockets", "bodies", "listing"]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the one client's sockets
    lines = []
    with start_reference(regions=("cn-north-1",), users=[ALICE, BOB], extra_args=args.server_arg) as server:
        port = int(server.endpoints["cn-north-1"].rsplit(":", 1)[1])
        for user, bucket in ((ALICE, "fair-alice"), (BOB, "fair-bob")):
            assert call(port, "PUT", f"/{bucket}", user)[0] == 201, "could not create a bucket"
        assert call(port, "PUT", "/fair-bob/probe", BOB, b"probe")[0] == 200, "could not put the probe object"
        probe_target = "/fair-bob/probe"
        if "sockets" in cases:
            lines.append(run_case(f"sockets {args.sockets}", port, probe_target, args.phase_seconds,
                                  lambda: load_sockets(port, args.sockets, args.hold)))
        if "bodies" in cases:
            status, body = call(port, "POST", "/fair-alice/assembled?uploads", ALICE)
            target = f"/fair-alice/assembled?uploadId={json.loads(body)['UploadId']}"
            part_list = complete_body()
            for count in args.bodies or [50, 200]:
                lines.append(run_case(f"bodies {count} x 4 MiB", port, probe_target, args.phase_seconds,
                                      lambda c=count: load_bodies(port, server.pid, target, c, part_list)))
        if "listing" in cases:
            started = time.monotonic()
            for number in range(args.uploads):
                assert call(port, "POST", f"/fair-alice/u{number:05d}?uploads", ALICE)[0] == 200
            print(f"({args.uploads} uploads initiated in {time.monotonic() - started:.1f} s)", flush=True)
            lines.append(run_case(f"listing {args.uploads}", port, probe_target, args.phase_seconds,
                                  lambda: load_listing(port, "fair-alice", args.list_seconds)))
    print(f"independent client: signed HEAD from {PROBE_ADDRESS} (another account), new connection every "
          "50 ms; latency p50 / p99")
    print(f"{'case':22} {'phase':7} HEAD p50 / p99")
    print("\n".join(lines))
    if "listing" in cases:
        print(page_cost_in_process(args.uploads + 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
