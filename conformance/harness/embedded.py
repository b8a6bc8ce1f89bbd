"""Start the embedded reference endpoint for a run: generated credentials (two accounts), the profile's
regions, buckets."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace

from conformance.client import Credentials, JssClient
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


def start_embedded(
    target: Target, deviations: Sequence[str] = (), timeout: float = 30.0, extra_args: Sequence[str] = ()
):
    """Start the reference endpoint for `target` (an embedded profile) with two generated accounts (the
    suite's, which creates the buckets with PutBucket, and a second one owning nothing: the access family).

    `extra_args` are more server options (the SDK scenarios' ``--faults --record FILE``).
    Returns (the target with endpoints and credentials filled in, the ReferenceProcess to stop at the end).
    Raises InfraError when the endpoint does not start or a bucket cannot be created.
    """
    from conformance.reference.launch import ReferenceStartError, start_reference

    options = target.reference_options
    all_deviations = list(dict.fromkeys([*options.get("deviations", ()), *deviations]))
    check_deviations(all_deviations)
    credentials, alt = generated_credentials(), generated_credentials()
    try:
        reference = start_reference(
            regions=tuple(target.regions),
            users=[
                (SUITE_USER, credentials.access_key, credentials.secret_key),
                (ALT_USER, alt.access_key, alt.secret_key),
            ],
            deviations=tuple(all_deviations),
            min_part_size=options.get("min_part_size"),
            extra_args=tuple(extra_args),
        )
    except (ReferenceStartError, OSError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InfraError(f"the embedded reference endpoint did not start: {first_line}") from exc
    try:
        buckets = [BucketSpec(b.name, b.region, reference.endpoints[b.region]) for b in target.buckets]
        for bucket in buckets:
            client = JssClient(bucket.endpoint, credentials, timeout=timeout)
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
