"""Every response carries a request id; errors are lowercase-keyed JSON; an unexpected failure is a 500 JSON
error, logged, on a connection that stays usable."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

from ref_helpers import assert_error, signed_raw_headers


def test_every_response_has_a_unique_request_id(api, north_bucket, key):
    responses = [
        api.call("PUT", north_bucket, key, data=b"x"),
        api.call("GET", north_bucket, key),
        api.call("HEAD", north_bucket, key),
        api.call("GET", north_bucket, key + "-missing"),
        api.call("HEAD", north_bucket, key + "-missing"),
        api.call("DELETE", north_bucket, key),
        api.call("GET"),
    ]
    ids = [r.headers["x-jss-request-id"] for r in responses]
    assert all(len(i) == 16 for i in ids) and len(set(ids)) == len(ids)


def test_error_body_names_the_resource(api, north_bucket):
    body = assert_error(api.call("GET", north_bucket, "missing/key.txt"), 404, "NoSuchKey")
    assert body["resource"] == f"/{north_bucket}/missing/key.txt"


def test_unexpected_exception_is_a_500_json_error_on_a_kept_connection(make_reference):
    failing = make_reference(deviations=["list-uploads-raises"])
    bucket = failing.create_bucket()
    url = urlsplit(failing.url())
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    target = f"/{bucket}?uploads"
    connection.request("GET", target, headers=_headers("GET", target))
    response = connection.getresponse()
    body = response.read()
    socket_before = connection.sock
    assert response.status == 500
    assert response.getheader("Content-Type") == "application/json;charset=UTF-8"
    error = json.loads(body)
    assert error["code"] == "InternalError" and error["requestId"] == response.getheader("x-jss-request-id")
    assert set(error) == {"code", "message", "resource", "requestId"}
    target = f"/{bucket}"
    connection.request("GET", target, headers=_headers("GET", target))
    again = connection.getresponse()
    again.read()
    assert again.status == 200
    assert connection.sock is socket_before  # the same connection served the next request
    connection.close()
    assert "list-uploads-raises" in failing.reference.stderr_tail(80)
    assert error["requestId"] in failing.reference.stderr_tail(80)


def _headers(method: str, target: str) -> dict[str, str]:
    lines = signed_raw_headers(method, target).strip().split("\r\n")
    return dict(line.split(": ", 1) for line in lines)
