"""Fault scripts (``serve --faults``): the admin route, the instructions as a plain client sees them on the
wire (a reset is an RST, a cut body is a short read), consumption in order, binding and read-back."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import pytest
import requests
from ref_helpers import assert_error, signed_raw_headers, target_of

ADMIN = "/_testbench/faults"
BODY = b"0123456789" * 10_000


@pytest.fixture(scope="module")
def bench(request):
    """An endpoint started with --faults, one bucket, and an object `obj/data` of 100000 bytes."""
    from ref_helpers import USERS, Api

    from conformance.reference.launch import start_reference

    process = start_reference(users=USERS, extra_args=["--faults"])
    request.addfinalizer(process.stop)
    api = Api(process)
    bucket = api.create_bucket()
    api.put(bucket, "obj/data", BODY)
    return api, bucket


def arm(api, bucket: str, instructions: dict, key_prefix: str = "obj/", **extra) -> dict:
    """Create a script, asserting 201; returns its read-back."""
    script = {"bucket": bucket, "key_prefix": key_prefix, "instructions": instructions, **extra}
    response = api.admin("POST", payload=script)
    assert response.status_code == 201, response.text
    return response.json()


def read_back(api, script: dict) -> dict:
    response = api.admin("GET", script["id"])
    assert response.status_code == 200, response.text
    return response.json()


def raw(api, method: str, target: str, body: bytes = b"", declared: int | None = None) -> tuple[bytes, str]:
    """Send a signed request on a raw socket; return what came back and how the connection ended
    ("reset" for an RST, "closed" for a FIN, "open" when it stayed open past the timeout)."""
    parts = urlsplit(api.url())
    length = len(body) if declared is None else declared
    head = f"{method} {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Length: {length}\r\n"
    payload = (head + signed_raw_headers(method, target) + "\r\n").encode() + body
    received, ending = b"", "open"
    with socket.create_connection((parts.hostname, parts.port), timeout=3) as sock:
        try:
            sock.sendall(payload)
            while chunk := sock.recv(65536):
                received += chunk
            ending = "closed"
        except ConnectionResetError:
            ending = "reset"
        except TimeoutError:
            ending = "open"
    return received, ending


def test_faults_admin_route_absent_without_the_switch(reference, api, north_bucket):
    signed = api.call("GET", "_testbench", "faults")
    assert_error(signed, 404, "NoSuchBucket")  # the JSS namespace answers: no such route exists
    assert requests.post(api.url() + ADMIN, json={}, timeout=10).status_code != 201


@pytest.mark.parametrize(
    "script",
    [
        {"key_prefix": "a", "instructions": {"put": ["return-503"]}},
        {"bucket": "b", "instructions": {"rename": ["return-503"]}},
        {"bucket": "b", "instructions": {"put": ["explode"]}},
        {"bucket": "b", "instructions": {"put": ["return-299"]}},
        {"bucket": "b", "instructions": {"put": []}},
        {"bucket": "b", "instructions": {}},
        {"bucket": "b", "instructions": {"put": ["return-503"]}, "colour": "red"},
        ["not", "an", "object"],
    ],
    ids=["no-bucket", "unknown-op", "unknown-instruction", "undocumented-status", "empty-list",
         "no-instructions", "unknown-field", "not-an-object"],
)
def test_faults_invalid_script_is_400(bench, script):
    api, _ = bench
    response = api.admin("POST", payload=script)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "InvalidScript"


@pytest.mark.parametrize("body", [b"{oops", b"[" * 100000, b'{"bucket": ' + b"9" * 4301 + b"}"])
def test_faults_not_json_is_400(bench, body):
    api, _ = bench
    response = api.admin("POST", data=body)
    assert response.status_code == 400


@pytest.mark.parametrize("status,code", [(503, "SlowDown"), (500, "InternalError")])
def test_faults_return_status_gives_documented_error_then_normal(bench, status, code):
    api, bucket = bench
    script = arm(api, bucket, {"put": [f"return-{status}"]}, key_prefix="ret/")
    assert_error(api.call("PUT", bucket, "ret/x", data=b"abc"), status, code)
    assert api.call("PUT", bucket, "ret/x", data=b"abc").status_code == 200
    back = read_back(api, script)
    assert back["remaining"] == {"put": []} and back["completed"] is True
    assert [f["instruction"] for f in back["fired"]] == [f"return-{status}"]


def test_faults_consumed_in_order_per_operation(bench):
    api, bucket = bench
    script = arm(api, bucket, {"head": ["return-500", "return-503"], "get": ["return-503"]}, "obj/")
    statuses = [api.call(m, bucket, "obj/data").status_code for m in ("HEAD", "GET", "HEAD", "HEAD", "GET")]
    assert statuses == [500, 503, 503, 200, 200]
    back = read_back(api, script)
    assert [(f["operation"], f["instruction"]) for f in back["fired"]] == [
        ("head", "return-500"), ("get", "return-503"), ("head", "return-503"),
    ]


def test_faults_partial_read_back_lists_remaining(bench):
    api, bucket = bench
    script = arm(api, bucket, {"head": ["return-503", "return-500"]}, key_prefix="obj/")
    api.call("HEAD", bucket, "obj/data")
    back = read_back(api, script)
    assert back["remaining"] == {"head": ["return-500"]} and back["completed"] is False
    api.call("HEAD", bucket, "obj/data")


def test_faults_bound_to_bucket_and_key_prefix(bench):
    api, bucket = bench
    other = api.create_bucket()
    script = arm(api, bucket, {"put": ["return-503"]}, key_prefix="bound/")
    assert api.call("PUT", bucket, "unbound/x", data=b"1").status_code == 200
    assert api.call("PUT", other, "bound/x", data=b"1").status_code == 200
    assert api.call("PUT", bucket, "bound/x", data=b"1").status_code == 503
    assert read_back(api, script)["completed"] is True


def test_faults_bound_to_test_id_header(bench):
    api, bucket = bench
    arm(api, bucket, {"put": ["return-503"]}, key_prefix="tid/", test_id="T1")
    assert api.call("PUT", bucket, "tid/x", data=b"1").status_code == 200
    tagged = api.call("PUT", bucket, "tid/x", data=b"1", headers={"x-jss-test-id": "T1"})
    assert tagged.status_code == 503


def test_faults_reset_before_body_is_an_rst(bench):
    api, bucket = bench
    arm(api, bucket, {"put": ["reset-before-body"]}, key_prefix="rst/")
    received, ending = raw(api, "PUT", target_of(bucket, "rst/a"), declared=len(BODY))
    assert (received, ending) == (b"", "reset")


def test_faults_reset_after_body_bytes(bench):
    api, bucket = bench
    arm(api, bucket, {"put": ["reset-after-1000B"]}, key_prefix="rst/")
    received, ending = raw(api, "PUT", target_of(bucket, "rst/b"), BODY[:1000], declared=len(BODY))
    assert (received, ending) == (b"", "reset")
    assert api.call("HEAD", bucket, "rst/b").status_code == 404  # nothing was stored


def test_faults_reset_after_body_bytes_with_requests(bench):
    api, bucket = bench
    arm(api, bucket, {"put": ["reset-after-4096B"]}, key_prefix="rst/")
    with pytest.raises(requests.ConnectionError):
        api.call("PUT", bucket, "rst/c", data=BODY)


def test_faults_reset_after_response_head(bench):
    api, bucket = bench
    arm(api, bucket, {"get": ["reset-after-head"]})
    received, ending = raw(api, "GET", target_of(bucket, "obj/data"))
    assert ending == "reset"
    assert received.startswith(b"HTTP/1.1 200") and received.endswith(b"\r\n\r\n")


def test_faults_cut_body_after_bytes(bench):
    api, bucket = bench
    arm(api, bucket, {"get": ["cut-body-after-10B"]})
    received, ending = raw(api, "GET", target_of(bucket, "obj/data"))
    head, _, body = received.partition(b"\r\n\r\n")
    assert ending == "closed" and b"content-length: 100000" in head.lower()
    assert body == BODY[:10]


def test_faults_delay(bench):
    api, bucket = bench
    arm(api, bucket, {"head": ["delay-400ms"]})
    started = time.monotonic()
    assert api.call("HEAD", bucket, "obj/data").status_code == 200
    assert time.monotonic() - started >= 0.4


def test_faults_list_and_delete(bench):
    api, bucket = bench
    script = arm(api, bucket, {"delete": ["return-503"]}, key_prefix="never/")
    listed = api.admin("GET").json()["scripts"]
    assert script["id"] in [s["id"] for s in listed]
    assert api.admin("DELETE", script["id"]).status_code == 204
    assert api.admin("GET", script["id"]).status_code == 404
    assert api.admin("DELETE", script["id"]).status_code == 404
