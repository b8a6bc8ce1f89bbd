"""The fixtures the cases use: target, run prefix, bucket, keys, tracked clients, expectations."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
import requests

from conformance.client import JssClient
from conformance.harness.case import CaseContext
from conformance.harness.state import TRACKER_KEY, harness_state
from conformance.harness.tracking import KeyMaker, Tracker, run_cleanup
from conformance.target import BucketSpec, Target
from conformance.tls import new_session


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
def jss_http_session(jss_target: Target) -> Iterator[requests.Session]:
    """One keep-alive HTTP session shared by the run's clients (per xdist worker), with the target's TLS
    settings (conformance.tls)."""
    with new_session(jss_target.tls, jss_target.endpoint) as session:
        yield session


@pytest.fixture(scope="session")
def jss_bucket(jss_target: Target) -> BucketSpec:
    """The primary bucket: the first in cn-north-1, else the first of the profile (the same for every case,
    so it is set up once per session)."""
    return jss_target.primary_bucket


@pytest.fixture
def jss_case(
    request: pytest.FixtureRequest,
    jss_target: Target,
    jss_run_prefix: str,
    jss_http_session: requests.Session,
) -> Iterator[CaseContext]:
    """The case's context (tracker, key maker, tracked clients), which the other per-case fixtures share;
    afterwards it aborts the uploads its clients left open and deletes the objects they wrote (only under the
    run prefix), pass or fail."""
    option = request.config.option
    case = CaseContext(jss_target, jss_run_prefix, request.node.name, jss_http_session, option.jss_timeout)
    request.node.stash[TRACKER_KEY] = case.tracker
    yield case
    if not option.jss_keep:
        run_cleanup(case.tracker)


@pytest.fixture
def jss_tracker(jss_case: CaseContext) -> Tracker:
    """The case's tracker: records the exchanges of tracked clients (cleanup is ``jss_case``'s teardown)."""
    return jss_case.tracker


@pytest.fixture
def jss_client_for(jss_case: CaseContext) -> Callable[..., JssClient]:
    """``client_for(bucket_spec, credentials=None, *, anonymous=False, cleanup_by=None) -> JssClient``: a
    tracked client for that bucket's endpoint, signing with `credentials` (default: the target's) or
    anonymous; what it creates is undone with `cleanup_by` (default: itself)."""
    return jss_case.client_for


@pytest.fixture
def jss_client(jss_case: CaseContext, jss_bucket: BucketSpec) -> JssClient:
    """A tracked client for the primary bucket's endpoint with the target's credentials."""
    return jss_case.client_for(jss_bucket)


@pytest.fixture
def jss_make_key(jss_case: CaseContext) -> KeyMaker:
    """``make_key(suffix="") -> str``: a key unique in the run, under the run prefix, naming the test;
    ``make_key.prefix`` is the case's own key prefix."""
    return jss_case.make_key


@pytest.fixture
def jss_key(jss_case: CaseContext) -> str:
    """One fresh key under the run prefix."""
    return jss_case.make_key()
