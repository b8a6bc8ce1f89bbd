"""Canned responses and a stand-in client for the parsing tests of conformance.operations."""

from __future__ import annotations

import json

import requests


def canned_response(
    status: int, document: object = None, *, headers: dict[str, str] | None = None, raw: bytes | None = None,
    method: str = "GET",
) -> requests.Response:
    """A requests.Response with this status, JSON `document` (or `raw` bytes) and headers."""
    response = requests.Response()
    response.status_code = status
    if raw is None:
        raw = b"" if document is None else json.dumps(document).encode()
    response._content = raw
    response.headers.update(headers or {})
    response.request = requests.Request(method, "http://127.0.0.1/").prepare()
    return response


class CannedClient:
    """Stands in for JssClient: records request() calls and returns the queued responses in order."""

    def __init__(self, *responses: requests.Response) -> None:
        self.responses = list(responses)
        self.calls: list[tuple[tuple, dict]] = []

    def request(self, *args: object, **kwargs: object) -> requests.Response:
        self.calls.append((args, kwargs))
        return self.responses.pop(0)
