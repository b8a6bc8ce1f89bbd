"""The driver runner (conformance.sdk.protocol.run_driver): a driver that gives no usable result is an
infrastructure failure with its stderr kept; a valid ``failed`` result is the SDK's; the driver runs in its
own process group, killed whole on timeout (its children too)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from conformance.sdk import protocol
from conformance.sdk.protocol import run_driver

DRIVER = Path(__file__).with_name("infra_driver.py")
PAYLOAD = {"protocol": 1, "credentials": {"access_key": "AK", "secret_key": "a-secret-of-some-length"},
           "steps": [{"op": "multipart-upload"}, {"op": "download"}]}


def command(mode: str, file: Path | None = None) -> str:
    return f"{sys.executable} {DRIVER} {mode}" + (f" {file}" if file else "")


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting for its reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return False
    return "\nState:\tZ" not in state


def test_a_driver_that_exits_3_at_once_is_infra_with_its_stderr(tmp_path):
    run = run_driver(command("exit3", tmp_path / "secret"), PAYLOAD, timeout=60)
    assert run.infra and run.result is None and run.returncode == 3
    assert "no result line" in run.problem and "exit status 3" in run.problem
    assert run.stderr_tail().splitlines()[-1].endswith("the SDK module is missing")


def test_a_driver_that_prints_no_json_is_infra():
    run = run_driver(command("no-json"), PAYLOAD, timeout=60)
    assert run.infra and run.returncode == 0
    assert "not JSON" in run.problem


def test_a_driver_that_cannot_start_is_infra(tmp_path):
    run = run_driver(str(tmp_path / "no-such-driver"), PAYLOAD, timeout=60)
    assert run.infra and "could not start" in run.problem


def test_a_valid_failed_result_is_the_sdks_not_infra():
    run = run_driver(command("failed"), PAYLOAD, timeout=60)
    assert not run.infra and run.result["status"] == "failed" and run.returncode == 1


def test_on_timeout_the_whole_process_group_is_killed(tmp_path, monkeypatch):
    monkeypatch.setattr(protocol, "TICK", 0.2)
    pid_file = tmp_path / "child.pid"
    ticks = []
    run = run_driver(command("spawn-sleep", pid_file), PAYLOAD, timeout=2.0, on_tick=lambda: ticks.append(1))
    assert run.infra and "ran over 2 s" in run.problem and "process group was killed" in run.problem
    assert run.seconds < 30
    child = int(pid_file.read_text(encoding="utf-8"))
    deadline = time.monotonic() + 5
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child), f"the driver's child {child} outlived the timeout"
    assert ticks, "on_tick was never called while the driver ran"


def test_the_driver_leads_its_own_process_group(tmp_path):
    script = tmp_path / "pgid.py"
    script.write_text("import json, os\nprint(json.dumps({'status': 'ok', 'message': "
                      "f'{os.getpgid(0)} {os.getpid()}'}))\n", encoding="utf-8")
    run = run_driver(f"{sys.executable} {script}", PAYLOAD, timeout=60)
    group, pid = run.result["message"].split()
    assert group == pid and int(group) != os.getpgid(0)
