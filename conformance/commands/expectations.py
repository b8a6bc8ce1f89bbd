"""``jss-conformance expectations update --target PROFILE.toml [--results R] [--file F]``: write the outcomes
of a run into the target's known-deviations file, for review. For a run of the SDK scenarios
(``jss-conformance sdk``: results.json has ``run.sdk_wire``) it is ``expectations update --results R --file
F`` (no --target): the SDK's findings file, each entry with its fingerprint (the findings and diagnosed
mistakes, or the unsupported steps, that were observed; see conformance/fingerprints.py).

The file is --file, else the profile's ``known_deviations``, else ``<profile stem>.known-deviations.toml``
beside the profile (said in one line, with the ``known_deviations = "..."`` line that makes the profile use
it). Every case of the run that ended FAIL, NON_STRICT or NOT_IMPLEMENTED gets an entry, except the cases
outside the target's dialect (the catalogue already expects them); SKIPPED cases are never recorded (they
are never unexpected). An entry whose outcome did not change keeps its reason; a new or changed one gets a
draft reason, the first line of the observed message, marked ``draft = true``: a run that loads the file
stops (exit status 2) until every draft is reviewed and its ``draft`` key removed, or with
--jss-allow-draft. Entries of cases the run did not reach (or did not have) are kept, those of cases that
now pass are removed.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from conformance.cli import UsageError
from conformance.known_deviations import NONE as NO_ENTRIES
from conformance.known_deviations import (
    KnownDeviationsError,
    header_of,
    is_draft,
    load_known_deviations,
    render_file,
    updated_entries,
)
from conformance.report.results import read_results
from conformance.target import ProfileError, load_profile

DEFAULT_RESULTS = Path("reports") / "results.json"
#: The file written beside a profile that names none: ``<profile stem>`` + this.
DEFAULT_SUFFIX = ".known-deviations.toml"


def default_file(profile: Path) -> Path:
    """The known-deviations file of a profile that names none: ``<stem>.known-deviations.toml`` beside it."""
    return profile.with_name(profile.stem + DEFAULT_SUFFIX)


def register(subparsers: argparse._SubParsersAction) -> None:
    """The `expectations` subcommand (one action: update)."""
    parser = subparsers.add_parser(
        "expectations",
        help="write a run's outcomes into the target's known-deviations file",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
    update = actions.add_parser("update", help="rewrite the file from a results.json of the target")
    update.add_argument("--target", metavar="PROFILE.toml",
                        help="the target's profile (none for the results of `jss-conformance sdk`)")
    update.add_argument(
        "--results", default=str(DEFAULT_RESULTS), metavar="RESULTS.json",
        help=f"results.json of a run against that target (default {DEFAULT_RESULTS})",
    )
    update.add_argument(
        "--file", metavar="FILE.toml",
        help="the file to write (default: the profile's known_deviations, else "
        f"<profile stem>{DEFAULT_SUFFIX} beside the profile)",
    )
    update.set_defaults(handler=update_file)


def update_file(args: argparse.Namespace) -> int:
    """Handler of ``expectations update``."""
    try:
        results = read_results(args.results)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if results["run"].get("sdk_wire"):
        return _update_sdk_file(args, results)
    if not args.target:
        raise UsageError("give --target PROFILE.toml (only the results of `jss-conformance sdk` need none)")
    try:
        target = load_profile(args.target, _AnyEnv())
    except ProfileError as exc:
        raise UsageError(str(exc)) from None
    path = Path(args.file or target.known_deviations) if (args.file or target.known_deviations) else None
    if results["run"]["target"] != target.name:
        raise UsageError(
            f"{args.results} is a run of target {results['run']['target']!r}, not of {target.name!r}"
        )
    if path is None:
        path = default_file(Path(args.target))
        print(
            f"{args.target} names no known_deviations file: writing {path} "
            f'(to use it, add known_deviations = "{path.name}" to the profile)'
        )
    header = (
        f"Known deviations of target {target.name}: the cases expected to end other than PASS,\n"
        "each with the observed reason (jss-conformance expectations update writes this file).\n"
        "A reason marked draft = true is the observed message, not reviewed: check it, reword it if need\n"
        "be, then remove its draft key (a run refuses a file holding a draft unless --allow-draft)."
    )
    return _write(path, results, header, fingerprints=False)


def _update_sdk_file(args: argparse.Namespace, results: dict) -> int:
    """``expectations update`` of an SDK run: the findings file --file names, entries with fingerprints."""
    sdk_run = f"{args.results} is a run of the SDK scenarios"
    if args.target:
        raise UsageError(f"{sdk_run}: give --file FINDINGS.toml, not --target")
    if not args.file:
        raise UsageError(f"{sdk_run}: give --file FINDINGS.toml to write")
    header = (
        f"Known findings of an SDK on the {results['run']['sdk_wire']} wire (jss-conformance sdk): each\n"
        "entry names the scenario, its outcome and what must have failed (findings / mistakes /\n"
        "unsupported).\n"
        "A reason marked draft = true is the observed message, not reviewed: say what the SDK does and why,\n"
        "then remove its draft key (a run refuses a file holding a draft unless --jss-allow-draft)."
    )
    return _write(Path(args.file), results, header, fingerprints=True)


def _write(path: Path, results: dict, header: str, *, fingerprints: bool) -> int:
    """Rewrite `path` from the cases of `results` (its own header kept when it has one)."""
    try:
        previous = load_known_deviations(path) if path.is_file() else NO_ENTRIES
    except KnownDeviationsError as exc:
        raise UsageError(str(exc)) from None
    entries = updated_entries(previous, results["cases"], fingerprints=fingerprints)
    header = header_of(path) or header
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_file(entries, header), encoding="utf-8")
    drafts = sum(1 for e in entries.values() if is_draft(e))
    print(
        f"{path}: {len(entries)} entries, {drafts} with a draft reason to review "
        "(then remove its draft = true)"
    )
    return 0


class _AnyEnv(dict):
    """An environment in which every credentials variable is set: updating a file needs no secret."""

    def get(self, key, default=None):  # noqa: D401 - dict API
        return os.environ.get(key) or "unused"
