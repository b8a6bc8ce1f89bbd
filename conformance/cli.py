"""The `jss-conformance` command: run, serve, sign, sweep, compare, expectations.

Each subcommand lives in `conformance.commands.<name>` and exposes ``register(subparsers)``, which adds its
parser and sets ``handler`` (a function taking the parsed arguments and returning an exit status).
Usage and configuration errors print one line, ``jss-conformance: error: ...`` (conformance.errorline),
and exit with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from conformance.errorline import EXIT_USAGE, print_error

SUBCOMMANDS = ("run", "serve", "sign", "sweep", "compare", "expectations", "sdk")


class UsageError(Exception):
    """A usage or configuration error: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> None:  # noqa: D401 - argparse's hook
        print_error(f"{message} (see {self.prog} --help)")
        self.exit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every available subcommand registered."""
    parser = _Parser(prog="jss-conformance", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"conformance.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"conformance.commands.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args_list = sys.argv[1:] if argv is None else argv
    if args_list and args_list[0] == "run":
        # `run` hands everything after it to pytest unparsed (see conformance.commands.run).
        from conformance.commands import run

        return run.main(args_list[1:])
    if args_list and args_list[0] == "sdk":
        # `sdk` takes its own options and hands the others to pytest (see conformance.commands.sdk).
        from conformance.commands import sdk

        return sdk.main(args_list[1:])
    parser = build_parser()
    args = parser.parse_args(args_list)
    try:
        return int(args.handler(args) or 0)
    except UsageError as exc:
        return print_error(str(exc))


if __name__ == "__main__":
    # Run as `python -m conformance.cli`: call the imported module's main, so that the UsageError the
    # subcommands raise (conformance.cli.UsageError) is the class this main catches.
    from conformance.cli import main as _main

    sys.exit(_main())
