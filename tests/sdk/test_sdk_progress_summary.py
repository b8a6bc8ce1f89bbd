"""The SDK run's progress source (bytes the endpoint received for the scenario's key, from the record file)
and its terminal section (each scenario's time and outcome, a driver's stderr tail, the unsupported count)."""

from __future__ import annotations

import json
from types import SimpleNamespace

from conformance.harness.sdk_summary import TIMING_PROPERTY, SdkSummary
from conformance.sdk.bench import ReceivedBytes


def record(bucket: str, key: str | None, body_bytes: int) -> str:
    return json.dumps({"bucket": bucket, "key": key, "body_bytes": body_bytes}) + "\n"


def test_received_bytes_counts_the_keys_new_complete_lines_only(tmp_path):
    path = tmp_path / "requests.jsonl"
    path.write_text(record("b", "k", 1000), encoding="utf-8")  # before the counter: not counted
    counter = ReceivedBytes(path, "b", "k")
    assert counter.read() == 0
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(record("b", "k", 300) + record("b", "other", 50) + record("c", "k", 70))
        handle.write(record("b", None, 0) + record("b", "k", 5)[:-10])  # the last line half written
    assert counter.read() == 300
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(record("b", "k", 5)[-10:])
    assert counter.read() == 305


def test_received_bytes_of_a_missing_record_file(tmp_path):
    assert ReceivedBytes(tmp_path / "none.jsonl", "b", "k").read() == 0


def report(nodeid: str, when: str, duration: float, figures: str | None = None):
    properties = [(TIMING_PROPERTY, figures)] if figures else []
    return SimpleNamespace(nodeid=nodeid, when=when, duration=duration, user_properties=properties)


def test_section_lines_time_outcome_stderr_tail_and_unsupported():
    summary = SdkSummary()
    node = "conformance/sdk/cases/test_sdk_scenarios.py::test_sdk_scenario[{}]"
    for name, figures in (("a", "1.0 s, 5.0 MiB received"), ("b", None), ("c", "0.1 s, 0 B received")):
        summary.pytest_runtest_logreport(report(node.format(name), "setup", 0.25))
        summary.pytest_runtest_logreport(report(node.format(name), "call", 1.5, figures))
    summary.pytest_runtest_logreport(report("tests/other.py::test_x", "call", 9.0))
    outcomes = {
        node.format("a"): SimpleNamespace(outcome="PASS", message=""),
        node.format("b"): SimpleNamespace(outcome="NOT_IMPLEMENTED", message="the driver does not support x"),
        node.format("c"): SimpleNamespace(outcome="INFRA_ERROR",
                                          message="scenario c: no result\ndriver stderr (last lines):\nboom"),
    }
    assert summary.lines(outcomes) == [
        "a: PASS in 1.8 s (driver 1.0 s, 5.0 MiB received)",
        "b: NOT_IMPLEMENTED in 1.8 s",
        "c: INFRA_ERROR in 1.8 s (driver 0.1 s, 0 B received)",
        "    driver stderr (last lines):",
        "    boom",
        "3 scenarios in 5 s (sum of the cases' times)",
        "NOT_IMPLEMENTED 1 of 3 scenarios: the driver answered unsupported (b); each is a finding, "
        "unexpected unless the known findings list its steps",
    ]
