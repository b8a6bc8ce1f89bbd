"""The preflight probe: can the target's endpoints be reached, do its buckets exist, is the key known?

It runs once per run, before any case, so that an unreachable endpoint gives one INFRA_ERROR (exit status 3)
and a missing bucket or unknown access key one configuration error (exit status 2), never a hundred failures.
"""

from __future__ import annotations

import json
import re

import requests

from conformance.client import JssClient
from conformance.outcomes import InfraError, NotImplementedByTarget
from conformance.target import ProfileError, Target

PREFLIGHT_TIMEOUT = 5.0
_REASON = re.compile(
    r"\[Errno -?\d+\] [^'\")\]]+|timed out|Name or service not known|certificate verify failed"
)


def short_reason(exc: BaseException) -> str:
    """The gist of a connection error (e.g. ``[Errno 111] Connection refused``), not urllib3's whole story."""
    text = str(exc)
    match = _REASON.search(text)
    cause = exc.__cause__
    return match.group(0).strip() if match else (type(cause).__name__ if cause else text.splitlines()[0])


def _code(response: requests.Response) -> str | None:
    try:
        document = json.loads(response.content or b"null")
    except ValueError:
        return None
    return document.get("code") if isinstance(document, dict) else None


def preflight(target: Target, timeout: float = PREFLIGHT_TIMEOUT) -> list[str]:
    """Probe every bucket with a signed GET /bucket?maxKeys=1 (one retry on connection errors).

    Raises InfraError (from the client) when an endpoint cannot be reached, ProfileError when a bucket does
    not exist or the access key is unknown. Returns warnings (e.g. a rejected signature) to show the user.
    """
    warnings: list[str] = []
    with requests.Session() as session:
        for bucket in target.buckets:
            client = JssClient(bucket.endpoint, target.credentials, timeout=timeout, session=session)
            try:
                response = client.request("GET", bucket.name, query=[("maxKeys", "1")])
            except NotImplementedByTarget:
                continue
            except InfraError as exc:
                raise InfraError(
                    f"cannot reach {bucket.endpoint} (bucket {bucket.name}): {short_reason(exc)}, "
                    "after one retry"
                ) from exc
            code = _code(response)
            where = f"{bucket.endpoint} (bucket {bucket.name})"
            if response.status_code == 404 and code == "NoSuchBucket":
                raise ProfileError(
                    f"target {target.name}: bucket {bucket.name} does not exist at {bucket.endpoint}"
                )
            if response.status_code == 403 and code == "InvalidAccessKey":
                raise ProfileError(
                    f"target {target.name}: {bucket.endpoint} does not know the access key "
                    f"{target.credentials.access_key}"
                )
            if response.status_code >= 400:
                warnings.append(
                    f"preflight: GET /{bucket.name} on {where} answered HTTP {response.status_code} "
                    f"{code or '(no code)'}: check the credentials if every case fails"
                )
        warnings += probe_alt_account(target, session, timeout)
    return warnings


def probe_alt_account(target: Target, session: requests.Session, timeout: float) -> list[str]:
    """Check the profile's second account ([alt]) with a signed ListBuckets (``GET /``): its refusals in the
    access family mean something only when the endpoint knows it and accepts its signature.

    ProfileError for an unknown access key or a refused signature; a warning for any other error answer.
    """
    alt = target.alt_credentials
    if alt is None:
        return []
    endpoint = target.primary_bucket.endpoint
    client = JssClient(endpoint, alt, timeout=timeout, session=session)
    try:
        response = client.request("GET")
    except NotImplementedByTarget:
        return []
    except InfraError as exc:
        reason = short_reason(exc)
        raise InfraError(f"cannot reach {endpoint} (second account): {reason}, after one retry") from exc
    code = _code(response)
    if response.status_code == 403 and code in ("InvalidAccessKey", "SignatureDoesNotMatch"):
        raise ProfileError(
            f"target {target.name}: {endpoint} refuses the [alt] account {alt.access_key} ({code}): "
            "check the environment variables its profile names"
        )
    if response.status_code >= 400:
        return [
            f"preflight: GET / with the [alt] account on {endpoint} answered HTTP {response.status_code} "
            f"{code or '(no code)'}: the access cases of the second account may fail for that reason"
        ]
    return []
