"""``python -m conformance.reference``: run the reference endpoint (see conformance.reference.options)."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from conformance.errorline import print_error
from conformance.reference.config import ConfigError
from conformance.reference.crypto import SseKeyError
from conformance.reference.options import (
    add_server_options,
    config_from_args,
    configure_logging,
    deviations_epilog,
)

EXIT_USAGE = 2


def run(args: argparse.Namespace) -> int:
    """Serve with the parsed options until stopped; returns the exit status.

    Raises ConfigError (one line) for a bad option, an unreadable credentials file, key or data dir, or a
    port in use.
    """
    from conformance.reference.server import run_server

    temporary = args.data_dir is None
    data_dir = Path(tempfile.mkdtemp(prefix="jss-reference-")) if temporary else args.data_dir.resolve()
    try:
        try:
            if not temporary:
                data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create data dir {data_dir}: {exc.strerror}") from exc
        config = config_from_args(args, data_dir)
        configure_logging(args.log_level)
        try:
            return run_server(config)
        except SseKeyError as exc:
            raise ConfigError(str(exc)) from exc
    finally:
        if temporary:
            shutil.rmtree(data_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m conformance.reference``."""
    parser = argparse.ArgumentParser(
        prog="python -m conformance.reference",
        description=__doc__.splitlines()[0],
        epilog=deviations_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_server_options(parser)
    try:
        return run(parser.parse_args(argv))
    except ConfigError as exc:
        return print_error(str(exc))


if __name__ == "__main__":
    sys.exit(main())
