"""Retries are visible: conformance.client sends a request again only when a stale keep-alive connection
explains its error (a reused connection closed or reset before any byte of an answer), once, and every
attempt reaches the listeners (the case's exchanges); any other connection error is an InfraError at once."""

from __future__ import annotations

import socket

import pytest
import requests
from scripted_server import CLOSE, RESET, scripted_server

from conformance import operations as ops
from conformance.client import Credentials, Exchange, JssClient
from conformance.outcomes import InfraError
from conformance.sdk import bench

AK, SK = "CASERETRYACCESSKEY", "case-retry-secret-key-never-shown"
BUCKET = "bkt"


def _client(url: str, seen: list[Exchange], **kwargs) -> JssClient:
    client = JssClient(url, Credentials(AK, SK), timeout=kwargs.pop("timeout", 5), **kwargs)
    client.listeners.append(seen.append)
    return client


@pytest.mark.parametrize("step", [CLOSE, RESET])
def test_a_fresh_connection_that_fails_is_not_retried_and_is_recorded(step):
    seen: list[Exchange] = []
    with scripted_server(step) as server:
        client = _client(server.url, seen)
        with pytest.raises(InfraError) as raised:
            client.request("POST", BUCKET, "k", query=[("uploads", None)])

    assert server.connections == [[f"POST /{BUCKET}/k?uploads HTTP/1.1"]]
    assert [(e.method, e.status, e.resent) for e in seen] == [("POST", None, False)]
    assert seen[0].error and seen[0].error.split(":")[0] in str(raised.value)
    assert "no response" in seen[0].render() and SK not in seen[0].render()


@pytest.mark.parametrize("step", [CLOSE, RESET])
def test_a_stale_keep_alive_connection_is_retried_once_and_both_attempts_are_recorded(step):
    seen: list[Exchange] = []
    with scripted_server("answer", step) as server:
        client = _client(server.url, seen)
        client.request("GET", BUCKET)
        response = client.request("POST", BUCKET, "k", query=[("uploads", None)])

    initiate = f"POST /{BUCKET}/k?uploads HTTP/1.1"
    assert server.connections == [[f"GET /{BUCKET} HTTP/1.1", initiate], [initiate]]
    assert response.status_code == 200
    assert [(e.method, e.status, e.resent) for e in seen] == [
        ("GET", 200, False), ("POST", None, True), ("POST", 200, False)
    ]
    assert seen[1].error and "sent again" in seen[1].outcome
    assert response.exchange is seen[2]


def test_a_retry_that_fails_too_is_an_infra_error_with_both_attempts_recorded():
    seen: list[Exchange] = []
    with scripted_server("answer", CLOSE, RESET) as server:
        client = _client(server.url, seen)
        client.request("GET", BUCKET)
        with pytest.raises(InfraError) as raised:
            client.request("PUT", BUCKET, "k", body=b"data")

    assert [len(lines) for lines in server.connections] == [2, 1]
    assert [(e.status, e.resent) for e in seen] == [(200, False), (None, True), (None, False)]
    assert "sent again after a stale keep-alive connection" in str(raised.value)


def test_a_body_that_cannot_be_rewound_is_not_sent_again():
    seen: list[Exchange] = []
    with scripted_server("answer", CLOSE) as server:
        client = _client(server.url, seen)
        client.request("GET", BUCKET)
        with pytest.raises(InfraError):
            client.request("PUT", BUCKET, "k", body=iter([b"da", b"ta"]), headers={"Content-Length": "4"})

    assert [len(lines) for lines in server.connections] == [2]
    assert [(e.status, e.resent) for e in seen] == [(200, False), (None, False)]


class _CountingSession(requests.Session):
    def __init__(self) -> None:
        super().__init__()
        self.sends = 0

    def send(self, request, **kwargs):
        self.sends += 1
        return super().send(request, **kwargs)


def test_a_refused_connection_is_not_retried():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    session = _CountingSession()
    seen: list[Exchange] = []
    client = _client(f"http://127.0.0.1:{port}", seen, session=session, timeout=2)

    with pytest.raises(InfraError):
        client.request("GET", BUCKET)

    assert session.sends == 1 and [(e.status, bool(e.error)) for e in seen] == [(None, True)]


def test_a_timeout_is_not_retried(recording_server):
    recording_server.delay = 1.0
    session = _CountingSession()
    seen: list[Exchange] = []
    client = _client(recording_server.url, seen, session=session, timeout=0.2)

    with pytest.raises(InfraError):
        client.request("GET", BUCKET)

    assert session.sends == 1 and len(recording_server.requests) == 1
    assert [(e.status, e.resent) for e in seen] == [(None, False)] and "Timeout" in seen[0].error


# -- the reference endpoint's fault scripts (serve --faults): a real TCP reset -----------------------------

FAULT_BUCKET, RUN = "retry-bucket", "run/"


@pytest.fixture(scope="module")
def faulty_endpoint():
    """A reference endpoint started with --faults, a user and one bucket: (url, the owner's client)."""
    from conformance.reference.launch import start_reference

    with start_reference(users=[("retry", AK, SK)], extra_args=["--faults"]) as reference:
        url = reference.endpoints["cn-north-1"]
        owner = JssClient(url, Credentials(AK, SK), timeout=10)
        ops.put_bucket(owner, FAULT_BUCKET)
        yield url, owner


def _arm_initiate_reset(owner: JssClient, key_prefix: str) -> str:
    """A script resetting the next initiate under `key_prefix`, armed by the bucket's owner (signed)."""
    return bench.arm(owner, FAULT_BUCKET, key_prefix, {"initiate": ["reset-before-body"]})


def _fired(owner: JssClient, script_id: str) -> int:
    return len(bench.read_back(owner, script_id)["fired"])


def _uploads_of(owner: JssClient, prefix: str) -> list[str]:
    return [item.key for item in ops.list_uploads(owner, FAULT_BUCKET, prefix=prefix).uploads]


def test_a_reset_on_a_fresh_connection_is_not_retried(faulty_endpoint):
    url, owner = faulty_endpoint
    prefix = f"{RUN}fresh/"
    script = _arm_initiate_reset(owner, prefix)
    seen: list[Exchange] = []
    client = _client(url, seen)  # a new session: the initiate opens a new connection

    with pytest.raises(InfraError):
        client.request("POST", FAULT_BUCKET, f"{prefix}k", query=[("uploads", None)])

    assert _fired(owner, script) == 1
    assert _uploads_of(owner, prefix) == []  # no second initiate reached the endpoint
    assert [(e.status, e.resent) for e in seen] == [(None, False)] and "Reset" in seen[0].error


def test_a_reset_on_a_kept_alive_connection_is_retried_once_visibly(faulty_endpoint):
    url, owner = faulty_endpoint
    prefix = f"{RUN}reused/"
    script = _arm_initiate_reset(owner, prefix)
    seen: list[Exchange] = []
    client = _client(url, seen)
    client.request("GET", FAULT_BUCKET, query=[("maxKeys", "1")])  # the connection the initiate reuses

    response = client.request("POST", FAULT_BUCKET, f"{prefix}k", query=[("uploads", None)])

    assert response.status_code == 200 and _fired(owner, script) == 1
    assert _uploads_of(owner, prefix) == [f"{prefix}k"]
    assert [(e.method, e.status, e.resent) for e in seen] == [
        ("GET", 200, False), ("POST", None, True), ("POST", 200, False)
    ]
