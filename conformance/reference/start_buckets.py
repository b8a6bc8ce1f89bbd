"""Buckets a reference endpoint creates at start (``serve --bucket NAME[@REGION]``), owned by its first user,
so that a suite pointed at your own ``serve`` needs no hand-signed PutBucket."""

from __future__ import annotations

from collections.abc import Iterable

from conformance.reference.config import ConfigError, ServerConfig
from conformance.reference.storage import Storage, is_valid_bucket_name


def parse_bucket_options(values: Iterable[str], regions: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """``NAME[@REGION]`` values as (name, region) pairs; the region defaults to the first one served.
    ConfigError for an invalid name, a region not served, or a name given twice."""
    buckets: dict[str, str] = {}
    for value in values:
        name, _, region = value.partition("@")
        region = region or regions[0]
        if not is_valid_bucket_name(name):
            raise ConfigError(f"--bucket {value!r}: a bucket name is 3 to 63 characters of a-z, 0-9 and '-'")
        if region not in regions:
            raise ConfigError(f"--bucket {value!r}: region {region!r} is not served ({', '.join(regions)})")
        if name in buckets:
            raise ConfigError(f"--bucket {name!r} is given twice")
        buckets[name] = region
    return tuple(buckets.items())


def create_start_buckets(storage: Storage, config: ServerConfig) -> None:
    """Create the configured buckets for the first user; one that already exists (a kept data dir) must be
    that user's, in the same region (ConfigError otherwise)."""
    owner = config.users[0].name
    for name, region in config.buckets:
        if storage.create_bucket(name, owner, region):
            continue
        record = storage.get_bucket(name) or {}
        if (record.get("owner"), record.get("region")) != (owner, region):
            raise ConfigError(
                f"--bucket {name}@{region}: the data dir already holds bucket {name} "
                f"of user {record.get('owner')!r} in {record.get('region')!r}"
            )
