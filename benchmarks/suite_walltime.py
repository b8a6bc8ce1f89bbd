"""Wall time of the full conformance suite against the embedded endpoint, serial and with -n 2, and the
harness overhead against a plain `requests` loop making the same HTTP calls.

1. One untimed recording run (serial, `-p benchlib.recorder`) writes every HTTP request the run sends.
2. Timed runs of the whole suite in subprocesses (`jss-conformance run`, or `python -m pytest` with
   --runner pytest), serial and with -n WORKERS, alternating, --repeat times; each in a temporary working
   directory with its own results.json (its reports go away with it). Wall time = process start to exit.
3. Timed replays of the recording with a plain requests.Session loop (re-signed with conformance.signing)
   against a fresh reference endpoint each time; the endpoint's start-up is timed apart from the loop.

Prints medians: suite wall time serial and -n WORKERS, cases per second, where a serial run spends its time
(startup, session start with the embedded endpoint, collection, cases, end), the replay loop time, and the
overhead ratios. Targets (issue 4): full suite < 10 s with -n 2, overhead <= 1.3x, shown as PASS/MISS.
Exit status 0 unless --check is given and a target is missed, or a suite run fails (1); 2 on bad options.

    python benchmarks/suite_walltime.py
    python benchmarks/suite_walltime.py --repeat 5 --runner pytest --check
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchlib import recorder
from benchlib.replay import ReplayResult, load_recording, replay
from benchlib.report import Verdicts, machine_note, median
from benchlib.suite_runs import SuiteRun, bytecode_cache_env, run_suite

WALL_TARGET = 10.0
OVERHEAD_TARGET = 1.3


@dataclass(frozen=True)
class Accounts:
    """The credentials the benchmark fixes for the embedded endpoint's two accounts (never written)."""

    access_key: str
    secret_key: str
    alt_access_key: str
    alt_secret_key: str

    @classmethod
    def generate(cls) -> Accounts:
        """Two random accounts."""
        return cls("JSSC" + secrets.token_hex(8).upper(), secrets.token_urlsafe(30),
                   "JSSC" + secrets.token_hex(8).upper(), secrets.token_urlsafe(30))

    def users(self) -> list[tuple[str, str, str]]:
        """(name, access key, secret) of both accounts, as the embedded endpoint has them."""
        from conformance.harness.embedded import ALT_USER, SUITE_USER

        return [(SUITE_USER, self.access_key, self.secret_key),
                (ALT_USER, self.alt_access_key, self.alt_secret_key)]


def record_run(args: argparse.Namespace, directory: Path, accounts: Accounts,
               suite_env: dict[str, str | None]) -> SuiteRun:
    """The untimed recording run (it also fills the bytecode cache of --bytecode-cache)."""
    env = {**suite_env, recorder.DIR_VARIABLE: str(directory),
           recorder.ACCESS_KEY_VARIABLE: accounts.access_key,
           recorder.SECRET_KEY_VARIABLE: accounts.secret_key,
           recorder.ALT_ACCESS_KEY_VARIABLE: accounts.alt_access_key,
           recorder.ALT_SECRET_KEY_VARIABLE: accounts.alt_secret_key}
    return run_suite("recording", args.runner, 1, args.timeout, env, plugins=("benchlib.recorder",))


def timed_replay(directory: Path, accounts: Accounts) -> tuple[float, ReplayResult]:
    """Start a fresh reference endpoint like the embedded one, replay the recording; (start-up s, result)."""
    from conformance.reference.launch import start_reference

    recording = load_recording(directory)
    users = accounts.users()
    started = time.perf_counter()
    with start_reference(
        regions=tuple(recording.endpoints), users=users,
        deviations=tuple(recording.deviations), min_part_size=recording.min_part_size,
    ) as reference:
        startup = time.perf_counter() - started
        secrets_by_key = {access_key: secret for _, access_key, secret in users}
        return startup, replay(recording, reference.endpoints, secrets_by_key, reference.pid)


