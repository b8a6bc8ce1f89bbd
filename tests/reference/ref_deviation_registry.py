"""The registry of the direct HTTP checks of the deviations of the reference endpoint, one per switch, and the
helpers the checks share. The checks themselves: ref_deviation_checks.py (signing, responses, multipart,
objects), ref_deviation_checks_assembly.py (complete, lists), ref_deviation_checks_statuses.py (success
statuses) and ref_deviation_checks_access.py (callers that do not own the bucket); test_ref_deviations.py
imports them and runs every registered check.

Each check gets an Api and a fresh bucket of cn-north-1. It runs against a server with its deviation alone
switched on (the group only chooses the server's options), so no neighbour can mask it, and must fail against
the faithful server with the same options. A check asserts what the deviant server does (the specifically
wrong computation it accepts, the answer it gives), not only what a faithful one would refuse.
"""

from __future__ import annotations

from collections.abc import Callable

import requests
from ref_helpers import Api

#: deviation -> (group, check); a check gets an Api and a fresh bucket of cn-north-1.
CHECKS: dict[str, tuple[str, Callable[[Api, str], None]]] = {}
#: Options of the servers of a group (the deviant one and its faithful twin), besides the deviations.
GROUP_OPTIONS = {"complete": {"min_part_size": 1}, "lists": {"min_part_size": 1024}}


def check(deviation: str, group: str):
    """Register the decorated function as the direct check of `deviation`, run on the server of `group`."""

    def register(function: Callable[[Api, str], None]) -> Callable[[Api, str], None]:
        CHECKS[deviation] = (group, function)
        return function

    return register


def error_is(response: requests.Response, status: int, code: str) -> None:
    """The response has `status` and a JSON body whose `code` is `code` (whatever its other keys)."""
    try:
        answered = response.json().get("code")
    except ValueError:
        answered = None
    assert (response.status_code, answered) == (status, code), response.text


def parts_of(api: Api, bucket: str, key: str, upload_id: str, query: str = "") -> list[dict]:
    """The parts ListParts returns (asserting 200)."""
    response = api.call("GET", bucket, key, f"uploadId={upload_id}{query}")
    assert response.status_code == 200, response.text
    return response.json()["Part"]
