"""``--jss-workers N``: cases in processes forked after collection judge exactly as a serial run does, and a
gate built on them cannot lie (issue 11).

- The whole suite, forked and serial, gives the same outcome for every case, on the faithful endpoint and
  under a deviation (a negative control stays red); Allure gets one result per case.
- A forked worker killed in the middle of a case: that case is INFRA_ERROR (never PASS), the cases it was
  given and had not started run elsewhere, the exit status is 3, and its uploads are swept.
- The controller killed by SIGKILL: its workers end within seconds (they never outlive it).
- A run with an unexpected failure prints like a serial run: progress letters under their own file, the
  FAILURES section and the jss-conformance summary, no traceback of the suite's own.
- Bad values and the combination with xdist's -n are usage errors (exit status 2).
(Interrupts of forked runs are in test_harness_interrupt.py.)
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
from harness_helpers import clean_env, run_cli
from holding_proxy import HoldingProxy
from test_harness_interrupt import RUN_WAIT, SIGNAL_WAIT, _initiate, _leftovers, _profile, _run_prefix

from conformance.harness import forking

#: Seconds within which forked workers end after their controller was killed.
WORKERS_GONE_WITHIN = 10.0
DEVIATIONS = {"faithful": (), "initiate-answers-201": ("--jss-deviate", "initiate-answers-201")}


@pytest.fixture(scope="module")
def serial_outcomes(tmp_path_factory) -> dict[str, tuple[int, dict[str, str]]]:
    """Per deviation: the exit status and outcomes of a serial run of the whole suite."""
    runs = {}
    for name, args in DEVIATIONS.items():
        cwd = tmp_path_factory.mktemp(f"serial-{name}")
        run = run_cli(["run", *args], cwd)
        runs[name] = (run.status, run.outcomes())
    return runs


@pytest.mark.parametrize("deviation", DEVIATIONS.keys())
def test_forked_run_judges_every_case_as_a_serial_run(serial_outcomes, tmp_path, deviation):
    run = run_cli(["run", "--jss-workers", "3", "--junitxml=junit.xml", *DEVIATIONS[deviation]], tmp_path)
    status, outcomes = serial_outcomes[deviation]
    assert (run.status, run.outcomes()) == (status, outcomes), run.stdout[-3000:]
    assert run.results["run"]["status"] == "completed"
    allure_results = list((tmp_path / "reports" / "allure-results").glob("*-result.json"))
    junit = ElementTree.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert len(allure_results) == len(run.results["cases"]) == int(junit.get("tests"))


def test_a_negative_control_stays_red_when_forked(serial_outcomes):
    status, outcomes = serial_outcomes["initiate-answers-201"]
    assert status == 1 and "FAIL" in outcomes.values()


def _pid_with_local_port(pids: list[int], port: int) -> int | None:
    """The process among `pids` that owns the TCP socket whose local port is `port` (Linux /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(fields[9])
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                link = os.readlink(fd)
            except OSError:
                continue
            if link.startswith("socket:[") and link[8:-1] in inodes:
                return pid
    return None


def _children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="ascii")
    return [int(child) for child in text.split()]


def _start_forked_run(tmp_path: Path, endpoint, proxy: HoldingProxy, stdout: int) -> subprocess.Popen:
    """`run --jss-workers 2` of the upload-part cases through `proxy`, returned once the proxy holds a
    request (stderr goes with stdout)."""
    profile = _profile(tmp_path, endpoint, proxy.url)
    command = [sys.executable, "-m", "conformance.cli", "run", "--target", str(profile),
               "-k", "test_upload_part", "--jss-workers", "2", "-p", "no:cacheprovider"]
    run = subprocess.Popen(command, cwd=tmp_path, env=clean_env(), stdout=stdout,
                           stderr=subprocess.STDOUT, text=True)
    assert proxy.held.wait(SIGNAL_WAIT), "the held request never came"
    return run


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds the worker through Linux's /proc")
def test_a_lost_forked_worker_gives_infra_error_and_leaves_nothing(endpoint, tmp_path):
    with HoldingProxy(endpoint.endpoints["cn-north-1"], _initiate, hold_nth=3) as proxy:
        run = _start_forked_run(tmp_path, endpoint, proxy, subprocess.PIPE)
        worker = _pid_with_local_port(_children(run.pid), proxy.held_client[1])
        assert worker is not None, "no forked worker holds the connection"
        os.kill(worker, signal.SIGKILL)
        proxy.release()
        output, _ = run.communicate(timeout=RUN_WAIT)
    document = json.loads((tmp_path / "reports" / "results.json").read_text(encoding="utf-8"))
    outcomes = [case["outcome"] for case in document["cases"]]
    assert run.returncode == 3, output[-3000:]
    assert outcomes.count("INFRA_ERROR") == 1 and set(outcomes) == {"PASS", "INFRA_ERROR"}, outcomes
    assert len(outcomes) == document["run"]["selected"], "a case the lost worker was given did not run"
    assert document["run"]["status"] == "completed"
    assert "after a lost forked worker" in output
    assert _leftovers(endpoint, _run_prefix(output)) == [], output[-3000:]


