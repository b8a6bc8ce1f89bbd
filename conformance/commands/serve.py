"""Run the embedded reference endpoint (a JSS server on loopback) until SIGINT or SIGTERM.

Same options as ``python -m conformance.reference``. Prints one JSON ready line on stdout when listening
(``{"ready": true, "endpoints": {region: url}, "wires": {wire: {region: url}}, "data_dir": ..., "pid": ...}``;
``endpoints`` are the first wire's); logs go to stderr. ``--wire jss,s3`` serves both wires over one data dir.
"""

from __future__ import annotations

import argparse

from conformance.reference.options import add_server_options, deviations_epilog


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``serve`` subcommand."""
    parser = subparsers.add_parser(
        "serve",
        help="run the embedded reference endpoint (a JSS server on loopback) until stopped",
        description=__doc__.splitlines()[0],
        epilog=deviations_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_server_options(parser)
    parser.set_defaults(handler=serve)


def serve(args: argparse.Namespace) -> int:
    """Run the server; exit status 0 when stopped by a signal, 2 for a bad option."""
    from conformance.cli import UsageError
    from conformance.reference.__main__ import run
    from conformance.reference.config import ConfigError

    try:
        return run(args)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