def describe_failure(run: SuiteRun) -> str:
    """A few lines about a suite run that did not pass."""
    return (f"suite run '{run.label}' exited {run.exit_status} with outcomes {dict(run.outcomes)}; "
            f"output tail:\n{run.output_tail}")


FIXED_PHASES = ("startup", "session start", "collection", "end")


def print_remainder(phases: list[dict[str, float]], loop: float, cases: int) -> None:
    """What a serial run spends beyond the plain loop, and where: the fixed cost (the phases around the
    cases) and the cases phase's excess over the loop (the harness's work per case)."""
    fixed = {name: median([p[name] for p in phases]) for name in FIXED_PHASES}
    fixed_total = sum(fixed.values())
    excess = median([p["cases"] for p in phases]) - loop
    print(f"  beyond the loop, a serial run spends {fixed_total + excess:.2f} s: "
          f"fixed cost {fixed_total:.2f} s ("
          + ", ".join(f"{name} {seconds:.2f}" for name, seconds in fixed.items())
          + f"), and {excess:.2f} s more in the cases phase than the loop takes "
          f"({1000 * excess / cases:.1f} ms per case: fixtures, tracking and cleanup, reports, pytest)")
    print(f"  fixed cost / loop: {fixed_total / loop:.2f}; the ratio without any fixed cost would be "
          f"{(loop + excess) / loop:.2f}x, with the fixed cost and no per-case excess "
          f"{(loop + fixed_total) / loop:.2f}x")


