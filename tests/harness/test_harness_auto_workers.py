"""``-n auto`` for a far target (conformance.harness.auto_workers): more workers than cores only when the
probe's round trip says the target is far; the embedded endpoint, a near one, an unreachable one and an
explicit PYTEST_XDIST_AUTO_NUM_WORKERS keep xdist's count."""

from __future__ import annotations

import pytest
from harness_helpers import clean_env, closed_port

from conformance.harness import auto_workers as aw


@pytest.mark.parametrize(
    ("rtt", "cores", "expected"),
    [(None, 2, None), (0.001, 2, None), (aw.FAR_RTT, 2, 8), (0.2, 2, 8), (0.05, 8, 16), (0.05, 32, 32)],
)
def test_workers_for_a_round_trip(rtt, cores, expected):
    assert aw.workers_for(rtt, cores) == expected


def test_probe_of_an_endpoint_that_answers(endpoint):
    rtt = aw.probe_rtt(endpoint.endpoints["cn-north-1"])
    assert rtt is not None and rtt > 0


def test_probe_of_a_closed_port_is_none():
    assert aw.probe_rtt(f"http://127.0.0.1:{closed_port()}", timeout=1.0) is None


def test_far_profile_gets_more_workers(endpoint, tmp_path, monkeypatch):
    probed = []
    monkeypatch.setattr(aw, "probe_rtt", lambda url, **_: probed.append(url) or 0.05)
    env = clean_env()
    env.pop("PYTEST_XDIST_AUTO_NUM_WORKERS", None)
    workers = aw.auto_workers(str(endpoint.profile(tmp_path)), embedded=False, env=env)
    assert probed == [endpoint.endpoints["cn-north-1"]]
    assert workers is not None and workers > 1


@pytest.mark.parametrize("case", ["embedded-profile", "embedded-flag", "variable", "near", "bad-profile"])
def test_cases_that_keep_xdist_count(case, endpoint, tmp_path, monkeypatch):
    monkeypatch.setattr(aw, "probe_rtt", lambda url, **_: 0.001 if case == "near" else 0.05)
    env = clean_env()
    env.pop("PYTEST_XDIST_AUTO_NUM_WORKERS", None)
    path: str | None = str(endpoint.profile(tmp_path))
    if case == "embedded-profile":
        path = None
    if case == "variable":
        env["PYTEST_XDIST_AUTO_NUM_WORKERS"] = "3"
    if case == "bad-profile":
        path = str(tmp_path / "missing.toml")
    assert aw.auto_workers(path, embedded=case == "embedded-flag", env=env) is None
