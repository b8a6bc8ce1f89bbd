"""The one line a usage or configuration error prints: every command and the pytest plugin use this prefix.

``jss-conformance: error: <what is wrong>`` on stderr, exit status 2 (4 under plain pytest, pytest's own
usage status). Only the first line of a message is printed, so an error is never a wall of text.
"""

from __future__ import annotations

import sys

PREFIX = "jss-conformance: error: "
#: The one line of an endpoint that cannot be reached (exit status 3): `run`'s preflight and `sweep`.
INFRA_PREFIX = "jss-conformance: INFRA_ERROR: "
EXIT_USAGE = 2


def error_line(message: str) -> str:
    """`message` (its first line) behind the common prefix."""
    lines = str(message).strip().splitlines()
    return PREFIX + (lines[0] if lines else "unknown error")


def print_error(message: str) -> int:
    """Print the error line on stderr; return the usage exit status (2)."""
    print(error_line(message), file=sys.stderr, flush=True)
    return EXIT_USAGE
