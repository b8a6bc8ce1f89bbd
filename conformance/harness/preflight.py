"""The preflight probe: before any case, can the run use every bucket of its target as the profile says?

It runs once per run, so that a bad setup gives one line and exit status 2 (a configuration error) or one
INFRA_ERROR and exit status 3 (the endpoint cannot be reached), never a hundred failures. Per bucket, with the
run's credentials, it sends the signed requests every case depends on, each wire its own
(``fixtures/preflight/probes.toml``):

- jss: ``GET /bucket?maxKeys=1`` (GetBucket) and ``GET /bucket?uploads&max-uploads=1`` (ListMultipartUploads);
- s3: ``GET /bucket?list-type=2&max-keys=1`` (ListObjectsV2) and ``GET /bucket?uploads&max-uploads=1``;

and, on a wire whose ListBuckets names regions (jss), per endpoint ``GET /`` (ListBuckets), whose ``Location``
says each of the caller's buckets' region (the documentation defines the field; an endpoint that leaves it
empty gets a warning, not an error).

A 3xx or 4xx answer to a bucket probe stops the run: a wrong secret key (403 SignatureDoesNotMatch), an
unknown access key (403 InvalidAccessKey), a bucket of another account (403 AccessDenied), a missing bucket
(404 NoSuchBucket), a clock off by more than 15 minutes, a redirect to another endpoint, a request signed for
another region than the store's; so does a bucket whose listed region is not the profile's. The line names
the bucket, the request, the status, the error code and the server's own message (masked, shortened), then
a hint (``fixtures/preflight/answers.toml``), never the secret. A 5xx answer is a warning: the cases will
show it. The ``Server`` header of the answers is kept: the run's server version when the profile names none.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

import requests

from conformance import operations as ops
from conformance.client import JssClient
from conformance.clients import client_for
from conformance.masking import mask_secrets
from conformance.outcomes import InfraError, NotImplementedByTarget
from conformance.paths import fixtures_dir
from conformance.target import BucketSpec, ProfileError, Target
from conformance.tls import new_session, tls_problem
from conformance.tomlfile import read_toml

PREFLIGHT_TIMEOUT = 5.0
#: The longest server message a preflight line quotes (longer ones are cut, with an ellipsis).
MESSAGE_LIMIT = 160
_REASON = re.compile(
    r"\[Errno -?\d+\] [^'\")\]]+|timed out|Name or service not known|certificate verify failed"
)


class SetupError(ProfileError):
    """The target cannot be used as its profile says (credentials, bucket, region); one line of text."""


def short_reason(exc: BaseException) -> str:
    """The gist of a connection error (e.g. ``[Errno 111] Connection refused``, or the certificate problem),
    not urllib3's whole story."""
    problem = tls_problem(exc)
    if problem:
        return problem
    text = str(exc)
    match = _REASON.search(text)
    cause = exc.__cause__
    return match.group(0).strip() if match else (type(cause).__name__ if cause else text.splitlines()[0])


def _document(response: requests.Response):
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


def _code(response: requests.Response) -> str | None:
    code = ops.error_code(response)  # the JSON "code" or, in the S3 dialect, the XML <Code>
    return code if isinstance(code, str) and code else None


@lru_cache(maxsize=1)
def _probes() -> dict:
    return read_toml(fixtures_dir() / "preflight" / "probes.toml", ProfileError)


def _query_pairs(query: str) -> list[tuple[str, str | None]]:
    """``uploads&max-uploads=1`` -> ``[("uploads", None), ("max-uploads", "1")]`` (a bare name: no value)."""
    pairs = []
    for item in query.split("&"):
        name, equals, value = item.partition("=")
        pairs.append((name, value if equals else None))
    return pairs


