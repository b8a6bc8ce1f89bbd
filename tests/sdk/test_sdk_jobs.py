"""`jss-conformance sdk --jobs N`: scenarios run at once, each judged on its own requests only.

Two scenarios run with ``--jobs 2`` (in two forked workers, their drivers meeting at a barrier: both running
at the same moment, tests/sdk/barrier_driver.py) are both judged PASS, and
each one's recorded requests and SDK request list name only its own key. The recorder lines of a scenario
(conformance.sdk.bench.records_for) keep a bucket listing only when its prefix names the scenario's key or
folder: other scenarios' listings, and listings of the whole run, are no one scenario's. ``--jobs 0`` or a
non-number is a one-line usage error (exit 2).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.sdk import bench

SCENARIOS = ("multipart-standard", "retry-503-upload-part")
EXAMPLE = f"{sys.executable} -m conformance.sdk.drivers.example"
BARRIER = Path(__file__).with_name("barrier_driver.py")


def _sdk(tmp_path: Path, *extra: str, driver: str = EXAMPLE) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "conformance.cli", "sdk", "--driver", driver, "--timeout", "120",
               f"--jss-results={tmp_path / 'results.json'}", f"--alluredir={tmp_path / 'allure'}",
               "-p", "no:cacheprovider", *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


def _attachments(allure: Path) -> dict[str, dict]:
    """Per scenario id: its attachments' texts by name."""
    found = {}
    for result in allure.glob("*-result.json"):
        data = json.loads(result.read_text(encoding="utf-8"))
        scenario = data["name"].partition("[")[2].rstrip("]")
        texts = {a["name"]: (allure / a["source"]).read_text(encoding="utf-8") for a in data["attachments"]}
        found[scenario] = {"texts": texts}
    return found


def test_two_scenarios_run_at_once_each_judged_on_its_own_requests(tmp_path):
    chosen = [argument for scenario in SCENARIOS for argument in ("--scenario", scenario)]
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    completed = _sdk(tmp_path, "--jobs", "2", *chosen, driver=f"{sys.executable} {BARRIER} {barrier} 2")
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert sorted(path.name for path in barrier.glob("*.met")) == sorted(f"{s}.met" for s in SCENARIOS)
    cases = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["cases"]
    assert {case["id"].rpartition("[")[2].rstrip("]"): case["outcome"] for case in cases} == {
        scenario: "PASS" for scenario in SCENARIOS}
    attached = _attachments(tmp_path / "allure")
    assert sorted(attached) == sorted(SCENARIOS)
    folders = set()
    for scenario, other in (SCENARIOS, SCENARIOS[::-1]):
        texts = attached[scenario]["texts"]
        records = [json.loads(line) for line in texts["requests (recorder)"].splitlines()]
        keys = {record["key"] for record in records}
        (key,) = keys
        assert f"_{scenario}-" in key and other not in key
        folders.add(key.split("/")[1])  # the forked worker's folder: <run id>/fw<i>/...
        listed = texts["requests of the SDK"].splitlines()
        assert len(listed) == len(records) >= 3
        assert all(key in line and other not in line for line in listed)
    assert folders == {"fw0", "fw1"}  # two workers


def _line(key: str | None, target: str) -> str:
    return json.dumps({"bucket": "b", "key": key, "target": target, "operation": "x"})


def test_records_keep_only_the_listings_that_name_the_scenario(tmp_path):
    own, other = "run/fw0/case_a-1a2b/001", "run/fw1/case_b-3c4d/001"
    lines = [
        _line(own, f"/b/{own}?uploads"),
        _line(other, f"/b/{other}?uploads"),
        _line(None, f"/b?uploads&prefix={own}"),
        _line(None, "/b?uploads&prefix=run%2Ffw0%2Fcase_a-1a2b%2F&max-uploads=2"),
        _line(None, f"/b?uploads&prefix={other}"),
        _line(None, "/b?uploads&prefix=run%2F"),
        _line(None, "/b?uploads"),
    ]
    path = tmp_path / "requests.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    kept = [record["target"] for record in bench.records_for(path, "b", own)]
    assert kept == [f"/b/{own}?uploads", f"/b?uploads&prefix={own}",
                    "/b?uploads&prefix=run%2Ffw0%2Fcase_a-1a2b%2F&max-uploads=2"]


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_jobs_not_a_positive_number_is_a_one_line_usage_error(tmp_path, value):
    completed = _sdk(tmp_path, f"--jobs={value}")
    assert completed.returncode == 2
    assert completed.stderr.strip().count("\n") == 0 and "--jobs" in completed.stderr
    assert "Traceback" not in completed.stderr + completed.stdout


def test_a_listing_fault_binds_by_the_scenarios_prefix_so_scenarios_run_at_once(monkeypatch):
    """The SDK gate arms its scripts with "listings": "prefix": another scenario's listing of the bucket
    does not consume a scenario's list-uploads instruction, so no selection has to run serially."""
    from conformance.commands import sdk as sdk_command
    from conformance.reference.fault_store import ScriptStore
    from conformance.sdk import bench

    sent = []
    monkeypatch.setattr(
        bench, "admin_request", lambda client, method, body=b"": sent.append(body) or _Created()
    )
    mine, other = "run/fw0/s1/001", "run/fw1/s2/001"
    bench.arm(None, "b", mine, {"list-uploads": ["return-503"]})
    store = ScriptStore()
    store.create(json.loads(sent[0]), owner="alice")
    owner_of = {"b": "alice"}.get
    assert store.take("list-uploads", "b", None, None, "r1", owner_of, prefix=other) is None
    assert store.take("list-uploads", "b", None, None, "r2", owner_of, prefix=None) is None
    assert store.take("list-uploads", "b", None, None, "r3", owner_of, prefix=mine).text == "return-503"
    assert sdk_command.jobs_count(None, 9) == sdk_command.AUTO_JOBS and sdk_command.jobs_count(None, 2) == 2


class _Created:
    status_code = 201

    @staticmethod
    def json() -> dict:
        return {"id": "s"}
