"""The fields of a target profile, each parsed and checked on its own: keys, strings, endpoints, credentials
(names of environment variables, never secrets), buckets, the embedded endpoint's [reference] table and
server_version. Every problem raises :class:`ProfileError` with one line of text. conformance.target puts
them together into a Target."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conformance.client import Credentials

_CREDENTIAL_KEYS = {"access_key_env", "secret_key_env"}
_BUCKET_KEYS = {"name", "region", "endpoint"}
_REFERENCE_KEYS = {"min_part_size", "deviations"}
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
REGION_NAME = re.compile(r"^[a-z]{2}-[a-z]+-\d+$")
#: A profile's server_version: one printable line of at most 100 characters.
_SERVER_VERSION = re.compile(r"^[\x20-\x7e]{1,100}$")



class ProfileError(ValueError):
    """A target profile (or the JSS_* environment) is unusable; the message is one line."""


@dataclass(frozen=True)
class BucketSpec:
    """A bucket the suite may write into (under its run prefix only), its region and its endpoint."""

    name: str
    region: str
    endpoint: str


def check_keys(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ProfileError(f"{where} has unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})")


def string_field(table: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            raise ProfileError(f"{where} is missing the field {key!r}")
        return None
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(f"{where} field {key!r} must be a non-empty string")
    return value.strip()


def endpoint_field(value: str, where: str) -> str:
    if not re.match(r"^https?://[^/\s]+/?$", value):
        raise ProfileError(f"{where}: endpoint {value!r} must look like http(s)://host[:port]")
    return value.rstrip("/")


def credentials_field(
    raw: Any, env: Mapping[str, str], table: str = "credentials", *, required: bool = True
) -> Credentials | None:
    if not isinstance(raw, Mapping):
        raise ProfileError(f"the profile is missing the [{table}] table (names of environment variables)")
    literal = sorted(key for key in raw if key not in _CREDENTIAL_KEYS)
    if literal:
        raise ProfileError(
            f"[{table}] {literal[0]!r} is not allowed: a profile never holds secrets, it names "
            "environment variables with access_key_env and secret_key_env"
        )
    values = []
    for key in ("access_key_env", "secret_key_env"):
        name = string_field(raw, key, f"[{table}]")
        if not _ENV_NAME.match(name):
            raise ProfileError(
                f"[{table}] {key} must name an environment variable (A-Z, 0-9, _), not a literal value"
            )
        value = env.get(name)
        if not value and not required:
            return None
        if not value:
            raise ProfileError(f"[{table}] {key} names the environment variable {name}, which is not set")
        values.append(value)
    return Credentials(values[0], values[1])


def alt_credentials_field(raw: Any, env: Mapping[str, str], *, required: bool = True) -> Credentials | None:
    """The [alt] account (a second account owning none of the buckets), or None without [alt], or when it is
    not `required` and its variables are not set (the table is checked all the same)."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ProfileError(
            "[alt] must be a table of access_key_env and secret_key_env (names of environment variables)"
        )
    return credentials_field(raw, env, "alt", required=required)


def buckets_field(raw: Any, default_endpoint: str | None) -> list[BucketSpec]:
    if not isinstance(raw, list) or not raw:
        raise ProfileError("the profile needs at least one [[buckets]] table with name and region")
    buckets = []
    for index, table in enumerate(raw, start=1):
        where = f"[[buckets]] #{index}"
        if not isinstance(table, Mapping):
            raise ProfileError(f"{where} must be a table")
        check_keys(table, _BUCKET_KEYS, where)
        name = string_field(table, "name", where)
        region = string_field(table, "region", where)
        if not BUCKET_NAME.match(name):
            raise ProfileError(f"{where}: bucket name {name!r} must be 3-63 characters of a-z, 0-9 and -")
        if not REGION_NAME.match(region):
            raise ProfileError(f"{where}: region {region!r} does not look like a region (e.g. cn-north-1)")
        endpoint = string_field(table, "endpoint", where, required=False)
        endpoint = endpoint_field(endpoint, where) if endpoint else (default_endpoint or "")
        buckets.append(BucketSpec(name, region, endpoint))
    names = [bucket.name for bucket in buckets]
    if len(set(names)) != len(names):
        raise ProfileError("[[buckets]] names a bucket twice")
    return buckets


def reference_options(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ProfileError("[reference] must be a table")
    check_keys(raw, _REFERENCE_KEYS, "[reference]")
    options = dict(raw)
    size = options.get("min_part_size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
        raise ProfileError("[reference] min_part_size must be a positive integer")
    deviations = options.get("deviations", [])
    if not isinstance(deviations, list) or not all(isinstance(d, str) for d in deviations):
        raise ProfileError("[reference] deviations must be a list of names")
    return options


def server_version_field(document: Mapping[str, Any]) -> str:
    """The profile's optional server_version: one printable line of at most 100 characters ("" without)."""
    value = document.get("server_version")
    if value is None:
        return ""
    if not isinstance(value, str) or not _SERVER_VERSION.match(value.strip()):
        raise ProfileError(
            "the profile field 'server_version' must be one printable line of 1 to 100 characters"
        )
    return value.strip()