def _process_gone(pid: int) -> bool:
    """True when `pid` has exited (gone, or a zombie nobody reaped yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="finds the workers through Linux's /proc")
def test_forked_workers_end_when_their_controller_is_killed(endpoint, tmp_path):
    with HoldingProxy(endpoint.endpoints["cn-north-1"], _initiate, hold_nth=3) as proxy:
        run = _start_forked_run(tmp_path, endpoint, proxy, subprocess.DEVNULL)
        workers = _children(run.pid)
        assert len(workers) == 2, workers
        run.kill()  # SIGKILL: the controller cannot pass anything on
        run.wait(timeout=RUN_WAIT)
        deadline = time.monotonic() + WORKERS_GONE_WITHIN
        while not all(_process_gone(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [pid for pid in workers if not _process_gone(pid)]  # the held answer is still held
        for pid in left:
            os.kill(pid, signal.SIGKILL)
    assert left == [], f"forked workers outlived their controller by {WORKERS_GONE_WITHIN} s"


def _progress_lines(output: str) -> list[str]:
    """The progress lines (``test_x.py ..F.`` without the percentage)."""
    lines = [line for line in output.splitlines() if re.match(r"^\S+\.py \S", line)]
    return [re.sub(r"\s+\[\s*\d+%\]$", "", line) for line in lines]


def _failure_headers(output: str) -> list[str]:
    """The headers of the FAILURES section's entries (``____ test_name ____``)."""
    section = output.split("= FAILURES =", 1)[1].split("= jss-conformance =", 1)[0]
    return re.findall(r"^_{3,} (\S.*?) _{3,}$", section, re.M)


def test_a_forked_run_with_an_unexpected_failure_prints_like_a_serial_run(tmp_path):
    args = ["run", "--jss-deviate", "initiate-answers-201", "--jss-operation", "InitiateMultipartUpload"]
    (tmp_path / "serial").mkdir()
    (tmp_path / "forked").mkdir()
    serial = run_cli(args, tmp_path / "serial")
    forked = run_cli([*args, "--jss-workers", "2"], tmp_path / "forked")
    everything = forked.stdout + forked.stderr
    assert (forked.status, serial.status) == (1, 1), everything[-3000:]
    for word in ("Traceback", "AttributeError", "INTERNALERROR"):
        assert word not in everything, everything[-3000:]
    assert "= FAILURES =" in forked.stdout and "= jss-conformance =" in forked.stdout
    progress = _progress_lines(forked.stdout)
    assert progress == _progress_lines(serial.stdout), (progress, _progress_lines(serial.stdout))
    files = [line.split()[0] for line in progress]
    assert len(files) == len(set(files)) and "F" in "".join(progress), progress  # each file once
    assert _failure_headers(forked.stdout) == _failure_headers(serial.stdout) != []
    assert forked.outcomes() == serial.outcomes()


@pytest.mark.parametrize(
    "args",
    [["--jss-workers", "many"], ["--jss-workers", "-1"], ["--jss-workers", "2", "-n", "2"]],
    ids=["not-a-number", "negative", "with-xdist"],
)
def test_bad_worker_options_are_usage_errors(tmp_path, args):
    run = run_cli(["run", *args], tmp_path)
    assert run.status == 2, run.stdout + run.stderr
    assert "--jss-workers" in run.stdout + run.stderr


@pytest.mark.parametrize(
    ("value", "rtt", "cores", "expected"),
    [("auto", 0.050, 2, forking.AUTO_FAR_WORKERS), ("auto", 0.002, 2, 2), ("auto", None, 2, 2),
     ("auto", 0.002, 1, 0), ("5", 0.050, 2, 5), (None, 0.050, 2, 0)],
    ids=["auto-far", "auto-near", "auto-unmeasured", "auto-near-one-core", "number", "absent"],
)
def test_worker_count_follows_the_option_and_the_preflight_rtt(monkeypatch, value, rtt, cores, expected):
    monkeypatch.setattr(forking.os, "cpu_count", lambda: cores)
    config = SimpleNamespace(option=SimpleNamespace(jss_workers=value))
    assert forking.worker_count(config, rtt) == expected
