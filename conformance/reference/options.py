"""Command-line options of the reference endpoint, shared by ``python -m conformance.reference`` and
``jss-conformance serve``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from conformance.reference.config import (
    BUILTIN_USER,
    DEFAULT_MIN_PART_SIZE,
    DEFAULT_SERVICE_DOMAIN,
    ConfigError,
    ServerConfig,
    TlsFiles,
    load_credentials,
    parse_wires,
    validate_regions,
)
from conformance.reference.deviations import DEVIATIONS, Deviations, UnknownDeviation
from conformance.reference.limits import add_limit_options, add_stop_option, limits_from_args
from conformance.reference.start_buckets import parse_bucket_options
from conformance.reference.testbench_limits import add_testbench_options, testbench_limits_from_args

LOG_LEVELS = ("debug", "info", "warning", "error")


def add_server_options(parser: argparse.ArgumentParser) -> None:
    """Add the server options to `parser`."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--wire",
        default="jss",
        metavar="WIRE[,WIRE]",
        help="the API served: jss (JSS REST, JSON; default), s3 (S3 REST, SigV4, XML; under JSS rules), or "
        "both over one data dir (jss,s3 or both; each wire its own socket per region, in the order given)",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        help="port of the first region; the next regions use port+1, ... (default 0: free ports)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="where buckets, objects and uploads live (default: a temporary dir, removed at exit)",
    )
    parser.add_argument(
        "--region",
        action="append",
        default=None,
        metavar="REGION",
        help="a region to serve, one socket each (repeatable; default cn-north-1 and cn-east-2)",
    )
    parser.add_argument(
        "--credentials",
        type=Path,
        default=None,
        metavar="FILE",
        help="TOML file with [[users]] name/access_key/secret_key (default: one built-in test user)",
    )
    parser.add_argument(
        "--deviate",
        action="append",
        default=[],
        metavar="NAME",
        help="switch on a deviation (negative control), repeatable; the names are listed below",
    )
    parser.add_argument(
        "--min-part-size",
        type=int,
        default=DEFAULT_MIN_PART_SIZE,
        metavar="BYTES",
        help="minimum size of a non-final part at complete (default 5 MiB)",
    )
    parser.add_argument(
        "--service-domain",
        default=DEFAULT_SERVICE_DOMAIN,
        metavar="DOMAIN",
        help="virtual-host requests use Host: <bucket>.<DOMAIN> (default jss.localhost)",
    )
    parser.add_argument(
        "--faults",
        action="store_true",
        help="testbench: serve the fault-script admin route /_testbench/faults (requests signed by the "
        "bucket's owner) and apply its scripts",
    )
    parser.add_argument(
        "--record",
        type=Path,
        default=None,
        metavar="FILE",
        help="testbench: append one JSON line per request to FILE (operation, faults fired, diagnosis; "
        "signatures redacted, mode 0600, rotated: see --record-max-bytes)",
    )
    parser.add_argument(
        "--bucket",
        action="append",
        default=[],
        metavar="NAME[@REGION]",
        help="create this bucket at start for the first user of --credentials (or the built-in user), in "
        "REGION (default: the first region); repeatable",
    )
    parser.add_argument(
        "--tls-cert", type=Path, default=None, metavar="FILE",
        help="serve HTTPS with this PEM certificate (chain); its key in --tls-key or in the same file",
    )
    parser.add_argument(
        "--tls-key", type=Path, default=None, metavar="FILE", help="the PEM key of --tls-cert"
    )
    parser.add_argument(
        "--tls-client-ca", type=Path, default=None, metavar="FILE",
        help="with --tls-cert: require a client certificate signed by a CA of this PEM file",
    )
    parser.add_argument(
        "--log-level", default="info", choices=LOG_LEVELS, help="stderr log level (default info)"
    )
    add_limit_options(parser)
    add_stop_option(parser)
    add_testbench_options(parser)


def deviations_epilog() -> str:
    """The help text's list of deviations: one line each, name and what it does."""
    width = max(len(name) for name in DEVIATIONS)
    lines = [f"  {name:<{width}}  {description}" for name, description in DEVIATIONS.items()]
    title = "deviations (--deviate NAME, negative controls; see fixtures/deviations.toml):"
    return "\n".join([title, *lines])


def config_from_args(args: argparse.Namespace, data_dir: Path) -> ServerConfig:
    """Validate the parsed options into a ServerConfig; ConfigError with a one-line message otherwise."""
    try:
        deviations = Deviations.of(args.deviate)
    except UnknownDeviation as exc:
        raise ConfigError(str(exc)) from exc
    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port must be from 0 to 65535, not {args.port}")
    if args.min_part_size < 0:
        raise ConfigError("--min-part-size must not be negative")
    if not args.service_domain.strip("."):
        raise ConfigError("--service-domain must not be empty")
    limits = limits_from_args(args)
    if (problem := limits.check()) is not None:
        raise ConfigError(problem)
    testbench = testbench_limits_from_args(args)
    if (problem := testbench.check()) is not None:
        raise ConfigError(problem)
    if args.tls_cert is None and (args.tls_key is not None or args.tls_client_ca is not None):
        raise ConfigError("--tls-key and --tls-client-ca go with --tls-cert")
    users = load_credentials(args.credentials) if args.credentials else (BUILTIN_USER,)
    regions = validate_regions(args.region or ())
    wires = parse_wires(args.wire)
    return ServerConfig(
        data_dir=data_dir,
        host=args.host,
        port=args.port,
        regions=regions,
        buckets=parse_bucket_options(args.bucket, regions),
        users=users,
        deviations=deviations,
        min_part_size=args.min_part_size,
        service_domain=args.service_domain.strip("."),
        faults=args.faults,
        record=args.record.resolve() if args.record else None,
        limits=limits,
        testbench=testbench,
        tls=TlsFiles.of(args.tls_cert, args.tls_key, args.tls_client_ca),
        wire=wires[0],
        wires=wires,
    )


def configure_logging(level: str) -> None:
    """Logs to stderr (stdout carries only the ready line)."""
    logging.basicConfig(
        stream=sys.stderr, level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
