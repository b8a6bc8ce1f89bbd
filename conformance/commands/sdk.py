"""``jss-conformance sdk [--wire jss|s3] --driver "CMD"``: run the SDK scenarios of a wire with a driver.

The JSS wire (default) runs fixtures/sdk/scenarios.toml against the embedded endpoint
(fixtures/targets/embedded.toml); ``--wire s3`` runs fixtures/sdk/scenarios-s3.toml against the embedded
endpoint speaking S3 (fixtures/targets/embedded-s3.toml), and tells the driver ``"wire": "s3"``.
For each scenario the embedded reference endpoint (started once, with its fault route and recorder) is armed
with the scenario's faults, the driver (any program: one JSON scenario on stdin, one JSON result line on
stdout, see README "SDK gating") performs the steps with its SDK, and the suite judges the end state from the
server side. Reports and exit status as `jss-conformance run`: reports/results.json, reports/allure-results/,
0 every scenario as expected, 1 a failure, 2 usage error, 3 infrastructure. Arguments after the options go to
pytest (e.g. --jss-results PATH, --jss-known-deviations FILE).

``--jobs N`` runs N scenarios at once (default: min(4, the number of scenarios); 1: one after the other), each
in its own process forked after collection (``--jss-workers``), all against the one embedded endpoint. A
scenario is independent of the others: its own key (so its own fault script, bound to its listings too by
their prefix, and recorder lines), its own work folder and source file.

``--scenarios SET`` chooses a set: ``default`` (scenarios.toml), ``fault-matrix`` (fault-matrix.toml: every
fault class against every operation, ``fault.<operation>.<class>``), ``all``; ``--scenario ID`` adds one.
"""

from __future__ import annotations

import argparse

from conformance.paths import SDK_CASES_DIR, fixtures_dir

#: The embedded target profile of each wire (under fixtures/targets/).
WIRE_TARGETS = {"jss": "embedded.toml", "s3": "embedded-s3.toml"}
#: The most scenarios run at once when --jobs is not given (the drivers mostly wait on the endpoint).
AUTO_JOBS = 4


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sdk`` subcommand."""
    parser = subparsers.add_parser(
        "sdk", help="run the SDK scenarios through a driver program (SDK gating)", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--driver", required=True, metavar="CMD",
                        help="the driver command line (split like a shell line), e.g. 'node driver.js'")
    parser.add_argument("--wire", choices=sorted(WIRE_TARGETS), default="jss",
                        help="the wire the embedded endpoint speaks and the driver is told (default jss)")
    parser.add_argument("--scenario", action="append", default=[], metavar="ID",
                        help="run only this scenario (repeatable; default: all)")
    parser.add_argument("--scenarios", metavar="SET", default=None,
                        help="a set of scenarios: default (scenarios.toml), fault-matrix (fault-matrix.toml: "
                             "every fault class against every operation), all; with --scenario: both")
    parser.add_argument("--large", action="store_true", help="the large sizes (a 512 MiB object streamed)")
    parser.add_argument("--timeout", type=float, default=600.0, metavar="S",
                        help="how long one driver run may take (default 600 s)")
    parser.add_argument("--jobs", metavar="N", default=None,
                        help=f"scenarios run at once (default: min({AUTO_JOBS}, the number of scenarios); "
                             "1: one after the other)")
    parser.set_defaults(handler=run, pytest_args=[])


def jobs_count(value: str | None, scenarios: int) -> int:
    """The number of scenarios to run at once: `value` (a whole number >= 1) or, when not given,
    min(AUTO_JOBS, `scenarios`). Raises UsageError for anything else."""
    from conformance.cli import UsageError

    if value is None:
        return max(1, min(AUTO_JOBS, scenarios))
    if not value.strip().isdigit() or int(value) < 1:
        raise UsageError(f"--jobs takes a whole number of at least 1, not {value!r}")
    return int(value)


def main(argv: list[str]) -> int:
    """Entry point (cli.main hands over everything after ``sdk``): our options, the rest for pytest."""
    from conformance.cli import UsageError, build_parser
    from conformance.errorline import print_error

    parser = build_parser()
    args, rest = parser.parse_known_args(["sdk", *argv])
    args.pytest_args = rest
    try:
        return run(args)
    except UsageError as exc:
        return print_error(str(exc))


def run(args: argparse.Namespace) -> int:
    """Check the arguments, then hand over to `jss-conformance run` on the SDK cases."""
    from conformance.cli import UsageError
    from conformance.commands import run as run_command
    from conformance.sdk.fault_matrix import all_scenarios, scenario_set
    from conformance.sdk.scenarios import ScenarioError

    if not args.driver.strip():
        raise UsageError("--driver is empty")
    try:
        known = [scenario.id for scenario in all_scenarios(args.wire)]
        in_set = scenario_set(args.scenarios, args.wire) if args.scenarios else []
    except ScenarioError as exc:
        raise UsageError(str(exc)) from None
    unknown = [name for name in args.scenario if name not in known]
    if unknown:
        raise UsageError(f"unknown scenario {unknown[0]!r} (known: {', '.join(known)})")
    args.scenario = list(dict.fromkeys([*in_set, *args.scenario]))
    jobs = jobs_count(args.jobs, len(args.scenario) or len(scenario_set("default", args.wire)))
    # The scenarios are chosen by --jss-sdk-scenario, never by node id: pytest's rootdir (and so the case ids)
    # is the folder of the paths given, so naming one case's file would drop the file name from every id.
    paths = [str(SDK_CASES_DIR)]
    chosen = [f"--jss-sdk-scenario={name}" for name in args.scenario]
    target = ["--jss-embedded"] if args.wire == "jss" else [
        f"--jss-target={fixtures_dir() / 'targets' / WIRE_TARGETS[args.wire]}"]
    options = [f"--jss-sdk-driver={args.driver}", f"--jss-sdk-timeout={args.timeout}",
               f"--jss-sdk-wire={args.wire}", *chosen, *target]
    if args.large:
        options.append("--jss-sdk-large")
    if jobs > 1:
        options.append(f"--jss-workers={jobs}")
    return run_command.main([*paths, *options, *args.pytest_args])
