"""Configuration of the reference endpoint: regions, users (credentials file), data dir, switches."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from conformance.reference.deviations import Deviations
from conformance.reference.limits import Limits
from conformance.reference.regions import KNOWN_REGIONS
from conformance.reference.testbench_limits import TestbenchLimits

DEFAULT_REGIONS = ("cn-north-1", "cn-east-2")
DEFAULT_SERVICE_DOMAIN = "jss.localhost"
DEFAULT_MIN_PART_SIZE = 5 * 1024 * 1024


class ConfigError(Exception):
    """A bad option or an unreadable credentials file: reported as one line, exit status 2."""


@dataclass(frozen=True)
class User:
    """One account of the reference endpoint."""

    name: str
    access_key: str
    secret_key: str = field(repr=False)


#: The user of a server started without a credentials file. Loopback-only test credentials, not a secret.
BUILTIN_USER = User("local", "JSSLOCALTESTACCESSKEY", "jss-local-test-secret-key-not-a-secret")


@dataclass(frozen=True)
class TlsFiles:
    """The PEM files of an HTTPS server: its certificate, its key (None: in the certificate's file) and the
    CA a client certificate must chain to (None: none asked for)."""

    cert: Path
    key: Path | None = None
    client_ca: Path | None = None

    @classmethod
    def of(cls, cert: Path | None, key: Path | None, client_ca: Path | None) -> TlsFiles | None:
        """The files given as options (absolute), or None without a certificate."""
        if cert is None:
            return None
        return cls(cert.resolve(), key.resolve() if key else None, client_ca.resolve() if client_ca else None)


@dataclass(frozen=True)
class ServerConfig:
    """Everything the server needs to start."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 0
    regions: tuple[str, ...] = DEFAULT_REGIONS
    users: tuple[User, ...] = (BUILTIN_USER,)
    deviations: Deviations = field(default_factory=Deviations)
    min_part_size: int = DEFAULT_MIN_PART_SIZE
    service_domain: str = DEFAULT_SERVICE_DOMAIN
    faults: bool = False  # serve the fault-script admin route and apply its scripts (testbench)
    record: Path | None = None  # write one JSON line per request here (testbench)
    testbench: TestbenchLimits = field(default_factory=TestbenchLimits)  # bounds of --faults, --record
    #: (name, region) of the buckets created at start for the first user (``--bucket NAME[@REGION]``).
    buckets: tuple[tuple[str, str], ...] = ()
    limits: Limits = field(default_factory=Limits)  # slow and hostile clients (see limits)
    tls: TlsFiles | None = None  # serve HTTPS (see conformance.reference.tls_context)
    wire: str = "jss"  # the API served: "jss" (JSS REST, JSON) or "s3" (S3 REST, SigV4, XML; JSS rules)
    #: Every wire served over the one data dir, each with its own socket per region (``--wire jss,s3``);
    #: empty: `wire` alone. `wire` is the first of them.
    wires: tuple[str, ...] = ()

    @property
    def served_wires(self) -> tuple[str, ...]:
        """The wires served, in the order their sockets are bound (`wire` first)."""
        return self.wires or (self.wire,)

    def user_by_access_key(self, access_key: str) -> User | None:
        """The user owning `access_key`, or None."""
        for user in self.users:
            if user.access_key == access_key:
                return user
        return None


#: The wires the reference endpoint speaks (``--wire``); ``both`` names them all, JSS first.
WIRES = ("jss", "s3")


def parse_wires(text: str) -> tuple[str, ...]:
    """The wires of a ``--wire`` value: one name, a comma-separated list (``jss,s3``) or ``both``;
    ConfigError for an unknown or repeated name."""
    names = WIRES if text.strip().lower() == "both" else tuple(n.strip().lower() for n in text.split(","))
    for name in names:
        if name not in WIRES:
            raise ConfigError(f"unknown wire {name!r} in --wire (known: {', '.join(WIRES)}, both)")
    if len(set(names)) != len(names):
        raise ConfigError("a wire is listed twice in --wire")
    return names


def validate_regions(regions: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Check region names (known, no duplicates); ConfigError otherwise."""
    if not regions:
        return DEFAULT_REGIONS
    for region in regions:
        if region not in KNOWN_REGIONS:
            raise ConfigError(f"unknown region {region!r} (known: {', '.join(KNOWN_REGIONS)})")
    if len(set(regions)) != len(regions):
        raise ConfigError("a region is listed twice")
    return tuple(regions)


def load_credentials(path: Path) -> tuple[User, ...]:
    """Read a credentials file: TOML with ``[[users]]`` tables of ``name``, ``access_key``, ``secret_key``."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read credentials file {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"credentials file {path} is not valid TOML: {exc}") from exc
    entries = data.get("users")
    if not isinstance(entries, list) or not entries:
        raise ConfigError(f"credentials file {path} has no [[users]] table")
    users = []
    for index, entry in enumerate(entries):
        values = [entry.get(name) if isinstance(entry, dict) else None for name in User.__dataclass_fields__]
        if not all(isinstance(value, str) and value for value in values):
            raise ConfigError(
                f"credentials file {path}: users[{index}] needs name, access_key and secret_key"
            )
        users.append(User(*values))
    if len({user.access_key for user in users}) != len(users) or len({u.name for u in users}) != len(users):
        raise ConfigError(f"credentials file {path}: user names and access keys must be unique")
    return tuple(users)
