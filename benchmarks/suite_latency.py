"""Wall time of the full conformance suite against a far endpoint (issue 11): the reference endpoint behind a
loopback proxy adding 0, 20, 50 and 100 ms of round-trip time, for each run option, beside the critical path.

1. The reference endpoint starts once (two generated accounts, the embedded profile's buckets). For each added
   round-trip time, one latency proxy per region (``benchlib.latency_proxy``: a TCP delay line on 127.0.0.1,
   RTT/2 each way, one more RTT for a new connection's handshake) fronts it, and a target profile names the
   proxies, as a staging profile names its endpoint (credentials through environment variables).
2. One untimed recording run (serial, 0 ms, ``-p benchlib.recorder``) gives the chains of dependent
   requests: per case the longest sequence of requests each sent after the previous answer (setup and
   cleanup included), and the preflight's chain before the first case. Critical path at RTT = fixed start-up
   (that run's wall time minus its cases phase) + (preflight chain + longest case chain) x RTT: no scheduler
   of whole cases can beat it.
3. Timed runs: `jss-conformance run --jss-target PROFILE` per RTT and option, options alternating order
   per repeat. Every run must exit 0 (all as expected).

Prints a table (rows: added RTT; columns: each option's median wall time, the critical path, best/critical)
and PASS/MISS for the target: at 50 ms the best option is within 2x of the critical path. Exit 0 unless
--check is given and the target is missed, or a run fails (1); 2 on bad options.

    python benchmarks/suite_latency.py            # closing numbers: add --repeat 3 on a quiet machine
    python benchmarks/suite_latency.py --rtt 50 --option n8 --option w16 --repeat 3 --check
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from benchlib import recorder
from benchlib.chains import load_chains
from benchlib.far_target import FarTarget
from benchlib.report import Verdicts, machine_note, median
from benchlib.suite_runs import SuiteRun, run_suite

#: option name -> pytest arguments
OPTIONS = {
    "serial": (),
    "n2": ("-n", "2"),
    "n4": ("-n", "4"),
    "n8": ("-n", "8"),
    "n16": ("-n", "16"),
    "auto": ("-n", "auto"),
    "w8": ("--jss-workers", "8"),
    "w16": ("--jss-workers", "16"),
    "w32": ("--jss-workers", "32"),
    "wauto": ("--jss-workers", "auto"),
}
DEFAULT_OPTIONS = ("serial", "n2", "n8", "auto", "w16", "wauto")
DEFAULT_RTTS = (0, 20, 50, 100)
TARGET_RTT, TARGET_RATIO = 50, 2.0


def timed_run(
    far: FarTarget,
    rtt_ms: int,
    option: str,
    args: argparse.Namespace,
    plugins: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> SuiteRun:
    """One suite run through fresh proxies adding `rtt_ms`."""
    with far.profile(rtt_ms / 1000) as (path, _proxies):
        return run_suite(
            f"{option}@{rtt_ms}ms",
            "cli",
            1,
            args.timeout,
            {**far.env, **(env or {})},
            plugins=plugins,
            extra_args=(f"--jss-target={path}", *OPTIONS[option]),
        )


def failed(run: SuiteRun) -> bool:
    """A run that did not end as expected (exit status 0) is a broken measurement."""
    if run.exit_status == 0 and run.cases:
        return False
    print(
        f"suite run '{run.label}' exited {run.exit_status} with outcomes {dict(run.outcomes)}; output tail:\n"
        f"{run.output_tail}",
        file=sys.stderr,
    )
    return True


def print_table(args, walls: dict[tuple[int, str], list[float]], critical: dict[int, float]) -> Verdicts:
    """The table, and the verdict at TARGET_RTT."""
    verdicts = Verdicts()
    header = f"{'added RTT':>9} | " + " | ".join(f"{o:>7}" for o in args.option)
    print(header + f" | {'critical':>8} | best/critical")
    for rtt in args.rtt:
        cells = {o: median(walls[(rtt, o)]) for o in args.option}
        best = min(cells, key=cells.get)
        ratio = cells[best] / critical[rtt]
        print(
            f"{rtt:>6} ms | "
            + " | ".join(f"{cells[o]:6.2f}s" for o in args.option)
            + f" | {critical[rtt]:7.2f}s | {ratio:.2f}x ({best})"
        )
        if rtt == TARGET_RTT:
            verdict = verdicts.add(
                f"best option at {rtt} ms / critical path",
                f"{ratio:.2f}x ({best})",
                f"<= {TARGET_RATIO:g}x",
                ratio <= TARGET_RATIO,
            )
    if verdicts.results:
        print(verdict)
    else:
        print(f"  (no {TARGET_RTT} ms row: no target to check)")
    return verdicts


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rtt",
        type=int,
        action="append",
        metavar="MS",
        help=f"added round-trip time in ms (repeatable; default {' '.join(map(str, DEFAULT_RTTS))})",
    )
    parser.add_argument(
        "--option",
        action="append",
        choices=sorted(OPTIONS),
        help=f"run option (repeatable; default {' '.join(DEFAULT_OPTIONS)}): serial, n2 = -n 2, "
        "..., auto = -n auto, w8/w16/w32 = --jss-workers 8/16/32, wauto = --jss-workers auto",
    )
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per RTT and option (default 1)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per suite run (default 600)")
    parser.add_argument("--json", metavar="PATH", help="also write the measurements as JSON")
    parser.add_argument(
        "--check",
        action="store_true",
        help=f"exit 1 when at {TARGET_RTT} ms the best option is over {TARGET_RATIO:g}x the critical path",
    )
    args = parser.parse_args(argv)
    args.rtt = sorted(set(args.rtt or DEFAULT_RTTS))
    args.option = list(dict.fromkeys(args.option or DEFAULT_OPTIONS))
    if args.repeat < 1 or any(rtt < 0 or rtt > 1000 for rtt in args.rtt):
        parser.error("--repeat must be at least 1 and --rtt between 0 and 1000")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; see the module docstring for the exit status."""
    args = parse_args(argv)
    print(machine_note())
    directory = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    walls: dict[tuple[int, str], list[float]] = {(r, o): [] for r in args.rtt for o in args.option}
    try:
        with FarTarget(directory) as far:
            recording = directory / "recording"
            recording.mkdir()
            rec = timed_run(
                far,
                0,
                "serial",
                args,
                plugins=("benchlib.recorder",),
                env={
                    recorder.DIR_VARIABLE: str(recording),
                    recorder.ACCESS_KEY_VARIABLE: "unused",
                    recorder.SECRET_KEY_VARIABLE: "unused",
                    recorder.ALT_ACCESS_KEY_VARIABLE: "unused-alt",
                    recorder.ALT_SECRET_KEY_VARIABLE: "unused-alt",
                },  # the embedded endpoint's keys: not started here (a profile's target), so unused
            )
            if failed(rec) or not rec.phase_seconds():
                return 1
            chains = load_chains(recording)
            fixed = rec.seconds - rec.phase_seconds()["cases"]
            longest_case, longest = chains.longest
            print(
                f"recording (serial, 0 ms): {rec.cases} cases, {chains.requests} requests; longest chain "
                f"{longest} requests ({longest_case}); preflight chain {chains.before_cases}; fixed "
                f"start-up and end {fixed:.2f} s (wall {rec.seconds:.2f} s minus the cases phase)"
            )
            critical = {rtt: chains.critical_path(rtt / 1000, fixed) for rtt in args.rtt}
            for repeat in range(args.repeat):
                for rtt in args.rtt:
                    order = args.option if repeat % 2 == 0 else list(reversed(args.option))
                    for option in order:
                        run = timed_run(far, rtt, option, args)
                        if failed(run):
                            return 1
                        walls[(rtt, option)].append(run.seconds)
                        phases = run.phase_seconds()
                        split = ", ".join(f"{name} {value:.2f}" for name, value in phases.items())
                        print(
                            f"  {run.label:<14} {run.seconds:7.2f} s  CPU {run.cpu_seconds:6.2f} s ({split})",
                            flush=True,
                        )
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    print(f"\nsuite wall time (median of {args.repeat}), seconds:")
    verdicts = print_table(args, walls, critical)
    print(f"{machine_note()}\n{verdicts.summary()}")
    if args.json:
        document = {
            "walls": {f"{r}ms/{o}": v for (r, o), v in walls.items()},
            "critical_path": {f"{r}ms": v for r, v in critical.items()},
            "longest_chain": longest,
            "longest_case": longest_case,
            "preflight_chain": chains.before_cases,
            "fixed": fixed,
            "targets": verdicts.results,
        }
        Path(args.json).write_text(json.dumps(document, indent=2), encoding="utf-8")
    return 1 if args.check and not verdicts.all_passed else 0


if __name__ == "__main__":
    sys.exit(main())
