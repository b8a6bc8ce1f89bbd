"""The fixtures the cases use: target, run prefix, bucket, keys, tracked clients, expectations."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
import requests

from conformance.client import Credentials, JssClient
from conformance.harness.state import TRACKER_KEY, harness_state
from conformance.harness.tracking import KeyMaker, Tracker, run_cleanup
from conformance.target import BucketSpec, Target


@pytest.fixture(scope="session")
def jss_target(request: pytest.FixtureRequest) -> Target:
    """The target of the run (profile, JSS_* variables, or the embedded reference endpoint)."""
    state = harness_state(request.config)
    if state.target is None:
        pytest.fail(
            "no target for this run: run the cases with `jss-conformance run`, or pass "
            "--jss-target PROFILE.toml or --jss-embedded",
            pytrace=False,
        )
    return state.target


@pytest.fixture(scope="session")
def jss_run_prefix(request: pytest.FixtureRequest) -> str:
    """The key prefix of this run and worker, e.g. ``jssc-20261125T150102-3fa9c2/gw0/``."""
    return harness_state(request.config).run_prefix


@pytest.fixture(scope="session")
def jss_expect(jss_target: Target) -> Mapping[str, Any]:
    """The target's expectations for the OPEN behaviours (defaults merged with the profile's [expect])."""
    return jss_target.expect


@pytest.fixture(scope="session")
def jss_http_session() -> Iterator[requests.Session]:
    """One keep-alive HTTP session shared by the run's clients (per xdist worker)."""
    with requests.Session() as session:
        yield session


@pytest.fixture
def jss_bucket(jss_target: Target) -> BucketSpec:
    """The primary bucket: the first in cn-north-1, else the first of the profile."""
    return jss_target.primary_bucket


@pytest.fixture
def jss_tracker(request: pytest.FixtureRequest, jss_run_prefix: str, jss_target: Target) -> Iterator[Tracker]:
    """The case's tracker: records the exchanges of tracked clients; afterwards aborts the uploads they left
    open and deletes the objects they wrote (only under the run prefix), pass or fail."""
    tracker = Tracker(jss_run_prefix, protected_buckets=tuple(b.name for b in jss_target.buckets))
    request.node.stash[TRACKER_KEY] = tracker
    yield tracker
    if not request.config.option.jss_keep:
        run_cleanup(tracker)


@pytest.fixture
def jss_client_for(
    request: pytest.FixtureRequest,
    jss_target: Target,
    jss_tracker: Tracker,
    jss_http_session: requests.Session,
) -> Callable[..., JssClient]:
    """``client_for(bucket_spec, credentials=None) -> JssClient``: a tracked client for that bucket's
    endpoint, signing with `credentials` (default: the target's)."""
    timeout = request.config.option.jss_timeout

    def client_for(bucket: BucketSpec, credentials: Credentials | None = None) -> JssClient:
        client = JssClient(
            bucket.endpoint, credentials or jss_target.credentials, timeout=timeout, session=jss_http_session
        )
        return jss_tracker.track(client)

    return client_for


@pytest.fixture
def jss_client(jss_client_for: Callable[..., JssClient], jss_bucket: BucketSpec) -> JssClient:
    """A tracked client for the primary bucket's endpoint with the target's credentials."""
    return jss_client_for(jss_bucket)


@pytest.fixture
def jss_make_key(request: pytest.FixtureRequest, jss_run_prefix: str) -> KeyMaker:
    """``make_key(suffix="") -> str``: a key unique in the run, under the run prefix, naming the test;
    ``make_key.prefix`` is the case's own key prefix."""
    return KeyMaker(jss_run_prefix, request.node.name)


@pytest.fixture
def jss_key(jss_make_key: KeyMaker) -> str:
    """One fresh key under the run prefix."""
    return jss_make_key()
