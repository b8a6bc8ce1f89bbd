"""Helpers of the reference endpoint's tests: users, a signed-request helper, the error assertion.

The helper uses plain `requests` and `conformance.signing`; it does not depend on the suite's client.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import socket
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import requests

from conformance import signing
from conformance.reference.launch import ReferenceProcess

NORTH, EAST = "cn-north-1", "cn-east-2"
MiB = 1024 * 1024


@dataclass(frozen=True)
class RefUser:
    """A user of the test server."""

    name: str
    access_key: str
    secret_key: str

    def as_tuple(self) -> tuple[str, str, str]:
        """(name, access_key, secret_key), as start_reference takes it."""
        return self.name, self.access_key, self.secret_key


ALICE = RefUser("alice", "AKALICE0000000001", "alice-secret")
BOB = RefUser("bob", "AKBOB000000000002", "bob-secret")
USERS = [ALICE.as_tuple(), BOB.as_tuple()]

_names = itertools.count()


def target_of(bucket: str | None, key: str | None, query: str = "") -> str:
    """The path-style request target, the key percent-encoded as a client would."""
    path = "/" + (bucket or "") + ("/" + quote(key, safe="/") if key is not None else "")
    return path + ("?" + query if query else "")


class Api:
    """Signed requests to one running reference endpoint."""

    def __init__(self, reference: ReferenceProcess, service_domain: str = "jss.localhost") -> None:
        self.reference = reference
        self.service_domain = service_domain
        self.session = requests.Session()

    def url(self, region: str = NORTH) -> str:
        """The base URL of `region`."""
        return self.reference.endpoints[region]

    def call(
        self,
        method: str,
        bucket: str | None = None,
        key: str | None = None,
        query: str = "",
        headers: dict[str, str] | None = None,
        data: object = b"",
        user: RefUser | None = ALICE,
        region: str = NORTH,
        date: str | None = None,
        virtual_host: bool = False,
        stream: bool = False,
        send_date: bool = True,
        signed_resource: str | None = None,
        signed_headers: str | None = None,
    ) -> requests.Response:
        """Send one request signed in the Authorization header (`user=None`: anonymous).

        `send_date=False` sends no Date (the signature covers an empty Date line); `signed_resource` and
        `signed_headers` replace the CanonicalizedResource and CanonicalizedHeaders the signature is computed
        over (to send what a specifically wrong signer computes)."""
        headers = dict(headers or {})
        if send_date:
            headers.setdefault("Date", date or signing.http_date())
        if virtual_host:
            target = "/" + (quote(key, safe="/") if key is not None else "") + ("?" + query if query else "")
            host = f"{bucket}.{self.service_domain}:{urlsplit(self.url(region)).port}"
            headers["Host"] = host
        else:
            target = target_of(bucket, key, query)
        if user is not None:
            host_bucket = bucket if virtual_host else None
            resource = signed_resource or signing.resource_from_target(target, host_bucket)
            headers["Authorization"] = _authorization(method, resource, headers, user, signed_headers)
        return self.session.request(
            method, self.url(region) + target, headers=headers, data=data, stream=stream
        )

    def admin(
        self,
        method: str,
        script_id: str = "",
        query: str = "",
        payload: object = None,
        user: RefUser | None = ALICE,
        data: bytes = b"",
    ) -> requests.Response:
        """A request to the fault-script admin route (``serve --faults``), signed by `user` (None: unsigned)
        as any JSS request is: the resource signed is ``/_testbench/faults[/<id>]``. `payload` is sent as
        JSON, else `data` as it is."""
        key = "faults" + (f"/{script_id}" if script_id else "")
        body = json.dumps(payload).encode() if payload is not None else data
        return self.call(method, "_testbench", key, query, data=body, user=user)

    def presigned_url(
        self, method: str, bucket: str, key: str, expires: int, user: RefUser = ALICE, region: str = NORTH
    ) -> str:
        """A presigned URL for `method` on bucket/key, valid until `expires` (sent and signed as given)."""
        target = target_of(bucket, key)
        resource = signing.resource_from_target(target)
        signed = signing.presign(method, resource, {}, user.access_key, user.secret_key, expires)
        return self.url(region) + target + "?" + signed.signed_url_query

    # -- operations, asserting success ------------------------------------------------------------------
    def create_bucket(self, region: str = NORTH, user: RefUser = ALICE) -> str:
        """A new bucket in `region`, owned by `user`."""
        name = f"b{next(_names):04d}-{region}"
        response = self.call("PUT", name, region=region, user=user)
        assert response.status_code == 201, response.text
        return name

    def put(
        self, bucket: str, key: str, data: bytes, headers: dict[str, str] | None = None
    ) -> requests.Response:
        """PutObject, asserting 200."""
        response = self.call("PUT", bucket, key, headers=headers, data=data)
        assert response.status_code == 200, response.text
        return response

    def initiate(self, bucket: str, key: str, headers: dict[str, str] | None = None, **kwargs) -> str:
        """InitiateMultipartUpload, asserting 200; returns the upload id."""
        response = self.call("POST", bucket, key, "uploads", headers=headers, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()["UploadId"]

    def upload_part(self, bucket: str, key: str, upload_id: str, number: int, data: bytes) -> str:
        """UploadPart, asserting 200; returns the unquoted ETag."""
        response = self.call("PUT", bucket, key, f"partNumber={number}&uploadId={upload_id}", data=data)
        assert response.status_code == 200, response.text
        return response.headers["ETag"].strip('"')

    def complete(
        self, bucket: str, key: str, upload_id: str, parts: list[tuple[int, str]]
    ) -> requests.Response:
        """CompleteMultipartUpload with `parts` [(number, etag)] (no assertion)."""
        body = json.dumps({"Part": [{"PartNumber": n, "ETag": e} for n, e in parts]})
        return self.call("POST", bucket, key, f"uploadId={upload_id}", data=body.encode())


def _authorization(
    method: str, resource: str, headers: dict[str, str], user: RefUser, canonical: str | None
) -> str:
    """The Authorization of a request, its CanonicalizedHeaders `canonical` (None: computed by the rules)."""
    if canonical is None:
        return signing.sign_request(method, resource, headers, user.access_key, user.secret_key).authorization
    names = ("Content-MD5", "Content-Type", "Date")
    md5, content_type, date = (signing.header_value(headers, name) for name in names)
    string_to_sign = signing.string_to_sign(method.upper(), md5, content_type, date, canonical, resource)
    return signing.authorization_header(user.access_key, signing.signature(user.secret_key, string_to_sign))


def assert_error(response: requests.Response, status: int, code: str) -> dict:
    """The response is the JSON error (status, code) with the four lowercase keys and a request id."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json;charset=UTF-8"
    request_id = response.headers["x-jss-request-id"]
    if response.request.method == "HEAD":
        return {}
    body = response.json()
    assert set(body) == {"code", "message", "resource", "requestId"}
    assert body["code"] == code, body
    assert body["requestId"] == request_id
    return body


