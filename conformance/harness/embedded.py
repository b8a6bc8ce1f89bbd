"""Start the embedded reference endpoint for a run: generated credentials (two accounts), the profile's
regions, buckets.

`jss-conformance run` may spawn the endpoint early (:func:`prestart_embedded`, before pytest is imported), so
its start-up overlaps the harness's own; :func:`start_embedded` then takes that process when it asks for the
same endpoint (regions, deviations, options), and starts its own otherwise. Whoever prestarted calls
:func:`discard_prestarted` at the end, which stops a process nobody took.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from conformance.client import Credentials
from conformance.clients import client_for
from conformance.outcomes import InfraError
from conformance.target import BucketSpec, ProfileError, Target

SUITE_USER = "jss-conformance"
#: The embedded endpoint's second account (the access family): it owns none of the buckets.
ALT_USER = "jss-conformance-alt"


def generated_credentials() -> Credentials:
    """Random credentials for one run (the secret is never printed)."""
    return Credentials("JSSC" + secrets.token_hex(8).upper(), secrets.token_urlsafe(30))


def check_deviations(names: Sequence[str]) -> None:
    """ProfileError for a deviation name the reference endpoint does not know."""
    from conformance.reference.deviations import DEVIATIONS

    for name in names:
        if name not in DEVIATIONS:
            raise ProfileError(f"unknown deviation {name!r} (known: {', '.join(DEVIATIONS)})")


@dataclass
class _Prestarted:
    key: tuple
    reference: Any  # conformance.reference.launch.ReferenceProcess, not waited for yet
    credentials: Credentials
    alt: Credentials


_PRESTARTED: list[_Prestarted] = []


def _launch_key(target: Target, deviations: Sequence[str], extra_args: Sequence[str]) -> tuple:
    """(regions, deviations, min part size, extra server arguments) of the endpoint for `target` (its wire
    is one of the arguments: ``--wire s3`` for an S3 profile)."""
    options = target.reference_options
    all_deviations = tuple(dict.fromkeys([*options.get("deviations", ()), *deviations]))
    wire = ("--wire", target.dialect) if target.dialect != "jss" else ()
    return tuple(target.regions), all_deviations, options.get("min_part_size"), (*wire, *extra_args)


def _users(credentials: Credentials, alt: Credentials) -> list[tuple[str, str, str]]:
    return [
        (SUITE_USER, credentials.access_key, credentials.secret_key),
        (ALT_USER, alt.access_key, alt.secret_key),
    ]


def prestart_embedded(target: Target, deviations: Sequence[str] = (), extra_args: Sequence[str] = ()) -> None:
    """Spawn the endpoint for `target` without waiting for it (with generated credentials), for a later
    `start_embedded` asking for the same one. ProfileError for an unknown deviation, OSError when the
    process cannot be spawned (nothing is left running then)."""
    from conformance.reference.launch import spawn_reference

    discard_prestarted()
    key = _launch_key(target, deviations, extra_args)
    check_deviations(key[1])
    credentials, alt = generated_credentials(), generated_credentials()
    reference = spawn_reference(
        regions=key[0], users=_users(credentials, alt), deviations=key[1], min_part_size=key[2],
        extra_args=key[3],
    )
    _PRESTARTED.append(_Prestarted(key, reference, credentials, alt))


def discard_prestarted() -> None:
    """Stop a prestarted endpoint that `start_embedded` did not take (no-op without one)."""
    while _PRESTARTED:
        _PRESTARTED.pop().reference.stop()


def _take_prestarted(key: tuple) -> _Prestarted | None:
    """The prestarted endpoint when it is the one asked for (another one is stopped)."""
    if _PRESTARTED and _PRESTARTED[-1].key == key:
        return _PRESTARTED.pop()
    discard_prestarted()
    return None


def start_embedded(
    target: Target, deviations: Sequence[str] = (), timeout: float = 30.0, extra_args: Sequence[str] = ()
):
    """Start the reference endpoint for `target` (an embedded profile) with two generated accounts (the
    suite's, which creates the buckets with PutBucket, and a second one owning nothing: the access family).

    `extra_args` are more server options (the SDK scenarios' ``--faults --record FILE``).
    Returns (the target with endpoints and credentials filled in, the ReferenceProcess to stop at the end).
    Raises InfraError when the endpoint does not start or a bucket cannot be created.
    """
    from conformance.reference.launch import READY_TIMEOUT, ReferenceStartError, start_reference

    key = _launch_key(target, deviations, extra_args)
    check_deviations(key[1])
    prestarted = _take_prestarted(key)
    try:
        if prestarted is not None:
            reference, credentials, alt = prestarted.reference, prestarted.credentials, prestarted.alt
            try:
                reference.wait_ready(READY_TIMEOUT)
            except BaseException:
                reference.stop()
                raise
        else:
            credentials, alt = generated_credentials(), generated_credentials()
            reference = start_reference(
                regions=key[0], users=_users(credentials, alt), deviations=key[1], min_part_size=key[2],
                extra_args=key[3],
            )
    except (ReferenceStartError, OSError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InfraError(f"the embedded reference endpoint did not start: {first_line}") from exc
    try:
        buckets = [BucketSpec(b.name, b.region, reference.endpoints[b.region]) for b in target.buckets]
        for bucket in buckets:
            client = client_for(replace(target, credentials=credentials), bucket, timeout=timeout)
            try:
                response = client.request("PUT", bucket.name)
            finally:
                client.close()
            if response.status_code not in (200, 201):
                raise InfraError(
                    f"the embedded endpoint refused to create bucket {bucket.name} in {bucket.region}: "
                    f"HTTP {response.status_code}"
                )
    except BaseException:
        reference.stop()
        raise
    primary = next((b for b in buckets if b.region == target.primary_bucket.region), buckets[0])
    filled = replace(
        target, endpoint=primary.endpoint, credentials=credentials, buckets=buckets, alt_credentials=alt
    )
    return filled, reference