def print_report(
    args: argparse.Namespace,
    serial: list[SuiteRun],
    parallel: list[SuiteRun],
    replays: list[tuple[float, ReplayResult]],
    recorded_requests: int,
    body_bytes: int,
) -> Verdicts:
    """The lines of the report, and the verdicts."""
    verdicts = Verdicts()
    cases = serial[0].cases
    serial_wall = median([run.seconds for run in serial])
    parallel_wall = median([run.seconds for run in parallel])
    loop = median([result.seconds for _, result in replays])
    endpoint_start = median([startup for startup, _ in replays])
    print(f"suite: {cases} cases, runner '{args.runner}', {len(serial)} timed run(s) each, medians")
    print(f"  serial        {serial_wall:6.2f} s   {cases / serial_wall:6.1f} cases/s   runs: "
          + ", ".join(f"{run.seconds:.2f}" for run in serial))
    print(f"  -n {args.workers:<10} {parallel_wall:6.2f} s   {cases / parallel_wall:6.1f} cases/s   runs: "
          + ", ".join(f"{run.seconds:.2f}" for run in parallel))
    phases = [run.phase_seconds() for run in serial if run.phase_seconds()]
    if phases:
        names = list(phases[0])
        print("  serial run, where the time goes: "
              + ", ".join(f"{name} {median([p[name] for p in phases]):.2f} s" for name in names))
    last = replays[-1][1]
    print(f"replay: {recorded_requests} HTTP requests ({body_bytes / 1e6:.1f} MB of bodies), "
          f"{last.resigned} re-signed, statuses matching the recording {last.matching_status}/{last.count}")
    for mismatch in last.mismatches:
        print(f"  status differs: {mismatch}")
    print(f"  plain requests loop {loop:6.2f} s   (runs: "
          + ", ".join(f"{result.seconds:.2f}" for _, result in replays)
          + f"); a fresh endpoint's start-up, not in the loop: {endpoint_start:.2f} s")
    serial_cpu = median([run.cpu_seconds for run in serial])
    parallel_cpu = median([run.cpu_seconds for run in parallel])
    loop_cpu = median([result.client_cpu + result.endpoint_cpu for _, result in replays])
    print(f"  CPU seconds (user+sys, client and endpoint processes): serial suite {serial_cpu:.2f}, "
          f"-n {args.workers} suite {parallel_cpu:.2f}, loop {loop_cpu:.2f} "
          f"(client {median([r.client_cpu for _, r in replays]):.2f}); "
          f"serial suite / loop: {serial_cpu / loop_cpu:.2f}x")
    overhead = serial_wall / loop
    print(f"  overhead, serial suite wall time / loop: {overhead:.2f}x")
    print(f"  (serial suite / (endpoint start-up + loop): {serial_wall / (endpoint_start + loop):.2f}x")
    if phases:
        cases_phase = median([p["cases"] for p in phases])
        print(f"   cases phase only / loop: {cases_phase / loop:.2f}x;"
              f" -n {args.workers} wall / loop: {parallel_wall / loop:.2f}x)")
        print_remainder(phases, loop, cases)
    else:
        print(f"   -n {args.workers} wall / loop: {parallel_wall / loop:.2f}x)")
    print(verdicts.add(f"full suite wall time with -n {args.workers}", f"{parallel_wall:.2f} s",
                       f"< {WALL_TARGET:g} s", parallel_wall < WALL_TARGET))
    print(verdicts.add("harness overhead (serial suite wall time / plain loop)", f"{overhead:.2f}x",
                       f"<= {OVERHEAD_TARGET:g}x", overhead <= OVERHEAD_TARGET))
    if last.matching_status != last.count:
        print("  note: the replay did not reproduce every status, so it did not make exactly the same calls")
    return verdicts


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each kind (default 3)")
    parser.add_argument("--workers", type=int, default=2,
                        help="xdist workers of the parallel run (default 2)")
    parser.add_argument("--runner", choices=("cli", "pytest"), default="cli",
                        help="'cli': jss-conformance run (the quick start, with Allure results); "
                             "'pytest': python -m pytest conformance/cases (default cli)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per suite run (default 300)")
    parser.add_argument("--bytecode-cache", action="store_true",
                        help="time the suite runs with a bytecode cache (in a temporary folder, filled by "
                             "the untimed recording run), even when PYTHONDONTWRITEBYTECODE is set here")
    parser.add_argument("--json", metavar="PATH", help="also write the measurements as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.workers < 2:
        parser.error("--repeat must be at least 1 and --workers at least 2")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; see the module docstring for the exit status."""
    args = parse_args(argv)
    print(machine_note())
    directory = Path(tempfile.mkdtemp(prefix="bench-suite-recording-"))
    suite_env: dict[str, str | None] = {}
    if args.bytecode_cache:
        suite_env = bytecode_cache_env(directory / "pycache")
        print("suite runs with a bytecode cache (a temporary PYTHONPYCACHEPREFIX, filled by the recording "
              "run)")
    elif os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("note: PYTHONDONTWRITEBYTECODE is set, so every suite run compiles its modules from source "
              "(no .pyc cache); startup and collection are slower than on a usual machine "
              "(--bytecode-cache measures with one)")
    accounts = Accounts.generate()
    try:
        recording_run = record_run(args, directory, accounts, suite_env)
        if not recording_run.all_passed or not (directory / "meta.json").exists():
            print(describe_failure(recording_run), file=sys.stderr)
            return 1
        serial: list[SuiteRun] = []
        parallel: list[SuiteRun] = []
        replays: list[tuple[float, ReplayResult]] = []
        for repeat in range(args.repeat):
            kinds = [("serial", 1, serial), (f"-n {args.workers}", args.workers, parallel)]
            for label, workers, runs in kinds if repeat % 2 == 0 else reversed(kinds):
                run = run_suite(label, args.runner, workers, args.timeout, suite_env)
                if not run.all_passed:
                    print(describe_failure(run), file=sys.stderr)
                    return 1
                runs.append(run)
            replays.append(timed_replay(directory, accounts))
        recording = load_recording(directory)
        count, body_bytes = len(recording.requests), recording.body_bytes
        verdicts = print_report(args, serial, parallel, replays, count, body_bytes)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    print(f"\n{machine_note()}\n{verdicts.summary()}")
    if args.json:
        document = {"serial": [run.summary() for run in serial],
                    "parallel": [run.summary() for run in parallel],
                    "replays": [{"endpoint_start": s, **asdict(r)} for s, r in replays],
                    "targets": verdicts.results}
        Path(args.json).write_text(json.dumps(document, indent=2), encoding="utf-8")
    return 1 if args.check and not verdicts.all_passed else 0


if __name__ == "__main__":
    sys.exit(main())
