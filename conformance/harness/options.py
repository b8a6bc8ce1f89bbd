"""The plugin's command-line options, and whether a run needs a target at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.paths import CASES_DIR, SDK_CASES_DIR

DEFAULT_RESULTS = Path("reports") / "results.json"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_INFRA_ERRORS = 5


def add_options(parser: pytest.Parser) -> None:
    """Register the --jss-* options."""
    group = parser.getgroup("jss-conformance", "JSS conformance suite")
    group.addoption(
        "--jss-target",
        metavar="PROFILE.toml",
        default=None,
        help="target profile (TOML). Without it (and without JSS_ENDPOINT) the embedded reference endpoint "
        "is started for the run.",
    )
    group.addoption(
        "--jss-embedded",
        action="store_true",
        default=False,
        help="run against the embedded reference endpoint (ignoring JSS_* variables), also when the "
        "arguments do not name conformance/cases.",
    )
    group.addoption(
        "--jss-deviate",
        metavar="NAME",
        action="append",
        default=[],
        help="switch on a named deviation of the embedded reference endpoint (a negative control; "
        "repeatable).",
    )
    group.addoption(
        "--jss-family",
        metavar="NAME",
        action="append",
        default=[],
        help="run only the cases checking a clause of this family (repeatable), e.g. signature, "
        "region-limit.",
    )
    group.addoption(
        "--jss-clause",
        metavar="PREFIX",
        action="append",
        default=[],
        help="run only the cases checking a clause whose id starts with PREFIX (repeatable), e.g. initiate.",
    )
    group.addoption(
        "--jss-operation",
        metavar="NAME",
        action="append",
        default=[],
        help="run only the cases checking a clause of this operation (repeatable), e.g. ListParts.",
    )
    group.addoption(
        "--jss-results",
        metavar="PATH",
        default=None,
        help=f"where to write results.json (default {DEFAULT_RESULTS} when conformance cases run).",
    )
    group.addoption(
        "--jss-known-deviations",
        metavar="FILE.toml",
        default=None,
        help="the target's known deviations (expected non-PASS outcomes with reasons; default: the profile's "
        "known_deviations). With one, every outcome other than the expected one fails the run.",
    )
    group.addoption(
        "--jss-allow-draft",
        "--allow-draft",
        action="store_true",
        default=False,
        help="run with a known-deviations file that still holds draft reasons (draft = true, written by "
        "`jss-conformance expectations update`); without it such a file is a usage error (exit status 2).",
    )
    group.addoption(
        "--jss-strict",
        action="store_true",
        default=False,
        help="NON_STRICT outcomes fail the run (exit status 1).",
    )
    group.addoption(
        "--jss-timeout",
        metavar="SECONDS",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"HTTP timeout per request (default {DEFAULT_TIMEOUT:g}); a timeout is INFRA_ERROR (never "
        "retried).",
    )
    group.addoption(
        "--jss-max-infra-errors",
        metavar="N",
        type=int,
        default=DEFAULT_MAX_INFRA_ERRORS,
        help=f"stop the run after N INFRA_ERROR outcomes (default {DEFAULT_MAX_INFRA_ERRORS}; 0: never), "
        "so that an endpoint lost in the middle of a run does not give a hundred of them.",
    )
    group.addoption(
        "--jss-workers",
        metavar="N|auto",
        default=None,
        help="run the cases in N processes forked after collection (POSIX; for far targets: no start-up "
        "per worker, unlike xdist's -n); auto: 16 when the target is 10 ms or more away, else one per core.",
    )
    group.addoption(
        "--jss-keep",
        action="store_true",
        default=False,
        help="do not abort uploads or delete objects after each case (for debugging; remove them later with "
        "`jss-conformance sweep`).",
    )


def add_sdk_options(parser: pytest.Parser) -> None:
    """The --jss-sdk-* options of the SDK scenarios (``jss-conformance sdk`` sets them)."""
    group = parser.getgroup("jss-conformance-sdk", "JSS conformance: SDK scenarios")
    group.addoption("--jss-sdk-driver", metavar="CMD", default=None,
                    help="the driver command run for each SDK scenario (JSON scenario on stdin).")
    group.addoption("--jss-sdk-record", metavar="FILE", default=None,
                    help="where the reference endpoint records the requests (set by `jss-conformance sdk`).")
    group.addoption("--jss-sdk-large", action="store_true", default=False,
                    help="use the scenarios' large sizes (512 MiB streamed object).")
    group.addoption("--jss-sdk-timeout", metavar="SECONDS", type=float, default=600.0,
                    help="how long one driver run may take (default 600).")
    group.addoption("--jss-sdk-scenario", metavar="ID", action="append", default=[],
                    help="run only this SDK scenario (repeatable; the case ids stay those of a whole run).")
    group.addoption("--jss-sdk-wire", choices=("jss", "s3"), default="jss",
                    help="the wire the SDK scenarios run on (the target's dialect must be it; default jss).")


def _under_or_above(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents or path in directory.parents


def names_cases(config: pytest.Config) -> bool:
    """True when the command line selects conformance cases (a path in or above conformance/cases, or
    ``--pyargs conformance[.cases...]``), or a target was asked for explicitly."""
    option = config.option
    if option.jss_embedded or option.jss_target or option.jss_sdk_driver:
        return True
    base = config.invocation_params.dir
    for arg in config.args:
        if option.pyargs and (arg == "conformance" or arg.startswith("conformance.cases")):
            return True
        path_text = arg.split("::", 1)[0]
        if not path_text:
            continue
        path = (base / path_text).resolve()
        if _under_or_above(path, CASES_DIR.resolve()) or _under_or_above(path, SDK_CASES_DIR.resolve()):
            return True
    return False


def runs_tests(config: pytest.Config) -> bool:
    """False for runs that only show information (--help, --version, --fixtures, --markers,
    --collect-only)."""
    option = config.option
    flags = ("help", "version", "showfixtures", "show_fixtures_per_test", "markers", "collectonly")
    return not any(getattr(option, flag, False) for flag in flags)


def results_path(config: pytest.Config, wanted: bool) -> Path | None:
    """Where results.json goes: --jss-results, else reports/results.json when cases run, else nowhere."""
    given = config.option.jss_results
    if given:
        return config.invocation_params.dir / given
    return config.invocation_params.dir / DEFAULT_RESULTS if wanted else None
