"""The client of a target's dialect: :class:`~conformance.client.JssClient` for "jss",
:class:`~conformance.client_s3.S3Client` (signing for the bucket's region) for "s3"."""

from __future__ import annotations

import requests

from conformance.client import Credentials, JssClient
from conformance.target import BucketSpec, Target
from conformance.tls import new_session


def client_for(
    target: Target,
    bucket: BucketSpec,
    credentials: Credentials | None = None,
    *,
    anonymous: bool = False,
    timeout: float = 30.0,
    session: requests.Session | None = None,
) -> JssClient:
    """A client for `bucket`'s endpoint in the target's dialect, signing with `credentials` (default: the
    target's), or sending no Authorization at all when `anonymous`. Without a `session`, one of its own
    with the target's TLS settings (conformance.tls.new_session)."""
    credentials = None if anonymous else credentials or target.credentials
    session = session if session is not None else new_session(target.tls, bucket.endpoint)
    if target.dialect == "s3":
        from conformance.client_s3 import S3Client

        client: JssClient = S3Client(
            bucket.endpoint, credentials, region=bucket.region, signature=target.signature or "v4",
            timeout=timeout, session=session,
        )
    else:
        client = JssClient(bucket.endpoint, credentials, timeout=timeout, session=session)
    client.rules = target.rulebook
    return client