def bucket_probes(wire: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The signed requests the preflight sends to every bucket of a target of `wire`: (what the line calls
    it, query pairs), from fixtures/preflight/probes.toml."""
    return [(f"?{query}", _query_pairs(query)) for query in _probes()[wire]["bucket_probes"]]


def server_message(response: requests.Response, secrets) -> str | None:
    """The server's own message in an error answer (JSON ``message`` / XML ``<Message>``), on one line, its
    secrets masked, cut to MESSAGE_LIMIT characters; None when it gives none."""
    message = ops.error_message(response)
    if message is None:
        return None
    text = " ".join(mask_secrets(message, secrets).split())
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1].rstrip() + "\u2026"


def _answered(response: requests.Response, target: Target) -> str:
    """``403 AccessDenied, saying "..."``: the status, the error code and the server's message."""
    words = f"{response.status_code} {_code(response) or '(no error code)'}"
    message = server_message(response, target.secrets)
    return f'{words}, saying "{message}"' if message else words


@lru_cache(maxsize=1)
def _answers() -> dict:
    return read_toml(fixtures_dir() / "preflight" / "answers.toml", ProfileError)


def _hint(status: int, code: str | None, target: Target) -> str:
    answers = _answers()
    template = answers["hints"].get(code or "")
    if template is None:
        template = answers["fallback"]["redirect" if 300 <= status < 400 else "refused"]
    return template.format(access_key=target.credentials.access_key)


def _send(client: JssClient, bucket: BucketSpec, query) -> requests.Response | None:
    """One probe; None when the target answers 501 (that operation's cases will say NOT_IMPLEMENTED)."""
    try:
        return client.request("GET", bucket.name if bucket else None, query=query)
    except NotImplementedByTarget:
        return None
    except InfraError as exc:
        where = f" (bucket {bucket.name})" if bucket else ""
        raise InfraError(
            f"cannot reach {client.endpoint}{where}: {short_reason(exc)}"
        ) from exc


def _check_bucket(client: JssClient, bucket: BucketSpec, target: Target, warnings: list[str]) -> None:
    for shown, query in bucket_probes(target.dialect):
        response = _send(client, bucket, query)
        if response is None:
            continue
        status, code = response.status_code, _code(response)
        answer = f"GET /{bucket.name}{shown} answered {_answered(response, target)}"
        where = f"target {target.name}: bucket {bucket.name} ({bucket.region}) at {bucket.endpoint}"
        if 300 <= status < 500:
            raise SetupError(f"{where}: {answer}: {_hint(status, code, target)}")
        if status >= 500:
            warnings.append(f"preflight: {where}: {answer}")


def _listed_regions(client: JssClient, target: Target, warnings: list[str]) -> dict[str, str]:
    """Bucket name -> Location from ListBuckets at `client`'s endpoint (empty when it cannot say)."""
    response = _send(client, None, None)
    if response is None or response.status_code != 200:
        status = "501" if response is None else f"{response.status_code} {_code(response) or ''}".strip()
        warnings.append(
            f"preflight: GET / (ListBuckets) at {client.endpoint} answered {status}: "
            "the buckets' regions are taken from the profile unchecked"
        )
        return {}
    document = _document(response)
    buckets = document.get("Buckets") if isinstance(document, dict) else None
    listed = {}
    for entry in buckets if isinstance(buckets, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("Name"), str):
            location = entry.get("Location")
            listed[entry["Name"]] = location.strip() if isinstance(location, str) else ""
    return listed


def _check_region(bucket: BucketSpec, listed: dict[str, str], target: Target, warnings: list[str]) -> None:
    location = listed.get(bucket.name)
    if location is None:
        return  # not the caller's own bucket (shared with it): its region cannot be told
    if not location:
        warnings.append(
            f"preflight: ListBuckets at {bucket.endpoint} gives no Location for bucket {bucket.name}: "
            f"its region {bucket.region} is taken from the profile unchecked"
        )
    elif location != bucket.region:
        raise SetupError(
            f"target {target.name}: bucket {bucket.name} at {bucket.endpoint}: GET / (ListBuckets) answered "
            f"200 with Location {location}, but the profile says region {bucket.region}"
        )


def preflight(
    target: Target,
    timeout: float = PREFLIGHT_TIMEOUT,
    round_trips: list[float] | None = None,
    server_headers: list[str] | None = None,
) -> list[str]:
    """Probe every bucket and endpoint of `target` (see the module text).

    Raises InfraError when an endpoint cannot be reached (never retried but on a stale keep-alive connection:
    conformance.keepalive), SetupError (a ProfileError) when
    the target cannot be used as the profile says. Returns warnings to show in the report header. When
    `round_trips` is given, the seconds each probe took (request sent to answer head) are appended to it;
    when `server_headers` is given, the ``Server`` header of each answer that has one.
    """
    warnings: list[str] = []
    listings: dict[str, dict[str, str]] = {}
    with new_session(target.tls, target.endpoint) as session:
        if round_trips is not None:
            session.hooks["response"].append(
                lambda response, *_, **__: round_trips.append(response.elapsed.total_seconds())
            )
        if server_headers is not None:
            session.hooks["response"].append(
                lambda response, *_, **__: server_headers.extend(
                    [response.headers["Server"]] if response.headers.get("Server") else []
                )
            )
        for bucket in target.buckets:
            client = client_for(target, bucket, timeout=timeout, session=session)
            _check_bucket(client, bucket, target, warnings)
            if not _probes()[target.dialect]["regions_from_list_buckets"]:
                continue  # this wire's ListBuckets names no region: the profile's regions stand
            if bucket.endpoint not in listings:
                listings[bucket.endpoint] = _listed_regions(client, target, warnings)
            _check_region(bucket, listings[bucket.endpoint], target, warnings)
        warnings += probe_alt_account(target, session, timeout)
    return warnings


def probe_alt_account(target: Target, session: requests.Session, timeout: float) -> list[str]:
    """Check the profile's second account ([alt]) with a signed ListBuckets (``GET /``): its refusals in the
    access family mean something only when the endpoint knows it and accepts its signature.

    SetupError for an unknown access key or a refused signature; nothing for 403 AccessDenied (the account is
    known, and allowed nothing: e.g. an IAM user without a policy); a warning for any other error answer.
    """
    alt = target.alt_credentials
    if alt is None:
        return []
    endpoint = target.primary_bucket.endpoint
    client = client_for(target, target.primary_bucket, alt, timeout=timeout, session=session)
    try:
        response = client.request("GET")
    except NotImplementedByTarget:
        return []
    except InfraError as exc:
        reason = short_reason(exc)
        raise InfraError(f"cannot reach {endpoint} (second account): {reason}") from exc
    code = _code(response)
    answer = f"GET / (ListBuckets) with the [alt] account {alt.access_key} answered "
    answer += _answered(response, target)
    refusals = ("InvalidAccessKey", "InvalidAccessKeyId", "SignatureDoesNotMatch")  # JSS, S3, both
    if response.status_code == 403 and code in refusals:
        raise SetupError(
            f"target {target.name}: {endpoint}: {answer}: check the environment variables its profile names"
        )
    if response.status_code == 403 and code == "AccessDenied":
        return []  # the key is known and its signature accepted; an account allowed nothing may not list
    if response.status_code >= 400:
        return [f"preflight: {endpoint}: {answer}: the access cases of the second account may fail for it"]
    return []
