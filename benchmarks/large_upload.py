"""The large family as a benchmark: one object (default 512 MiB) streamed in parts, a connection dropped in
the middle of a part, resumed from ListParts, completed and verified by a streamed hashed download
(conformance/cases/test_large.py), run through the suite's own command against each store asked for.

For each store (``--store``, repeatable: ``embedded``, the reference endpoint, default; ``moto``, through
``python -m conformance.stores run moto``) it prints the case's outcome, the wall time of the run, MiB/s
(object size over the case's own time, upload and download), the client's and the endpoint's peak RSS as the
case measured them (VmHWM, reset at its start; the endpoint's only for the embedded one), the server process
tree's peak RSS sampled here every 50 ms (psutil; for moto too), and the machine's load.

    python benchmarks/large_upload.py                          # 512 MiB, the reference endpoint
    python benchmarks/large_upload.py --store embedded --store moto --size 512MiB

Exit status: 0 when every case passed, 1 otherwise, 2 on bad options.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

import psutil

LINE = re.compile(r"large: \d.*$", re.MULTILINE)
SERVER_PATTERNS = {"embedded": "conformance.reference", "moto": "moto"}


class TreePeak:
    """The peak RSS of the descendants of `pid` whose command line contains `pattern`, sampled in a thread."""

    def __init__(self, pid: int, pattern: str, interval: float = 0.05) -> None:
        self.root, self.pattern, self.interval, self.peak = psutil.Process(pid), pattern, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        total = 0
        try:
            children = self.root.children(recursive=True)
        except psutil.NoSuchProcess:
            return 0
        for child in children:
            try:
                if self.pattern in " ".join(child.cmdline()):
                    total += child.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return total

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self._sample())

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


def command_for(store: str, size: str, part_size: str, results: str) -> list[str]:
    """The suite run of the large family against `store`."""
    run = ["--jss-family", "large", "--jss-large-size", size, "--jss-large-part-size", part_size,
           "--jss-results", results, "-p", "no:cacheprovider"]
    if store == "embedded":
        return [sys.executable, "-m", "conformance.cli", "run", *run]
    return [sys.executable, "-m", "conformance.stores", "run", store, *run]


def run_store(store: str, size: str, part_size: str, folder: str) -> tuple[int, str]:
    """Run the case against `store`; (exit status, the lines to print)."""
    results = os.path.join(folder, f"{store}.json")
    started = time.monotonic()
    process = subprocess.Popen(command_for(store, size, part_size, results), cwd=folder, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    with process, TreePeak(process.pid, SERVER_PATTERNS[store]) as server:
        output, _ = process.communicate()
    wall = time.monotonic() - started
    measured = LINE.findall(output)
    outcome = re.search(r"^PASS (\d+)\s+FAIL (\d+).*$", output, re.MULTILINE)
    lines = [
        f"[{store}] exit {process.returncode}; {outcome.group(0) if outcome else 'no summary'}",
        f"[{store}] wall time of the run {wall:.1f} s (endpoint start and stop included)",
        f"[{store}] {measured[0] if measured else 'the case printed no figures'}",
        f"[{store}] server process peak RSS sampled every 50 ms: {server.peak / 2**20:.1f} MiB",
    ]
    if process.returncode != 0:
        lines.append(f"[{store}] output tail:\n{output[-3000:]}")
    return process.returncode, "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", action="append", choices=sorted(SERVER_PATTERNS))
    parser.add_argument("--size", default="512MiB")
    parser.add_argument("--part-size", default="8MiB")
    args = parser.parse_args(argv)
    statuses = []
    with tempfile.TemporaryDirectory(prefix="jssc-large-bench-") as folder:
        for store in args.store or ["embedded"]:
            one, five, fifteen = os.getloadavg()
            print(f"load average before {store}: {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)")
            status, text = run_store(store, args.size, args.part_size, folder)
            print(text, flush=True)
            statuses.append(status)
    one, five, fifteen = os.getloadavg()
    print(f"load average after: {one:.2f} {five:.2f} {fifteen:.2f}")
    return 0 if all(status == 0 for status in statuses) else 1


if __name__ == "__main__":
    sys.exit(main())
