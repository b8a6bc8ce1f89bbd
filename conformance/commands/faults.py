"""``jss-conformance faults {arm,list,show,delete}``: the fault scripts of a ``serve --faults`` endpoint, each
request signed with the target's credentials (the owner of the buckets the scripts are armed on), JSS or SigV4
as the target's wire is.

    jss-conformance faults --target PROFILE.toml arm script.json      # prints the script's read-back
    jss-conformance faults list [--bucket B]                          # every page, one script a line
    jss-conformance faults show ID
    jss-conformance faults delete ID | --all [--bucket B]

Without --target, the JSS_ENDPOINT, JSS_ACCESS_KEY, JSS_SECRET_KEY (and JSS_BUCKET, JSS_REGION) variables
name the endpoint. Exit status 0 when the endpoint did it, 2 for a usage error or a request it refused
(the answer's status and code on one line), 3 when it could not be reached.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from conformance.cli import UsageError
from conformance.clients import client_for
from conformance.errorline import INFRA_PREFIX
from conformance.outcomes import InfraError
from conformance.sdk import bench
from conformance.target import ProfileError, resolve_target

#: The status each action expects from the admin route.
EXPECTED = {"arm": 201, "list": 200, "show": 200, "delete": 204, "delete-all": 200}


def register(subparsers: argparse._SubParsersAction) -> None:
    """The `faults` subcommand."""
    parser = subparsers.add_parser(
        "faults", help="arm, list, show or delete fault scripts of a serve --faults endpoint (signed)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--target", metavar="PROFILE.toml", help="target profile (or the JSS_* variables)")
    actions = parser.add_subparsers(dest="action", required=True)
    arm = actions.add_parser("arm", help="arm the script of a JSON file (- for stdin)")
    arm.add_argument("script", metavar="SCRIPT.json")
    listing = actions.add_parser("list", help="the caller's scripts, page by page")
    listing.add_argument("--bucket", help="only those of this bucket")
    show = actions.add_parser("show", help="one script's read-back")
    show.add_argument("id")
    delete = actions.add_parser("delete", help="delete one script, or --all of the caller's")
    delete.add_argument("id", nargs="?")
    delete.add_argument("--all", action="store_true", help="every script of the caller (--bucket: of B)")
    delete.add_argument("--bucket", help="with --all: only those of this bucket")
    parser.set_defaults(handler=faults)


def _client(profile: str | None):
    if not profile and not os.environ.get("JSS_ENDPOINT"):
        raise UsageError("name the target: --target PROFILE.toml (or set JSS_ENDPOINT and the other JSS_*)")
    try:
        target = resolve_target(profile, os.environ, require_alt=False)
    except ProfileError as exc:
        raise UsageError(str(exc)) from None
    if target.embedded:
        raise UsageError("the embedded endpoint lives only as long as its run: start `serve --faults`")
    return client_for(target, target.primary_bucket)


def _read_script(path: str) -> bytes:
    try:
        data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    return data


def _checked(response, action: str):
    if response.status_code != EXPECTED[action]:
        try:
            code = response.json().get("code", "")
        except ValueError:
            code = response.text[:120].replace("\n", " ")
        raise UsageError(f"the endpoint refused {action}: {response.status_code} {code}".rstrip())
    return response


def faults(args: argparse.Namespace) -> int:
    """Handler: 0 done, 2 usage error or refused, 3 unreachable."""
    client = _client(args.target)
    try:
        return _act(client, args)
    except InfraError as exc:
        print(f"{INFRA_PREFIX}{exc}", file=sys.stderr)
        return 3


def _act(client, args: argparse.Namespace) -> int:
    if args.action == "arm":
        response = _checked(bench.admin_request(client, "POST", body=_read_script(args.script)), "arm")
        print(json.dumps(response.json()))
    elif args.action == "show":
        print(json.dumps(_checked(bench.admin_request(client, "GET", args.id), "show").json()))
    elif args.action == "list":
        marker = None
        while True:
            query = [(name, value) for name, value in (("bucket", args.bucket), ("marker", marker)) if value]
            response = client.request("GET", bench.ADMIN_BUCKET, bench.ADMIN_KEY, query=query)
            page = _checked(response, "list").json()
            for script in page["scripts"]:
                print(json.dumps(script))
            if not page["truncated"]:
                break
            marker = page["next_marker"]
    elif args.all:
        query = [("bucket", args.bucket)] if args.bucket else []
        response = client.request("DELETE", bench.ADMIN_BUCKET, bench.ADMIN_KEY, query=query)
        print(json.dumps(_checked(response, "delete-all").json()))
    elif args.id:
        _checked(bench.admin_request(client, "DELETE", args.id), "delete")
    else:
        raise UsageError("delete: name a script id, or --all")
    return 0
