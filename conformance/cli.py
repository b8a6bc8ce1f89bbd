"""The `jss-conformance` command: run, serve, sign, sweep, compare, expectations, sdk, faults.

Each subcommand lives in `conformance.commands.<name>` and exposes ``register(subparsers)``, which adds its
parser and sets ``handler`` (a function taking the parsed arguments and returning an exit status).
Usage and configuration errors print one line, ``jss-conformance: error: ...`` (conformance.errorline),
and exit with status 2, never a traceback. A reader that closes the output early (``... | head``) ends the
command quietly with status 141 (128 + SIGPIPE, what a shell reports for a writer stopped by a closed pipe).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from conformance.errorline import EXIT_USAGE, print_error
from conformance.paths import fixtures_override_problem

SUBCOMMANDS = ("run", "serve", "sign", "sweep", "compare", "expectations", "sdk", "faults")
#: The exit status when the reader of stdout went away before the output was written: 128 + SIGPIPE (13).
EXIT_STDOUT_CLOSED = 141


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
    """Entry point of the console script: the subcommand's exit status, 141 when stdout closed early."""
    try:
        status = _dispatch(argv)
        sys.stdout.flush()
    except BrokenPipeError:
        return _stdout_closed()
    return status


def _stdout_closed() -> int:
    """The reader of stdout is gone: point stdout at devnull, so that the interpreter's final flush of what is
    still buffered fails no more (the recipe of Python's `signal` documentation), and say so by the status."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_STDOUT_CLOSED


def _dispatch(argv: list[str] | None) -> int:
    """Run the subcommand that `argv` (default: the process's arguments) names; its exit status."""
    args_list = sys.argv[1:] if argv is None else argv
    if args_list and args_list[0] == "run":
        # `run` hands everything after it to pytest unparsed (see conformance.commands.run).
        from conformance.commands import run

        return run.main(args_list[1:])  # checks JSS_CONFORMANCE_FIXTURES itself, to say so in results.json
    problem = fixtures_override_problem()
    if problem:
        return print_error(problem)
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
