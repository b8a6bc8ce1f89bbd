"""Fixtures of the reference endpoint's tests: running servers, buckets, unique keys."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from ref_helpers import EAST, NORTH, USERS, Api

from conformance.reference.launch import ReferenceProcess, start_reference

_keys = itertools.count()


@pytest.fixture(scope="session")
def reference() -> Iterator[ReferenceProcess]:
    """The faithful reference endpoint (both default regions, two users, default 5 MiB minimum part size)."""
    with start_reference(users=USERS) as process:
        yield process


@pytest.fixture(scope="session")
def api(reference: ReferenceProcess) -> Api:
    """Signed requests to the faithful endpoint."""
    return Api(reference)


@pytest.fixture(scope="session")
def north_bucket(api: Api) -> str:
    """Alice's bucket in cn-north-1."""
    return api.create_bucket(NORTH)


@pytest.fixture(scope="session")
def east_bucket(api: Api) -> str:
    """Alice's bucket in cn-east-2."""
    return api.create_bucket(EAST)


@pytest.fixture
def key(request: pytest.FixtureRequest) -> str:
    """A key unique to the test."""
    return f"{request.node.name}/{next(_keys)}.bin"


@pytest.fixture
def make_reference():
    """Start extra servers (deviations, other options); all are stopped at the end of the test."""
    started: list[ReferenceProcess] = []

    def make(**kwargs) -> Api:
        kwargs.setdefault("users", USERS)
        process = start_reference(**kwargs)
        started.append(process)
        return Api(process)

    yield make
    for process in started:
        process.stop()
