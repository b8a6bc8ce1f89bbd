"""Fault scripts and the endpoint's memory (issue 21 item 2): RSS of ``serve --faults`` at rest, after arming
N scripts of the largest size allowed (as many distinct instructions as a script may hold, padded to the
size bound), after reading them all back page by page, and after deleting them.

    python benchmarks/fault_scripts_memory.py                        # 300 scripts of 64 KiB (the default)
    python benchmarks/fault_scripts_memory.py --script-bytes 1048576  # 300 scripts of 1 MiB

Loopback only; the server is started and stopped by the script. Every request is signed by the bucket's
owner (conformance.sdk.bench). Prints one table row per phase.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conformance import operations as ops  # noqa: E402
from conformance.client import Credentials, JssClient  # noqa: E402
from conformance.reference.faults import MAX_INSTRUCTIONS, OPERATIONS  # noqa: E402
from conformance.reference.launch import start_reference  # noqa: E402
from conformance.sdk import bench  # noqa: E402

USER = ("bench", "AKFAULTMEMORY0001", "fault-memory-secret")
BUCKETS = 3


def rss_mib(pid: int) -> float:
    """The resident set size of process `pid`, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def largest_script(bucket: str, size: int, serial: int) -> bytes:
    """A valid script document of exactly `size` bytes: distinct instructions (none shared with another
    script) up to the size or the instruction bound, then padding."""
    instructions: dict[str, list[str]] = {}
    used = 200  # the document's other fields
    number = serial * 10**7
    for operation in OPERATIONS:
        items = instructions.setdefault(operation, [])
        while len(items) < MAX_INSTRUCTIONS and used + 32 < size:
            number += 1
            items.append(f"cut-body-after-{number}B")
            used += len(items[-1]) + 4
    filled = {operation: items for operation, items in instructions.items() if items}
    document = {"bucket": bucket, "key_prefix": f"p{serial}/", "instructions": filled}
    body = json.dumps(document).encode()
    return body + b" " * (size - len(body))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scripts", type=int, default=300)
    parser.add_argument("--script-bytes", type=int, default=64 * 1024)
    args = parser.parse_args()
    per_bucket = -(-args.scripts // BUCKETS)
    extra = ["--faults", "--fault-script-max-bytes", str(args.script_bytes),
             "--fault-scripts-per-bucket", str(per_bucket), "--fault-scripts-total", str(args.scripts)]
    with start_reference(users=[USER], extra_args=extra) as process:
        pid = process.process.pid
        owner = JssClient(process.endpoints["cn-north-1"], Credentials(USER[1], USER[2]), timeout=120)
        buckets = [f"memory-{n}" for n in range(BUCKETS)]
        for name in buckets:
            ops.put_bucket(owner, name)
        rows = [("at rest", rss_mib(pid), "")]
        started = time.monotonic()
        for serial in range(args.scripts):
            body = largest_script(buckets[serial % BUCKETS], args.script_bytes, serial)
            response = bench.admin_request(owner, "POST", body=body)
            if response.status_code != 201:
                raise SystemExit(f"script {serial} refused: {response.status_code} {response.text[:200]}")
        rows.append((f"{args.scripts} scripts armed", rss_mib(pid), f"{time.monotonic() - started:.1f} s"))
        started, pages, largest, marker = time.monotonic(), 0, 0, None
        while True:
            response = owner.request("GET", bench.ADMIN_BUCKET, bench.ADMIN_KEY,
                                     query=[("marker", marker)] if marker else None)
            page = response.json()
            pages, largest = pages + 1, max(largest, len(response.content))
            if not page["truncated"]:
                break
            marker = page["next_marker"]
        read_back = f"{pages} pages, largest {largest / 1024:.0f} KiB, {time.monotonic() - started:.1f} s"
        rows.append(("read back", rss_mib(pid), read_back))
        deleted = owner.request("DELETE", bench.ADMIN_BUCKET, bench.ADMIN_KEY).json()["deleted"]
        time.sleep(1.0)
        rows.append((f"{deleted} deleted", rss_mib(pid), ""))
    print(f"fault scripts: {args.scripts} x {args.script_bytes} bytes")
    print(f"{'phase':<24} {'RSS MiB':>8}  note")
    for phase, rss, note in rows:
        print(f"{phase:<24} {rss:8.1f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
