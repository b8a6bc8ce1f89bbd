"""``jss-conformance sweep --target PROFILE.toml --prefix P``: remove leftovers of an interrupted run.

Aborts the multipart uploads and deletes the objects inside the folder P, in every bucket of the profile,
and nothing else. P is a folder: a missing final ``/`` is added, so ``--prefix jssc-20261125T150102-3fa9c2``
sweeps ``jssc-20261125T150102-3fa9c2/...`` and never a key that merely starts with the same characters
(``jssc-20261125T150102-3fa9c21``, ``jssc-20261125T150102-3fa9c2x/...``). P must be a suite run folder
(``jssc-YYYYMMDDTHHMMSS-xxxxxx/...``, as printed by the run and written in the keys) unless --force; an
empty prefix is always refused.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from conformance import operations as ops
from conformance.cli import UsageError
from conformance.clients import client_for
from conformance.errorline import INFRA_PREFIX
from conformance.harness.state import RUN_PREFIX_PATTERN
from conformance.harness.sweeping import run_folder, sweep_bucket
from conformance.outcomes import InfraError
from conformance.target import ProfileError, resolve_target
from conformance.tls import new_session

RUN_FOLDER = re.compile(rf"^{RUN_PREFIX_PATTERN}/")


def register(subparsers: argparse._SubParsersAction) -> None:
    """The `sweep` subcommand."""
    parser = subparsers.add_parser(
        "sweep",
        help="abort uploads and delete objects left under a run prefix",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--target", metavar="PROFILE.toml", help="target profile (or the JSS_* variables)")
    parser.add_argument(
        "--prefix", required=True,
        help="the run folder, e.g. jssc-20261125T150102-3fa9c2/ (a missing final / is added)",
    )
    parser.add_argument("--bucket", action="append", default=[], help="only this bucket of the profile")
    parser.add_argument("--dry-run", action="store_true", help="list what would be removed, remove nothing")
    parser.add_argument("--force", action="store_true", help="accept a prefix that is not a suite run prefix")
    parser.set_defaults(handler=sweep)


def check_prefix(prefix: str, force: bool) -> str:
    """The folder to sweep (`prefix` ending in ``/``); UsageError for an empty prefix, or, without --force,
    one that is not a suite run folder."""
    try:
        folder = run_folder(prefix)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not force and not RUN_FOLDER.match(folder):
        raise UsageError(
            f"prefix {prefix!r} is not a suite run folder (jssc-YYYYMMDDTHHMMSS-xxxxxx/...); "
            "pass --force to sweep it anyway"
        )
    return folder


def sweep(args: argparse.Namespace) -> int:
    """Handler: 0 when everything under the prefix is gone, 1 when something could not be removed, 3 when
    the endpoint could not be reached."""
    folder = check_prefix(args.prefix, args.force)
    if not args.target and not os.environ.get("JSS_ENDPOINT"):
        raise UsageError("name the target: --target PROFILE.toml (or set JSS_ENDPOINT and the other JSS_*)")
    try:
        # the sweep signs as [credentials] only: the [alt] account's variables need not be set
        target = resolve_target(args.target, os.environ, require_alt=False)
    except ProfileError as exc:
        raise UsageError(str(exc)) from None
    if target.embedded:
        raise UsageError("the embedded endpoint lives only as long as its run: there is nothing to sweep")
    buckets = [b for b in target.buckets if not args.bucket or b.name in args.bucket]
    if not buckets:
        raise UsageError(f"no bucket named {', '.join(args.bucket)} in target {target.name}")
    failures = 0
    with new_session(target.tls, target.endpoint) as session:
        for bucket in buckets:
            client = client_for(target, bucket, session=session)
            try:
                report = sweep_bucket(client, bucket, folder, dry_run=args.dry_run)
            except InfraError as exc:
                print(f"{INFRA_PREFIX}{bucket.name}: {exc}", file=sys.stderr)
                return 3
            except (ops.ApiError, AssertionError) as exc:
                print(f"{bucket.name}: cannot list under {folder}: {exc}")
                failures += 1
                continue
            failures += len(report.failures)
            action = "would remove" if args.dry_run else "removed"
            failed = f"; {len(report.failures)} failure(s)" if report.failures else ""
            print(
                f"{bucket.name}: {action} {len(report.aborted)} upload(s) and {len(report.deleted)} "
                f"object(s) under {folder}{failed}"
            )
    return 1 if failures else 0
