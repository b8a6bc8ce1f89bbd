"""A run stopped by a signal against a far endpoint, every report side by side (issue 20): does each one tell
the same truth?

For each signal (``--signal``, default SIGTERM and SIGINT) and worker count (``--workers``, default 0 =
serial and 4 = ``--jss-workers 4``): the reference endpoint behind a latency proxy (``benchlib.far_target``,
``--rtt`` ms added), a fresh folder holding an earlier run's green results.json, ``jss-conformance run
--target PROFILE --junitxml=junit.xml`` started, the signal sent ``--delay`` seconds later, then read: the
exit status, pytest's summary line, the jss-conformance counts line, results.json (status, reason, counts per
outcome), JUnit's testcases and the Allure result files' statuses, and what is left under the run's prefix.

Prints one block per run and a verdict per run: the reports agree (pytest's passed = PASS = JUnit passed =
Allure passed; pytest's INTERRUPTED = INTERRUPTED = JUnit skips saying INTERRUPTED = Allure not passed),
results.json is the run's own and says which signal, the exit status is the documented one (2 SIGINT,
143 SIGTERM, 129 SIGHUP), nothing is left. Exit 0 unless --check is given and a verdict fails (1).

    python benchmarks/signal_stop.py
    python benchmarks/signal_stop.py --signal SIGHUP --workers 4 --delay 6 --check
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

from benchlib.far_target import FarTarget

from conformance import operations as ops
from conformance.client import JssClient
from conformance.report.results import case_record, run_info, write_results

EXIT_STATUS = {"SIGINT": 2, "SIGTERM": 143, "SIGHUP": 129}
RUN_WAIT = 300


def _pytest_line(output: str) -> str:
    lines = [line.strip("= ") for line in output.splitlines() if re.match(r"^=+ .* in [\d.]+s", line)]
    return lines[-1] if lines else "(none)"


def _jss_line(output: str) -> str:
    return next((line for line in output.splitlines() if line.startswith("PASS ")), "(none)")


def _junit(path: Path) -> Counter:
    kinds: Counter = Counter()
    if path.exists():
        for case in ElementTree.parse(path).getroot().iter("testcase"):
            child = next((c for c in case if c.tag in ("failure", "error", "skipped")), None)
            word = "" if child is None else (child.get("message") or "").split(":", 1)[0]
            kinds["passed" if child is None else f"{child.tag}:{word}"] += 1
    return kinds


def _allure(folder: Path) -> Counter:
    return Counter(json.loads(p.read_text(encoding="utf-8"))["status"] for p in folder.glob("*-result.json"))


def _leftovers(far: FarTarget, prefix: str | None) -> int:
    found = 0
    for name, region in far.buckets if prefix else ():
        client = JssClient(far.reference.endpoints[region], far.credentials, timeout=10)
        try:
            found += len(ops.list_uploads(client, name, prefix=prefix).uploads)
            found += len(ops.list_objects(client, name, prefix=prefix, max_keys=1000).entries)
        finally:
            client.close()
    return found


def measure(far: FarTarget, profile: Path, name: str, workers: int, delay: float) -> tuple[str, bool]:
    """One signalled run: its block of lines and whether every report agrees."""
    work = Path(tempfile.mkdtemp(prefix="signal-stop-"))
    try:
        old_run = run_info(target="old", endpoint="", dialect="jss", regions=[], started=0.0, finished=1.0)
        old_cases = [case_record("old", [], "PASS", 1, "")]
        old = write_results(work / "reports" / "results.json", old_run, old_cases)
        old_text = old.read_text(encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("JSS_")} | far.env
        command = [sys.executable, "-m", "conformance.cli", "run", "--target", str(profile), "-p",
                   "no:cacheprovider", "--junitxml=junit.xml"]
        command += ["--jss-workers", str(workers)] if workers else []
        run = subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
        time.sleep(delay)
        sent = time.monotonic()
        run.send_signal(getattr(signal, name))
        output, _ = run.communicate(timeout=RUN_WAIT)
        ended = time.monotonic() - sent
        text = old.read_text(encoding="utf-8")
        document = json.loads(text)
        counts = Counter(case["outcome"] for case in document["cases"])
        junit, allure = _junit(work / "junit.xml"), _allure(work / "reports" / "allure-results")
        prefix = re.search(r"run prefix (jssc-\S+?/)", output)
        left = _leftovers(far, prefix.group(1) if prefix else None)
        said = {word: int(n) for n, word in re.findall(r"(\d+) (passed|INTERRUPTED)", _pytest_line(output))}
        agree = (
            text != old_text and document["run"]["status"] == "interrupted"
            and document["run"]["reason"] == f"interrupted by {name}" and run.returncode == EXIT_STATUS[name]
            and set(counts) <= {"PASS", "INTERRUPTED"} and left == 0
            and said.get("passed", 0) == counts["PASS"] == junit["passed"] == allure["passed"]
            and said.get("INTERRUPTED", 0) == counts["INTERRUPTED"] == junit["skipped:INTERRUPTED"]
            == sum(allure.values()) - allure["passed"]
        )
        lines = [
            f"{name}, {'serial' if not workers else f'--jss-workers {workers}'}: signal after {delay:g} s, "
            f"exit {run.returncode} {ended:.1f} s later",
            f"  pytest:        {_pytest_line(output)}",
            f"  jss summary:   {_jss_line(output)}",
            f"  results.json:  {document['run']['status']} ({document['run']['reason']}), {dict(counts)}",
            f"  JUnit:         {dict(junit)}",
            f"  Allure:        {dict(allure)}",
            f"  left under the run prefix: {left}; reports agree: {'YES' if agree else 'NO'}",
        ]
        return "\n".join(lines), agree
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the measurements, print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signal", action="append", choices=sorted(EXIT_STATUS), dest="signals")
    parser.add_argument("--workers", action="append", type=int, help="0: serial (default: 0 and 4)")
    parser.add_argument("--rtt", type=float, default=50.0, help="added round-trip time in ms (default 50)")
    parser.add_argument("--delay", type=float, default=8.0, help="seconds before the signal (default 8)")
    parser.add_argument("--check", action="store_true", help="exit 1 when the reports of a run disagree")
    args = parser.parse_args(argv)
    verdicts = []
    directory = Path(tempfile.mkdtemp(prefix="signal-stop-far-"))
    try:
        with FarTarget(directory) as far, far.profile(args.rtt / 1000) as (profile, _proxies):
            for name in args.signals or ["SIGTERM", "SIGINT"]:
                for workers in args.workers if args.workers is not None else [0, 4]:
                    block, agree = measure(far, profile, name, workers, args.delay)
                    print(block, flush=True)
                    verdicts.append(agree)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return 1 if args.check and not all(verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
