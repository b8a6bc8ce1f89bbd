"""Replay a recorded suite run (see `recorder`) with a plain `requests.Session` loop against a fresh endpoint.

Everything that does not depend on the clock is prepared before the clock starts (bodies loaded, URLs
parsed). Inside the timed loop, per request, only what a plain script would do: point the URL at the new
endpoint, swap recorded upload ids for the ones the new endpoint handed out, re-sign (a fresh Date, or a
shifted Expires for a presigned URL) with `conformance.signing`, send, read the body.

Re-signing keeps each request's intent: a request whose recorded signature verifies with the suite's secret
over its recorded string to sign gets the same string with only the date (and upload id) changed, so a
deliberately wrong resource or header set stays wrong, and a Date 14 or 16 minutes off stays that far off.
Both accounts of the embedded endpoint (the suite's and the second one) are re-signed this way. A request
that was signed with another secret, or sent anonymously, is sent as recorded (its Date is a few
seconds old). The replay counts how many statuses match the recording, so an unfaithful replay shows.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import psutil
import requests
from urllib3._collections import HTTPHeaderDict

from conformance import signing


@dataclass
class RecordedRequest:
    """One request of the recording, ready to be replayed."""

    method: str
    url: str
    headers: list[tuple[str, str]]
    body: bytes
    chunked: bool
    string_to_sign: str | None
    sent_at: float
    status: int | None
    upload_id: str | None


@dataclass
class Recording:
    """The requests of a recorded run and the endpoint they went to."""

    requests: list[RecordedRequest]
    endpoints: dict[str, str]
    deviations: list[str]
    min_part_size: int | None

    @property
    def body_bytes(self) -> int:
        """Total request body bytes."""
        return sum(len(request.body) for request in self.requests)


def load_recording(directory: Path) -> Recording:
    """Read ``meta.json``, ``exchanges.jsonl`` and the bodies a recording run wrote."""
    meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    bodies: dict[str, bytes] = {}
    recorded = []
    with (directory / "exchanges.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            digest = item["body"]
            if digest and digest not in bodies:
                bodies[digest] = (directory / "bodies" / digest).read_bytes()
            recorded.append(
                RecordedRequest(
                    method=item["method"], url=item["url"], headers=[tuple(h) for h in item["headers"]],
                    body=bodies[digest] if digest else b"", chunked=item["chunked"],
                    string_to_sign=item["string_to_sign"], sent_at=item["sent_at"], status=item["status"],
                    upload_id=item["upload_id"],
                )
            )
    recorded.sort(key=lambda request: request.sent_at)
    return Recording(recorded, meta["endpoints"], meta["deviations"], meta["min_part_size"])


@dataclass
class ReplayResult:
    """How the replay went."""

    seconds: float
    count: int
    matching_status: int
    resigned: int
    client_cpu: float = 0.0
    endpoint_cpu: float = 0.0
    mismatches: list[str] = field(default_factory=list)


class _Resigner:
    """Re-signs recorded requests with the secret of the account (the suite's or the second one) whose
    access key they carry."""

    def __init__(self, secrets: dict[str, str]) -> None:
        self.secrets = secrets

    def verifies(self, access_key: str, string_to_sign: str | None, sent_signature: str | None) -> bool:
        """True when the recorded signature is `access_key`'s secret's signature of the recorded string."""
        secret = self.secrets.get(access_key)
        if not string_to_sign or not sent_signature or secret is None:
            return False
        return signing.signature(secret, string_to_sign) == sent_signature

    def sign(self, access_key: str, string_to_sign: str) -> str:
        """The signature of `string_to_sign` with `access_key`'s secret."""
        return signing.signature(self.secrets[access_key], string_to_sign)


def _with_date(string_to_sign: str, date: str) -> str:
    lines = string_to_sign.split("\n")
    lines[3] = date
    return "\n".join(lines)


def _swap_ids(text: str, ids: dict[str, str]) -> str:
    for old, new in ids.items():
        if old in text:
            text = text.replace(old, new)
    return text


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    wanted = name.lower()
    return next((value for key, value in headers if key.lower() == wanted), None)


def _replace_header(headers: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    wanted = name.lower()
    return [(key, value if key.lower() == wanted else old) for key, old in headers]


def _presigned(url: str) -> dict[str, str]:
    query = urlsplit(url).query
    wanted = ("Expires", "Signature", "AccessKey")
    return {key: unquote(value or "") for key, value in signing.parse_query(query) if key in wanted}


def _set_query_value(url: str, name: str, value: str) -> str:
    base, _, query = url.partition("?")
    items = [f"{name}={quote(value, safe='')}" if item.split("=", 1)[0] == name else item
             for item in query.split("&")]
    return f"{base}?{'&'.join(items)}"


def _prepare(
    request: RecordedRequest, ids: dict[str, str], resigner: _Resigner, now: float
) -> tuple[str, list[tuple[str, str]], bool]:
    """(URL, headers, re-signed?) of `request` replayed at wall time `now` (endpoint already mapped)."""
    url, headers = _swap_ids(request.url, ids), list(request.headers)
    shift = now - request.sent_at
    sts = request.string_to_sign
    authorization = _header(headers, "Authorization")
    if authorization is not None:
        try:
            access_key, sent = signing.parse_authorization(authorization)
        except ValueError:
            return url, headers, False
        date = _header(headers, "Date")
        if date is None or not resigner.verifies(access_key, sts, sent) or sts.split("\n")[3] != date:
            return url, headers, False
        try:
            fresh = signing.http_date(signing.parse_http_date(date) + shift)
        except ValueError:
            return url, headers, False
        signature = resigner.sign(access_key, _swap_ids(_with_date(sts, fresh), ids))
        headers = _replace_header(headers, "Date", fresh)
        authorization = signing.authorization_header(access_key, signature)
        headers = _replace_header(headers, "Authorization", authorization)
        return url, headers, True
    presigned = _presigned(url)
    if "Signature" in presigned and "Expires" in presigned and presigned["Expires"].lstrip("-").isdigit():
        signed_expires = sts.split("\n")[3] if sts else None
        access_key = presigned.get("AccessKey", "")
        verified = resigner.verifies(access_key, sts, presigned["Signature"])
        if not verified or signed_expires != presigned["Expires"]:
            return url, headers, False
        expires = str(int(presigned["Expires"]) + round(shift))
        signature = resigner.sign(access_key, _swap_ids(_with_date(sts, expires), ids))
        url = _set_query_value(_set_query_value(url, "Expires", expires), "Signature", signature)
        return url, headers, True
    return url, headers, False


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def replay(recording: Recording, endpoints: dict[str, str], secrets: dict[str, str],
           endpoint_pid: int, timeout: float = 60.0) -> ReplayResult:
    """Send every recorded request, in order, to `endpoints` (region -> base URL) and time the loop (wall
    time, and CPU time of this process and of the endpoint process `endpoint_pid`); `secrets` maps the
    endpoint's access keys to their secrets, for re-signing."""
    client, endpoint = psutil.Process(), psutil.Process(endpoint_pid)
    bases = {old.rstrip("/"): endpoints[region].rstrip("/") for region, old in recording.endpoints.items()}
    old_ports = {urlsplit(old).port: urlsplit(new).port for old, new in bases.items()}
    resigner = _Resigner(secrets)
    prepared = []
    for request in recording.requests:
        old_base = next((base for base in bases if request.url.startswith(base + "/")
                         or request.url == base), None)
        mapped = RecordedRequest(**{**request.__dict__})
        if old_base is not None:
            mapped.url = bases[old_base] + request.url[len(old_base):]
        host = _header(request.headers, "Host")
        if host and ":" in host and host.rsplit(":", 1)[1].isdigit():
            name, port = host.rsplit(":", 1)
            new_host = f"{name}:{old_ports.get(int(port), port)}"
            mapped.headers = _replace_header(request.headers, "Host", new_host)
        prepared.append(mapped)
    ids: dict[str, str] = {}
    result = ReplayResult(0.0, len(prepared), 0, 0)
    with requests.Session() as session:
        client_cpu, endpoint_cpu = _cpu(client), _cpu(endpoint)
        started = time.perf_counter()
        for request in prepared:
            now = time.clock_gettime(time.CLOCK_REALTIME)
            url, headers, resigned = _prepare(request, ids, resigner, now)
            body = iter([request.body]) if request.chunked else request.body
            outgoing = session.prepare_request(requests.Request(request.method, url, data=body))
            outgoing.url = url  # the query exactly as recorded (order, bare keys, encoding)
            outgoing.headers = HTTPHeaderDict(headers)  # every header as recorded, duplicates too
            response = session.send(outgoing, timeout=timeout, allow_redirects=False)
            response.content  # noqa: B018 - read the body, as the client does
            result.resigned += resigned
            if request.upload_id and response.status_code == 200:
                try:
                    document = response.json()
                    ids[request.upload_id] = document.get("UploadId", document.get("UploadID"))
                except ValueError:
                    pass
            if response.status_code == request.status:
                result.matching_status += 1
            elif len(result.mismatches) < 10:
                change = f"{request.status} -> {response.status_code}"
                result.mismatches.append(f"{request.method} {url}: {change}")
        result.seconds = time.perf_counter() - started
        result.client_cpu, result.endpoint_cpu = _cpu(client) - client_cpu, _cpu(endpoint) - endpoint_cpu
    return result