def md5_hex(data: bytes) -> str:
    """Lowercase hex MD5."""
    return hashlib.md5(data).hexdigest()


@dataclass
class RawResponse:
    """One response read off a raw socket."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        """The body as JSON."""
        return json.loads(self.body)


def signed_raw_headers(
    method: str, target: str, user: RefUser = ALICE, extra: dict[str, str] | None = None
) -> str:
    """Header lines (CRLF-terminated) with Date and an Authorization signed for `target` as sent."""
    headers = {"Date": signing.http_date(), **(extra or {})}
    resource = signing.resource_from_target(target)
    headers["Authorization"] = signing.sign_request(
        method, resource, headers, user.access_key, user.secret_key
    ).authorization
    return "".join(f"{name}: {value}\r\n" for name, value in headers.items())


def raw_exchange(
    base_url: str, payload: bytes, timeout: float = 5.0, shut_write: bool = False
) -> list[RawResponse]:
    """Send `payload` as is on a new connection and parse every response until the server closes it."""
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(payload)
        if shut_write:
            sock.shutdown(socket.SHUT_WR)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return parse_responses(received)


def parse_responses(data: bytes) -> list[RawResponse]:
    """Split raw bytes into responses framed by Content-Length."""
    responses = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        responses.append(RawResponse(status, headers, rest[:length]))
        data = rest[length:]
    return responses
