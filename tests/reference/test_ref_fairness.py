"""Fair to every client (issue 21 item 4): the connections of one client address are capped (the excess
refused with 503 SlowDown, another address still served), and one account's large complete bodies are parsed
a bounded number at a time (the excess answered 503 SlowDown with Retry-After, another account and small
bodies still served).

The second client address is 127.0.0.2: Linux routes all of 127.0.0.0/8 to the loopback interface."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from urllib.parse import urlsplit

import pytest
from ref_helpers import ALICE, BOB, USERS, assert_error, parse_responses, signed_raw_headers, target_of

from conformance.reference.launch import start_reference

OTHER_ADDRESS = "127.0.0.2"
#: A complete body this large takes an account slot (more than 64 KiB).
LARGE = 70 * 1024
TIMEOUT = 10.0


def _open(url: str, source: str = "127.0.0.1") -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT, source_address=(source, 0))


def _signed_get_bucket(url: str, bucket: str, source: str) -> int:
    """The status of a signed GET of `bucket` sent from `source` on a new connection (0: no answer)."""
    target = target_of(bucket, None)
    head = f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{signed_raw_headers('GET', target)}\r\n"
    received = b""
    with _open(url, source) as sock:
        sock.sendall(head.encode())
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                received += chunk
    return parse_responses(received)[0].status if received else 0


def _refusal_of(sock: socket.socket) -> tuple[int, str]:
    """(status, error code) the server sent on a connection it answers without a request."""
    received = b""
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            received += chunk
    response = parse_responses(received)[0]
    return response.status, response.json()["code"]


def _second_address_usable() -> bool:
    try:
        with socket.socket() as probe:
            probe.bind((OTHER_ADDRESS, 0))
    except OSError:
        return False
    return True


needs_second_address = pytest.mark.skipif(
    not _second_address_usable(), reason="127.0.0.2 is not routed to loopback on this machine"
)


@needs_second_address
@pytest.mark.parametrize(
    ("limits", "other_served"),
    [
        (["--max-connections", "8", "--max-connections-per-address", "2"], True),
        # The control: the total cap alone (the old behaviour): one address fills it, another is locked out.
        (["--max-connections", "2", "--max-connections-per-address", "1024"], False),
    ],
    ids=["per-address-cap", "total-cap-only"],
)
def test_one_address_cannot_take_every_connection(tmp_path, limits, other_served):
    with start_reference(users=USERS, data_dir=tmp_path / "data", extra_args=limits) as process:
        url = process.endpoints["cn-north-1"]
        bucket = "fair-connections"
        create = f"PUT /{bucket} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n"
        with _open(url) as sock:
            sock.sendall((create + signed_raw_headers("PUT", f"/{bucket}") + "\r\n").encode())
            assert sock.recv(65536).startswith(b"HTTP/1.1 201")
        held = [_open(url), _open(url)]
        try:
            for sock in held:  # each is accepted and counted before the next connection comes
                sock.setblocking(False)
            with _open(url) as excess:
                assert _refusal_of(excess) == (503, "SlowDown")
            status = _signed_get_bucket(url, bucket, OTHER_ADDRESS)
            if other_served:
                assert status == 200
            else:
                assert status == 503
        finally:
            for sock in held:
                sock.close()
        deadline = time.monotonic() + TIMEOUT  # the closed connections are forgotten: served again
        while (status := _signed_get_bucket(url, bucket, "127.0.0.1")) != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert status == 200


def _complete_body(parts: list[tuple[int, str]], padded_to: int = 0) -> bytes:
    """A part list, padded with trailing blanks (still JSON) to `padded_to` bytes."""
    return json.dumps({"Part": [{"PartNumber": n, "ETag": e} for n, e in parts]}).encode().ljust(padded_to)


@pytest.fixture
def one_body_per_account(make_reference):
    """A server parsing one complete body per account at a time, a body waiting at most 0.5 s for it."""
    return make_reference(extra_args=["--max-bodies-per-account", "1", "--body-slot-wait", "0.5"])


def _upload_with_a_part(api, bucket: str, key: str, user) -> tuple[str, str]:
    response = api.call("POST", bucket, key, "uploads", user=user)
    assert response.status_code == 200, response.text
    upload_id = response.json()["UploadId"]
    response = api.call("PUT", bucket, key, f"partNumber=1&uploadId={upload_id}", data=b"part", user=user)
    assert response.status_code == 200, response.text
    return upload_id, response.headers["ETag"].strip('"')


def test_an_account_past_its_body_slots_is_answered_503_and_another_account_is_served(one_body_per_account):
    api = one_body_per_account
    alice_bucket, bob_bucket = api.create_bucket(user=ALICE), api.create_bucket(user=BOB)
    held_id, _ = _upload_with_a_part(api, alice_bucket, "held", ALICE)
    probe_id, probe_etag = _upload_with_a_part(api, alice_bucket, "probe", ALICE)
    bob_id, bob_etag = _upload_with_a_part(api, bob_bucket, "bob", BOB)
    # Alice's first complete declares a large body, sends 10 bytes of it and stops: it holds her only slot.
    target = target_of(alice_bucket, "held", f"uploadId={held_id}")
    signed = signed_raw_headers("POST", target)
    head = f"POST {target} HTTP/1.1\r\nHost: x\r\nContent-Length: {LARGE}\r\n{signed}\r\n"
    with _open(api.url()) as holder:
        holder.sendall(head.encode() + b'{"Part": [')
        # A second large body of hers waits 0.5 s, then is refused. It is not a part list, so if it got
        # the slot (the holder's head not read yet) it is a 400 that changes nothing; then try again.
        deadline, refused = time.monotonic() + TIMEOUT, None
        while refused is None and time.monotonic() < deadline:
            started = time.monotonic()
            query = f"uploadId={probe_id}"
            response = api.call("POST", alice_bucket, "probe", query, data=b"x" * LARGE)
            if response.status_code == 503:
                refused, waited = response, time.monotonic() - started
        assert refused is not None, "no complete body of the account was refused while its slot was held"
        assert_error(refused, 503, "SlowDown")
        assert int(refused.headers["Retry-After"]) >= 1
        assert waited >= 0.45  # it waited --body-slot-wait for the slot
        # Bob's slots are his own: his large complete is served meanwhile.
        query, body = f"uploadId={bob_id}", _complete_body([(1, bob_etag)], LARGE)
        assert api.call("POST", bob_bucket, "bob", query, data=body, user=BOB).status_code == 200
        # A small body (at most 64 KiB) needs no slot: Alice's small complete is served meanwhile too.
        small_id, small_etag = _upload_with_a_part(api, alice_bucket, "small", ALICE)
        assert api.complete(alice_bucket, "small", small_id, [(1, small_etag)]).status_code == 200
    # The holder gone, its slot is free: Alice's next complete is served.
    deadline, query = time.monotonic() + TIMEOUT, f"uploadId={probe_id}"
    body = _complete_body([(1, probe_etag)], LARGE)
    while (response := api.call("POST", alice_bucket, "probe", query, data=body)).status_code == 503:
        assert time.monotonic() < deadline, "the slot of a disconnected body was never freed"
    assert response.status_code == 200, response.text

