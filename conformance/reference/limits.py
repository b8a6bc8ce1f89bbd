"""Limits that keep the reference endpoint up under slow or hostile clients: time to send a request head,
time a body (or a response) may stand still, connections (in total and per client address), threads writing
bodies, complete bodies read and parsed at once per account.

The defaults are far above what a real client on a slow network needs (a request head is a few hundred
bytes; a body that moves at all moves within seconds) and far below what exhausts the process: the number
of connections is kept under the open-file limit, each connection counted with the files its request may
open, so a refusal is always an answer (503 SlowDown) and never a silent drop.
"""

from __future__ import annotations

import argparse
import logging
import resource
from dataclasses import dataclass

log = logging.getLogger("conformance.reference")

#: Files a connection may hold besides its socket (a body's temporary file, an object, an assembly).
FILES_PER_CONNECTION = 3
#: Files kept for the process itself (listening sockets, the data-dir lock, logs, libraries, executor).
RESERVED_FILES = 64


@dataclass(frozen=True)
class Limits:
    """The slow-client limits of one server (seconds, counts)."""

    head_timeout: float = 60.0  # from "ready for a request" to the end of its head
    body_timeout: float = 60.0  # a request body, or a response the client does not read, standing still
    keep_alive_timeout: float = 30.0  # an idle connection between two requests
    max_connections: int = 4096  # open connections; more are answered 503 SlowDown and closed
    max_connections_per_address: int = 1024  # open connections of one client address; the same refusal
    max_body_threads: int = 64  # threads streaming bodies to disk; further bodies share a small pool
    max_linked_parts: int = 256  # complete links up to this many part files, copies the bytes of more
    max_bodies_per_account: int = 2  # complete bodies over 64 KiB one account has read and parsed at once
    body_slot_wait: float = 10.0  # a body waits this long for its account's slot, then 503 SlowDown
    graceful_timeout: float = 30.0  # after SIGINT/SIGTERM, how long requests in progress may take to finish

    def check(self) -> str | None:
        """The first bad value as a one-line message, or None."""
        timeouts = ("head_timeout", "body_timeout", "keep_alive_timeout", "body_slot_wait",
                    "graceful_timeout")
        for name in timeouts:
            if not getattr(self, name) > 0:
                return f"--{name.replace('_', '-')} must be a positive number of seconds"
        if self.max_connections < 1:
            return "--max-connections must be at least 1"
        if self.max_connections_per_address < 1:
            return "--max-connections-per-address must be at least 1"
        if self.max_bodies_per_account < 1:
            return "--max-bodies-per-account must be at least 1"
        if self.max_body_threads < 0:
            return "--max-body-threads must not be negative"
        if self.max_linked_parts < 0:
            return "--max-linked-parts must not be negative"
        return None


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    """Add the slow-client options (defaults: `Limits`)."""
    defaults = Limits()
    group = parser.add_argument_group("limits (slow or hostile clients)")
    group.add_argument(
        "--head-timeout", type=float, default=defaults.head_timeout, metavar="S",
        help="seconds to send a request head, counted from the connection (or the previous response); "
        "then 400 RequestTimeout, or a close if nothing was sent (default %(default)g)",
    )
    group.add_argument(
        "--body-timeout", type=float, default=defaults.body_timeout, metavar="S",
        help="seconds a request body may stop moving (then 400 RequestTimeout, the partial body "
        "discarded) or a response the client stops reading (then the connection is closed) "
        "(default %(default)g)",
    )
    group.add_argument(
        "--keep-alive-timeout", type=float, default=defaults.keep_alive_timeout, metavar="S",
        help="seconds an idle connection stays open between requests (default %(default)g)",
    )
    group.add_argument(
        "--max-connections", type=int, default=defaults.max_connections, metavar="N",
        help="open connections; beyond, a new one is answered 503 SlowDown and closed; lowered to fit "
        "the open-file limit (default %(default)d)",
    )
    group.add_argument(
        "--max-connections-per-address", type=int, default=defaults.max_connections_per_address, metavar="N",
        help="open connections from one client IP address; beyond, a new one from that address is answered "
        "503 SlowDown and closed, other addresses still served (default %(default)d)",
    )
    group.add_argument(
        "--max-bodies-per-account", type=int, default=defaults.max_bodies_per_account, metavar="N",
        help="complete bodies over 64 KiB (up to 4 MiB) one access key has read and parsed at once; a "
        "further one waits up to --body-slot-wait, then is answered 503 SlowDown with Retry-After "
        "(default %(default)d)",
    )
    group.add_argument(
        "--body-slot-wait", type=float, default=defaults.body_slot_wait, metavar="S",
        help="seconds a complete body waits for a slot of its account (default %(default)g)",
    )
    group.add_argument(
        "--max-body-threads", type=int, default=defaults.max_body_threads, metavar="N",
        help="threads streaming request bodies to disk (two per body); further bodies are written by a "
        "small shared pool (default %(default)d)",
    )
    group.add_argument(
        "--max-linked-parts", type=int, default=defaults.max_linked_parts, metavar="N",
        help="a complete of up to N parts keeps the part files as the object (hard links, no byte copied); "
        "more parts are copied into one file (default %(default)d)",
    )


def add_stop_option(parser: argparse.ArgumentParser) -> None:
    """Add --graceful-timeout (default: `Limits.graceful_timeout`)."""
    parser.add_argument(
        "--graceful-timeout", type=float, default=Limits().graceful_timeout, metavar="S",
        help="after SIGINT or SIGTERM, seconds the requests in progress (uploads and downloads included) "
        "may take to finish while no new connection is accepted; a request still running then is cut "
        "(its connection closed, a partial upload discarded); a second SIGINT cuts at once "
        "(default %(default)g)",
    )


def limits_from_args(args: argparse.Namespace) -> Limits:
    """The Limits of parsed options (not checked: see `Limits.check`)."""
    return Limits(
        head_timeout=args.head_timeout,
        body_timeout=args.body_timeout,
        keep_alive_timeout=args.keep_alive_timeout,
        max_connections=args.max_connections,
        max_connections_per_address=args.max_connections_per_address,
        max_body_threads=args.max_body_threads,
        max_linked_parts=args.max_linked_parts,
        max_bodies_per_account=args.max_bodies_per_account,
        body_slot_wait=args.body_slot_wait,
        graceful_timeout=args.graceful_timeout,
    )


def fit_to_file_limit(limits: Limits) -> Limits:
    """`limits` with max_connections lowered, if need be, so that connections and their files stay under
    the process's open-file limit (the soft limit is raised towards the hard one first)."""
    needed = RESERVED_FILES + limits.max_connections * (1 + FILES_PER_CONNECTION)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        wanted = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return limits
    fitted = max(1, (soft - RESERVED_FILES) // (1 + FILES_PER_CONNECTION))
    log.warning(
        "open-file limit %d: --max-connections lowered from %d to %d", soft, limits.max_connections, fitted
    )
    return Limits(**{**limits.__dict__, "max_connections": fitted})
