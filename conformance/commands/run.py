"""``jss-conformance run [--target PROFILE.toml] [pytest args...]``: run the conformance cases.

Everything after ``run`` except ``--target`` goes to pytest (``-n 2``, ``-k``, ``--jss-family signature``,
...). Without test paths the whole suite (conformance/cases) runs. Reports go to ``reports/`` under the
current folder: ``reports/results.json`` and ``reports/allure-results/`` (cleaned first; pass your own
``--alluredir`` to keep results elsewhere). Exit status: 0 all as expected, 1 a conformance failure,
2 usage or configuration error (one line), 3 the endpoint could not be reached or infrastructure failed.

Stopped by a signal, the run still cleans up (the case in flight INTERRUPTED, its uploads aborted and objects
deleted, the run folder swept) and writes its reports saying which signal stopped it; then it exits with
2 after SIGINT (Ctrl-C, ``kill -INT``; also when started in the background with SIGINT ignored),
143 after SIGTERM (a CI timeout or cancel, ``kill``), 129 after SIGHUP (its terminal closed; not under
``nohup``).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
from pathlib import Path

from conformance.errorline import print_error
from conformance.harness.signals import STOP_SIGNALS, exit_status, hold_early, release_early
from conformance.paths import CASES_DIR, fixtures_override_problem
from conformance.target import ProfileError, resolve_target

DEFAULT_ALLURE_DIR = Path("reports") / "allure-results"
PROG = "jss-conformance run"

#: pytest's exit statuses -> ours (DESIGN §3); a stop signal's own (conformance.harness.signals) passes.
EXIT_MAP = {0: 0, 1: 1, 2: 2, 3: 3, 4: 2, 5: 2}
EXIT_MAP |= {exit_status(name): exit_status(name) for name in STOP_SIGNALS}
NO_TESTS = 5
#: Installed pytest plugins the cases never use: plugin name -> (its module, a word that mentions it in the
#: arguments). anyio comes with our dependencies (uvicorn -> anyio); hypothesis with the `test` extra (its
#: terminal summary imports all of hypothesis, about 0.8 s at the end of every run).
UNUSED_PLUGINS = {"anyio": ("anyio", "anyio"), "hypothesispytest": ("_hypothesis_pytestplugin", "hypothesis")}


def register(subparsers: argparse._SubParsersAction) -> None:
    """The `run` subcommand (cli.main hands its arguments to :func:`main` unparsed; this is for --help)."""
    parser = subparsers.add_parser(
        "run",
        help="run the conformance cases (pytest arguments pass through)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--target", metavar="PROFILE.toml", help="target profile; default: embedded endpoint")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="arguments for pytest")
    parser.set_defaults(
        handler=lambda args: main(
            ([f"--target={args.target}"] if args.target else []) + list(args.pytest_args)
        )
    )


def _usage(message: str) -> int:
    return print_error(message)


def _option_value(args: list[str], name: str) -> str | None:
    """The value of ``NAME X`` / ``NAME=X`` in `args` (the last one), or None."""
    value = None
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
    return value


def _stopped_at_setup(message: str, target_path: str | None, pytest_args: list[str]) -> int:
    """The run stops before pytest starts: results.json and the Allure folder say so (never the previous
    run's files); then the one error line, exit status 2."""
    from conformance.harness.ending import stopped_at_setup
    from conformance.harness.options import DEFAULT_RESULTS
    from conformance.harness.reporting import write_run_reports
    from conformance.harness.state import HarnessState

    state = HarnessState(wanted=True, ending=stopped_at_setup(message))
    state.results_path = Path(_option_value(pytest_args, "--jss-results") or DEFAULT_RESULTS)
    directory = None
    if not _has_option(pytest_args, "--alluredir") and "no:allure_pytest" not in pytest_args:
        shutil.rmtree(DEFAULT_ALLURE_DIR, ignore_errors=True)
        directory = DEFAULT_ALLURE_DIR
    name = Path(target_path).stem if target_path else "(none)"
    try:
        deviations = _option_values(pytest_args, "--jss-deviate")
        write_run_reports(state, directory, target_name=name or "(none)", deviations=deviations)
    except OSError as exc:
        message = f"{message} (and the reports could not be written: {exc})"
    return _usage(message)


def _split_target(argv: list[str]) -> tuple[str | None, list[str]]:
    """Take ``--target X`` / ``--target=X`` out of `argv` (before a ``--``)."""
    target, rest, index = None, [], 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            rest += argv[index:]
            break
        if arg == "--target":
            if index + 1 >= len(argv):
                raise ProfileError("--target needs a profile path")
            target, index = argv[index + 1], index + 2
            continue
        if arg.startswith("--target="):
            target = arg.split("=", 1)[1]
        else:
            rest.append(arg)
        index += 1
    return target, rest


#: Options whose value is the next argument (that value is not a test path, even when such a file exists).
VALUE_OPTIONS = frozenset({
    "-k", "-m", "-n", "-p", "--alluredir", "--jss-target", "--jss-deviate", "--jss-family", "--jss-clause",
    "--jss-operation", "--jss-results", "--jss-timeout", "--jss-max-infra-errors", "--jss-known-deviations",
})


def _names_tests(args: list[str]) -> bool:
    """True when the pytest arguments name test paths or node ids of their own."""
    for index, arg in enumerate(args):
        if arg.startswith("-") or (index and args[index - 1] in VALUE_OPTIONS):
            continue
        if "::" in arg or arg.endswith(".py") or Path(arg.split("::", 1)[0]).exists():
            return True
    return False


def _has_option(args: list[str], name: str) -> bool:
    return any(arg == name or arg.startswith(name + "=") for arg in args)


def _unused_plugins(args: list[str]) -> list[str]:
    """``-p no:NAME`` for installed pytest plugins the cases never use (their import costs start-up time, in
    every xdist worker too), unless the arguments mention them."""
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return []
    blocked = []
    for name, (module, word) in UNUSED_PLUGINS.items():
        if importlib.util.find_spec(module) is not None and not any(word in arg for arg in args):
            blocked += ["-p", f"no:{name}"]
    return blocked


def _installed_layout_options(args: list[str]) -> list[str]:
    """``--rootdir`` for a run whose cases live outside the current folder (an installed wheel): pytest's
    rootdir, and so its cache, is the current folder rather than the common ancestor of it and
    site-packages."""
    if _has_option(args, "--rootdir") or CASES_DIR.resolve().is_relative_to(Path.cwd().resolve()):
        return []
    return [f"--rootdir={Path.cwd()}"]


#: Options after which pytest shows information and runs no case: no endpoint to prestart.
INFORMATION_OPTIONS = frozenset({
    "-h", "--help", "--version", "-V", "--fixtures", "--funcargs", "--fixtures-per-test", "--markers",
    "--co", "--collect-only", "--collectonly",
})


def _option_values(args: list[str], name: str) -> list[str]:
    """Every value of ``NAME X`` / ``NAME=X`` in `args`, in order."""
    values = []
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            values.append(args[index + 1])
        elif arg.startswith(name + "="):
            values.append(arg.split("=", 1)[1])
    return values


def _prestart(target, args: list[str]) -> None:
    """Spawn the embedded endpoint now, so that its start-up overlaps pytest's and the plugins' imports;
    the plugin takes it at session start if it asks for the same endpoint (else it is stopped, see
    conformance.harness.embedded). Nothing for a profile's own endpoint, the SDK scenarios, or a run that
    shows information only."""
    if target is None or not target.embedded:
        return
    if any(arg in INFORMATION_OPTIONS for arg in args) or _has_option(args, "--jss-sdk-driver"):
        return
    from conformance.harness.embedded import prestart_embedded

    try:
        prestart_embedded(target, _option_values(args, "--jss-deviate"))
    except (ProfileError, OSError):
        return  # the plugin reports it, or starts its own


def _print_help() -> None:
    print(__doc__.strip())
    print("\nusage: jss-conformance run [--target PROFILE.toml] [pytest args...]")
    print("the plugin's options: python -m pytest --help (section 'JSS conformance suite')")


def main(argv: list[str]) -> int:
    """Run pytest on the cases with the plugin; return our exit status (a stop signal that came before the
    run could take it over: that signal's)."""
    hold_early()
    try:
        status = _main(argv)
    finally:
        untaken = release_early()
    if untaken is not None and untaken.received:
        return exit_status(untaken.signal_name)
    return status


def _main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        _print_help()
        return 0
    target_path, pytest_args, target = None, list(argv), None
    try:
        target_path, pytest_args = _split_target(list(argv))
        problem = fixtures_override_problem()
        if problem:
            raise ProfileError(problem)
        if target_path and _has_option(pytest_args, "--jss-target"):
            raise ProfileError("give the target once: --target or --jss-target, not both")
        # Validate the profile before pytest starts, so a bad one is one line and exit status 2.
        if not _has_option(pytest_args, "--jss-target") and "--jss-embedded" not in pytest_args:
            target = resolve_target(target_path, os.environ)
    except ProfileError as exc:
        return _stopped_at_setup(str(exc), target_path, pytest_args)
    from conformance.harness.embedded import discard_prestarted

    try:
        _prestart(target, pytest_args)
        return _run_pytest(target_path, pytest_args)
    finally:
        discard_prestarted()


def _run_pytest(target_path: str | None, pytest_args: list[str]) -> int:
    """pytest.main on the cases with our options; our exit status."""
    args = list(pytest_args)
    if target_path:
        args = [f"--jss-target={target_path}", *args]
    if not _names_tests(args):
        args.append(str(CASES_DIR))
    args = _installed_layout_options(args) + args
    if not _has_option(args, "--alluredir") and "no:allure_pytest" not in args:
        shutil.rmtree(DEFAULT_ALLURE_DIR, ignore_errors=True)
        args.append(f"--alluredir={DEFAULT_ALLURE_DIR}")
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        args = ["-p", "conformance.plugin", "-p", "xdist.plugin", "-p", "allure_pytest.plugin", *args]
    args = _unused_plugins(args) + args

    import pytest

    from conformance.harness.usage import OneLineParseErrors

    status = int(pytest.main(args, plugins=[OneLineParseErrors()]))
    if status == NO_TESTS:
        return _usage(
            "no conformance case was collected or selected (check the paths, -k and --jss-* filters)"
        )
    return EXIT_MAP.get(status, 3)
