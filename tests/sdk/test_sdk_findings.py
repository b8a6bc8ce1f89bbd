"""conformance.sdk.findings: an SDK's expected FAIL must fail with exactly the ids its reason names."""

from __future__ import annotations

import pytest

from conformance.sdk.findings import differences, expected_ids, main, observed_ids

CASE = "test_sdk_scenarios.py::test_sdk_scenario[{}]"


@pytest.mark.parametrize("reason,ids", [
    ("finding a.b: text", {"a.b"}),
    ("findings a.b; c.d: text", {"a.b", "c.d"}),
    ("the client never retries", None),
])
def test_sdk_findings_reason_ids(reason, ids):
    assert expected_ids(reason) == ids


def test_sdk_findings_observed_ids_drop_the_mistake():
    message = "AssertionError: scenario s: a.b (mistake m-1); c.d\n[a.b] detail"
    assert observed_ids(message) == {"a.b", "c.d"}


def _files(tmp_path, reason: str, message: str):
    path = tmp_path / "expectations.toml"
    path.write_text(f'[expected]\n"{CASE.format("x")}" = {{ outcome = "FAIL", reason = "{reason}" }}\n')
    results = {"cases": [{"id": CASE.format("x"), "outcome": "FAIL", "message": message}]}
    return results, path


def test_sdk_findings_same_ids_pass(tmp_path):
    results, path = _files(tmp_path, "findings a.b; c.d: why", "AssertionError: scenario x: c.d; a.b")
    assert differences(results, path) == []


@pytest.mark.parametrize("reason,message", [
    ("finding a.b: why", "AssertionError: scenario x: c.d"),  # another finding
    ("finding a.b: why", "AssertionError: scenario x: a.b; c.d"),  # one more finding
    ("the client fails", "AssertionError: scenario x: a.b"),  # a reason naming no finding
])
def test_sdk_findings_other_ids_are_a_difference(tmp_path, reason, message, capsys):
    results, path = _files(tmp_path, reason, message)
    assert len(differences(results, path)) == 1
    results_path = tmp_path / "results.json"
    results_path.write_text(__import__("json").dumps(results))
    assert main([str(results_path), str(path)]) == 1
    assert CASE.format("x") in capsys.readouterr().out


def test_sdk_findings_unusable_file_is_a_usage_error(tmp_path):
    assert main([str(tmp_path / "missing.json"), str(tmp_path / "missing.toml")]) == 2
