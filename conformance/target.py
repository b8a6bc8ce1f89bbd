"""Target profiles: which endpoint, buckets and credentials a conformance run talks to.

A profile is a TOML file (see ``fixtures/targets/staging.example.toml``)::

    name = "staging"                      # optional, defaults to the file name
    endpoint = "https://s-bj.jcloud.com"
    dialect = "jss"                       # the wire ("wire" is a synonym): jss or s3
    rules = "jss"                         # optional: the rulebook, jss or s3 (default: the wire's)
    server_version = "2.4.1"              # optional: the store's version, shown with the results
    [credentials]                         # names of environment variables, never the secrets themselves
    access_key_env = "JSS_STAGING_ACCESS_KEY"
    secret_key_env = "JSS_STAGING_SECRET_KEY"
    [alt]                                 # optional: a second account that owns none of the buckets
    access_key_env = "JSS_STAGING_ALT_ACCESS_KEY"
    secret_key_env = "JSS_STAGING_ALT_SECRET_KEY"
    [[buckets]]
    name = "my-bucket"
    region = "cn-north-1"
    endpoint = "https://s-bj.jcloud.com"  # optional, defaults to the profile's endpoint
    [tls]                                 # optional, files relative to the profile: see conformance.tls
    [expect]                              # overrides of fixtures/expectations/defaults.toml
    ...

A profile with ``embedded = true`` (``fixtures/targets/embedded.toml``) describes the embedded reference
endpoint: the plugin starts it, generates credentials (for the second account too) and creates the buckets.

``JSS_ENDPOINT``, ``JSS_ACCESS_KEY``, ``JSS_SECRET_KEY``, ``JSS_BUCKET`` and ``JSS_REGION`` override a
profile, or replace it for a one-bucket run. Every problem raises :class:`ProfileError` with one line of text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from conformance.client import Credentials
from conformance.harness.expectations import (
    ExpectationError,
    freeze,
    load_default_expectations,
    merge_expectations,
    thaw,
)
from conformance.paths import fixtures_dir
from conformance.profile_fields import (
    BUCKET_NAME,
    REGION_NAME,
    BucketSpec,
    ProfileError,
    alt_credentials_field,
    buckets_field,
    check_keys,
    credentials_field,
    endpoint_field,
    reference_options,
    server_version_field,
    string_field,
)
from conformance.rulebook import RulebookError, wire_and_rules
from conformance.tls import TlsSettings, check_environment, parse_tls
from conformance.tomlfile import read_toml

KNOWN_DIALECTS = ("jss", "s3")
#: The signature versions a profile may ask for, per dialect (the first is the default).
SIGNATURES = {"jss": ("jingdong",), "s3": ("v4", "v2")}
PRIMARY_REGION = "cn-north-1"
ENV_VARIABLES = ("JSS_ENDPOINT", "JSS_ACCESS_KEY", "JSS_SECRET_KEY", "JSS_BUCKET", "JSS_REGION")

_PROFILE_KEYS = {
    "name", "endpoint", "dialect", "embedded", "credentials", "alt", "buckets", "expect", "reference",
    "known_deviations", "signature", "tls", "server_version", "wire", "rules",
}


@dataclass(frozen=True)
class Target:
    """Everything the cases need to know about the endpoint under test."""

    name: str
    #: The wire ("jss" | "s3": how requests are framed and signed); conformance.rulebook.
    dialect: str
    endpoint: str
    credentials: Credentials
    buckets: list[BucketSpec]
    expect: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    embedded: bool = False
    source: str = field(default="", repr=False)
    reference_options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    #: The target's known-deviations file (absolute path; "" when the profile names none).
    known_deviations: str = ""
    #: A second account of the endpoint that owns none of the buckets (the access family), or None.
    alt_credentials: Credentials | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secret keys of the target's accounts (never to appear in a report)."""
        accounts = (self.credentials, self.alt_credentials)
        return tuple(account.secret_key for account in accounts if account is not None and account.secret_key)
    #: The signature version (jss: "jingdong"; s3: "v4" or "v2").
    signature: str = ""
    #: The profile's [tls] files (absolute once loaded); without a CA the CA variables apply.
    tls: TlsSettings = field(default_factory=TlsSettings)
    #: The store's version as the profile states it ("" when it names none).
    server_version: str = ""
    #: The rulebook ("jss" | "s3": what the answers must be); "" means the wire's.
    rules: str = ""

    @property
    def rulebook(self) -> str:
        """The rulebook the target is judged by (its `rules`, else its wire's)."""
        return self.rules or self.dialect

    @property
    def regions(self) -> list[str]:
        """The regions of the target's buckets, in profile order, without repeats."""
        return list(dict.fromkeys(bucket.region for bucket in self.buckets))

    @property
    def primary_bucket(self) -> BucketSpec:
        """The first bucket in cn-north-1, else the first bucket."""
        return self.bucket_in_region(PRIMARY_REGION) or self.buckets[0]

    def bucket_in_region(self, region: str) -> BucketSpec | None:
        """The first bucket in `region`, or None."""
        return next((bucket for bucket in self.buckets if bucket.region == region), None)

    def bucket_outside_region(self, region: str) -> BucketSpec | None:
        """The first bucket not in `region`, or None."""
        return next((bucket for bucket in self.buckets if bucket.region != region), None)

    def to_payload(self) -> dict[str, Any]:
        """A JSON-able form (secret included) to hand the target to xdist workers; never log it."""
        return {
            "name": self.name,
            "dialect": self.dialect,
            "endpoint": self.endpoint,
            "access_key": self.credentials.access_key,
            "secret_key": self.credentials.secret_key,
            "buckets": [[b.name, b.region, b.endpoint] for b in self.buckets],
            "expect": thaw(self.expect),
            "embedded": self.embedded,
            "source": self.source,
            "known_deviations": self.known_deviations,
            "alt": [self.alt_credentials.access_key, self.alt_credentials.secret_key]
            if self.alt_credentials is not None
            else None,
            "signature": self.signature,
            "tls": self.tls.to_payload(),
            "server_version": self.server_version,
            "rules": self.rules,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Target:
        """The inverse of :meth:`to_payload`."""
        return cls(
            name=payload["name"],
            dialect=payload["dialect"],
            endpoint=payload["endpoint"],
            credentials=Credentials(payload["access_key"], payload["secret_key"]),
            buckets=[BucketSpec(*bucket) for bucket in payload["buckets"]],
            expect=freeze(payload["expect"]),
            embedded=payload["embedded"],
            source=payload["source"],
            known_deviations=payload.get("known_deviations", ""),
            alt_credentials=Credentials(*payload["alt"]) if payload.get("alt") else None,
            signature=payload.get("signature", ""),
            tls=TlsSettings.from_payload(payload.get("tls")),
            server_version=payload.get("server_version", ""),
            rules=payload.get("rules", ""),
        )


# -- profiles ------------------------------------------------------------------------------------------


def embedded_profile_path() -> Path:
    """fixtures/targets/embedded.toml, the profile used when no target is given."""
    return fixtures_dir() / "targets" / "embedded.toml"


def check_accounts(target: Target) -> Target:
    """ProfileError when the [alt] account is the primary account itself (its cases would prove nothing)."""
    alt = target.alt_credentials
    if alt is not None and alt.access_key == target.credentials.access_key:
        raise ProfileError(
            f"[alt] names the same access key as [credentials] ({alt.access_key}): the second account "
            "must be another account"
        )
    return target


def parse_profile(
    document: Mapping[str, Any], *, name: str, env: Mapping[str, str], defaults: Mapping[str, Any],
    require_alt: bool = True,
) -> Target:
    """Validate a parsed profile and build its Target (embedded profiles get placeholder credentials);
    `require_alt=False`: a command that never signs as the [alt] account does not need its variables set."""
    check_keys(document, _PROFILE_KEYS, "the profile")
    embedded = document.get("embedded", False)
    if not isinstance(embedded, bool):
        raise ProfileError("the profile field 'embedded' must be true or false")
    try:
        dialect, rules = wire_and_rules(document)
    except RulebookError as exc:
        raise ProfileError(str(exc)) from None
    profile_name = string_field(document, "name", "the profile", required=False) or name
    known = string_field(document, "known_deviations", "the profile", required=False) or ""
    signature = string_field(document, "signature", "the profile", required=False) or SIGNATURES[dialect][0]
    if signature not in SIGNATURES[dialect]:
        raise ProfileError(
            f"signature {signature!r} is not one of dialect {dialect}'s: {', '.join(SIGNATURES[dialect])}"
        )
    server_version = server_version_field(document)
    defaults = merge_expectations(defaults, dialect_expectations(dialect), f"dialect {dialect}")
    expect_raw = document.get("expect", {})
    if not isinstance(expect_raw, Mapping):
        raise ProfileError("[expect] must be a table")
    try:
        expect = merge_expectations(defaults, expect_raw)
    except ExpectationError as exc:
        raise ProfileError(str(exc)) from None
    if embedded:
        reference = reference_options(document.get("reference"))
        if "min_part_size" in reference and "min_part_size" in defaults and "min_part_size" not in expect_raw:
            expect["min_part_size"] = reference["min_part_size"]  # the endpoint we start is what we expect
        for key in ("endpoint", "credentials", "alt", "tls"):
            if key in document:
                raise ProfileError(
                    f"an embedded profile has no {key!r}: the plugin starts and signs in itself"
                )
        return Target(
            name=profile_name,
            dialect=dialect,
            rules=rules,
            endpoint="",
            credentials=Credentials("", ""),
            buckets=buckets_field(document.get("buckets"), None),
            expect=freeze(expect),
            embedded=True,
            reference_options=freeze(reference),
            known_deviations=known,
            signature=signature,
            server_version=server_version,
        )
    if "reference" in document:
        raise ProfileError("[reference] only applies to an embedded profile (embedded = true)")
    endpoint = endpoint_field(string_field(document, "endpoint", "the profile"), "the profile")
    return check_accounts(
        Target(
            name=profile_name,
            dialect=dialect,
            rules=rules,
            endpoint=endpoint,
            credentials=credentials_field(document.get("credentials"), env),
            buckets=buckets_field(document.get("buckets"), endpoint),
            expect=freeze(expect),
            known_deviations=known,
            alt_credentials=alt_credentials_field(document.get("alt"), env, required=require_alt),
            signature=signature,
            tls=parse_tls(document.get("tls"), ProfileError),
            server_version=server_version,
        )
    )


def dialect_expectations(dialect: str) -> dict[str, Any]:
    """The default expectations of `dialect` that differ from defaults.toml (fixtures/dialects/<d>.toml)."""
    path = fixtures_dir() / "dialects" / f"{dialect}.toml"
    return dict(read_toml(path, ProfileError).get("expect", {})) if path.is_file() else {}


def load_profile(
    path: str | Path, env: Mapping[str, str] | None = None, *, require_alt: bool = True
) -> Target:
    """Read and validate the profile at `path` (environment overrides not applied; `require_alt` as for
    parse_profile)."""
    path = Path(path)
    env = {} if env is None else env
    try:
        target = parse_profile(
            read_toml(path, ProfileError), name=path.stem, env=env, defaults=load_default_expectations(),
            require_alt=require_alt,
        )
        tls = target.tls.resolved(path.parent, ProfileError)
    except ProfileError as exc:
        message = str(exc)
        raise ProfileError(message if message.startswith(str(path)) else f"{path}: {message}") from None
    known = document_known_deviations(target, path)
    return replace(target, source=str(path), known_deviations=known, tls=tls)


def document_known_deviations(target: Target, path: Path) -> str:
    """The profile's ``known_deviations`` path, resolved against the profile's folder ("" when absent)."""
    given = target.known_deviations
    return str((path.parent / given).resolve()) if given else ""


def apply_environment(target: Target | None, env: Mapping[str, str]) -> Target | None:
    """Apply the JSS_* variables to `target` (or build a one-bucket target from them alone).

    JSS_ENDPOINT replaces the endpoint of the profile and of every bucket; JSS_ACCESS_KEY and JSS_SECRET_KEY
    (both or neither) replace the credentials; JSS_BUCKET with JSS_REGION replaces the bucket list by that one
    bucket. Without a profile, JSS_ENDPOINT makes a one-bucket target and needs the four others.
    """
    given = {name: env[name].strip() for name in ENV_VARIABLES if env.get(name, "").strip()}
    if not given:
        return target
    if ("JSS_ACCESS_KEY" in given) != ("JSS_SECRET_KEY" in given):
        missing = "JSS_SECRET_KEY" if "JSS_ACCESS_KEY" in given else "JSS_ACCESS_KEY"
        raise ProfileError(f"JSS_ACCESS_KEY and JSS_SECRET_KEY go together: {missing} is not set")
    if "JSS_REGION" in given and "JSS_BUCKET" not in given:
        raise ProfileError("JSS_REGION is set without JSS_BUCKET: set both for a one-bucket run")
    if target is None or target.embedded:
        if "JSS_ENDPOINT" not in given:
            if target is not None and set(given) <= {"JSS_ACCESS_KEY", "JSS_SECRET_KEY"}:
                return target  # the embedded endpoint generates its own credentials
            raise ProfileError(
                f"{sorted(given)[0]} is set but there is no target: set JSS_ENDPOINT too, or pass --target"
            )
        missing = [name for name in ENV_VARIABLES if name not in given]
        if missing:
            raise ProfileError(f"JSS_ENDPOINT is set: a one-bucket run also needs {', '.join(missing)}")
        endpoint = endpoint_field(given["JSS_ENDPOINT"], "JSS_ENDPOINT")
        bucket = _env_bucket(given, endpoint)
        defaults = target.expect if target is not None else freeze(load_default_expectations())
        return Target(
            name=f"env:{endpoint.split('://', 1)[1]}",
            dialect="jss",
            endpoint=endpoint,
            credentials=Credentials(given["JSS_ACCESS_KEY"], given["JSS_SECRET_KEY"]),
            buckets=[bucket],
            expect=defaults,
            source="environment",
        )
    changes: dict[str, Any] = {}
    if "JSS_ENDPOINT" in given:
        endpoint = endpoint_field(given["JSS_ENDPOINT"], "JSS_ENDPOINT")
        changes["endpoint"] = endpoint
        changes["buckets"] = [replace(bucket, endpoint=endpoint) for bucket in target.buckets]
    if "JSS_ACCESS_KEY" in given:
        changes["credentials"] = Credentials(given["JSS_ACCESS_KEY"], given["JSS_SECRET_KEY"])
    if "JSS_BUCKET" in given:
        changes["buckets"] = [_env_bucket(given, changes.get("endpoint", target.endpoint), target)]
    return check_accounts(replace(target, **changes))


def _env_bucket(given: Mapping[str, str], endpoint: str, target: Target | None = None) -> BucketSpec:
    name = given["JSS_BUCKET"]
    if not BUCKET_NAME.match(name):
        raise ProfileError(f"JSS_BUCKET {name!r} must be 3-63 characters of a-z, 0-9 and -")
    region = given.get("JSS_REGION")
    if region is None:
        known = next((bucket for bucket in target.buckets if bucket.name == name), None) if target else None
        if known is None:
            raise ProfileError("JSS_BUCKET is set: set JSS_REGION to the bucket's region too")
        region = known.region
    if not REGION_NAME.match(region):
        raise ProfileError(f"JSS_REGION {region!r} does not look like a region (e.g. cn-north-1)")
    return BucketSpec(name, region, endpoint)


def resolve_target(profile: str | Path | None, env: Mapping[str, str], *, require_alt: bool = True) -> Target:
    """The target of a run: the profile (or the embedded one when None) with the JSS_* variables applied
    (`require_alt` as for parse_profile).

    An embedded target still has no endpoint and placeholder credentials: the plugin fills them in when it
    starts the reference endpoint. ProfileError also when a CA variable that would verify an https endpoint
    names nothing.
    """
    if profile is not None:
        target = apply_environment(load_profile(profile, env, require_alt=require_alt), env)
    elif env.get("JSS_ENDPOINT", "").strip():
        target = apply_environment(None, env)
    else:
        target = apply_environment(load_profile(embedded_profile_path(), env), env)
    check_environment(env, [bucket.endpoint for bucket in target.buckets], target.tls, ProfileError)
    return target
