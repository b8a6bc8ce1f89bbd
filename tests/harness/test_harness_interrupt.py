"""A stopped run does not lie and leaves nothing behind (issue 7, item 4; issue 20, items 1 and 2).

A real `jss-conformance run` subprocess runs against a reference endpoint through a holding proxy: the proxy
forwards the n-th initiate (or part upload) and holds its answer, so the endpoint has an upload the case does
not know about yet; at that moment (no sleep) the test sends the signal: SIGINT to the run's process (as
`kill -INT` does) or to its whole process group (as Ctrl-C in a terminal does, reaching the workers too);
SIGTERM and SIGHUP (a CI timeout or cancel, a closed terminal) serially, under xdist and with forked workers;
SIGINT to a run started with SIGINT ignored (a job started with & by a non-interactive shell). Then:

- the case in flight is INTERRUPTED, never PASS, and every report says so alike: pytest's summary line
  (``N passed, 1 INTERRUPTED``), the jss-conformance counts, results.json, JUnit (a skip saying
  INTERRUPTED) and Allure (not passed);
- results.json, written over an earlier green one, says the run was interrupted during the cases and by
  which signal; the exit status is the documented one (2 for SIGINT, 143 for SIGTERM, 129 for SIGHUP);
- nothing is left under the run's prefix (the upload whose initiate answer was swallowed is swept);
- when the endpoint refuses the deletes, the run prints the exact sweep command, and that command works.
(A forked run's controller killed by SIGKILL: test_harness_forking.py.)
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from harness_helpers import EAST_BUCKET, NORTH_BUCKET, SECRET_KEY, clean_env, list_all_objects
from holding_proxy import HoldingProxy
from run_reports import assert_reports_agree

from conformance import operations as ops
from conformance.harness.tracking import KeyMaker
from conformance.report.results import case_record, run_info, write_results

#: The cases run, as a -k selection (an explicit path outside the run folder would lose the file in the ids).
CASES = ["-k", "test_upload_part"]
SIGNAL_WAIT = 120  # seconds: how long the test waits for the held answer before giving up
RUN_WAIT = 120

PROFILE = """name = "interrupted"
endpoint = "{north}"
dialect = "jss"
[credentials]
access_key_env = "HARNESS_ACCESS_KEY"
secret_key_env = "HARNESS_SECRET_KEY"
[[buckets]]
name = "{north_bucket}"
region = "cn-north-1"
[[buckets]]
name = "{east_bucket}"
region = "cn-east-2"
endpoint = "{east}"
"""


def _initiate(method: str, path: str) -> bool:
    return method == "POST" and path.endswith("?uploads")


def _upload_part(method: str, path: str) -> bool:
    return method == "PUT" and "partNumber=" in path


HELD = {"initiate-answer-held": _initiate, "part-answer-held": _upload_part}
#: (arguments for pytest, whether SIGINT goes to the whole process group)
MODES = {
    "serial-kill": ([], False),
    "xdist-kill": (["-n", "2"], False),
    "xdist-ctrl-c": (["-n", "2"], True),
    "forked-kill": (["--jss-workers", "2"], False),
    "forked-ctrl-c": (["--jss-workers", "2"], True),
}
#: The documented exit status after each signal (README, "Outcomes and exit status").
EXIT_STATUS = {"SIGINT": 2, "SIGTERM": 143, "SIGHUP": 129}


def _old_green_results(path: Path) -> str:
    """Write an earlier run's green results.json at `path` (the reports folder the next run reuses)."""
    run = run_info(target="interrupted", endpoint="http://127.0.0.1:1", dialect="jss", regions=["cn-north-1"],
                   started=0.0, finished=1.0)
    write_results(path, run, [case_record("test_upload_part.py::test_old", [], "PASS", 1.0, "")])
    return path.read_text(encoding="utf-8")


def _default_signals() -> None:
    """preexec_fn: the child starts with SIGHUP and SIGINT at their defaults, whatever this process has."""
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _ignore_sigint() -> None:
    """preexec_fn: the child starts with SIGINT ignored (a job started with & by a non-interactive shell)."""
    _default_signals()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start_run(
    tmp_path: Path, profile: Path, extra: list[str], group: bool, preexec=_default_signals
) -> subprocess.Popen:
    command = [sys.executable, "-m", "conformance.cli", "run", "--target", str(profile), *CASES, "-v",
               "-p", "no:cacheprovider", "--junitxml=junit.xml", *extra]
    return subprocess.Popen(
        command, cwd=tmp_path, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=group, preexec_fn=preexec,
    )


def _interrupt(run: subprocess.Popen, proxy: HoldingProxy, group: bool, signum: int = signal.SIGINT) -> str:
    """Wait until the proxy holds the answer, send the signal, return the run's output."""
    assert proxy.held.wait(SIGNAL_WAIT), "the held request never came"
    if group:
        os.killpg(run.pid, signum)
    else:
        run.send_signal(signum)
    try:
        output, _ = run.communicate(timeout=RUN_WAIT)
    except subprocess.TimeoutExpired:
        run.kill()
        output, _ = run.communicate()
        pytest.fail(f"the interrupted run did not end within {RUN_WAIT} s:\n{output[-3000:]}")
    finally:
        proxy.release()
    return output


def _profile(tmp_path: Path, endpoint, north_url: str) -> Path:
    path = tmp_path / "interrupted.toml"
    path.write_text(
        PROFILE.format(
            north=north_url, east=endpoint.endpoints["cn-east-2"], north_bucket=NORTH_BUCKET,
            east_bucket=EAST_BUCKET,
        ),
        encoding="utf-8",
    )
    return path


def _run_prefix(output: str) -> str:
    match = re.search(r"run prefix (jssc-\d{8}T\d{6}-[0-9a-f]{6})/", output)
    assert match, output[-3000:]
    return match.group(1) + "/"


def _leftovers(endpoint, prefix: str) -> list[str]:
    """Uploads and objects under `prefix` in both buckets of the endpoint."""
    found = []
    for region, bucket in (("cn-north-1", NORTH_BUCKET), ("cn-east-2", EAST_BUCKET)):
        client = endpoint.client(region)
        found += [f"upload {u.key}" for u in ops.list_uploads(client, bucket, prefix=prefix).uploads]
        found += [f"object {key}" for key in list_all_objects(client, bucket) if key.startswith(prefix)]
    return found


def _held_case(proxy: HoldingProxy, outcomes: dict[str, str]) -> str:
    """The case id whose request the proxy held (its keys name the test, see KeyMaker)."""
    path = proxy.held_request[1]
    names = {case: KeyMaker("", case.split("::", 1)[1]).prefix.rsplit("-", 1)[0] for case in outcomes}
    matching = [case for case, name in names.items() if f"/{name}-" in path]
    assert len(matching) == 1, (path, names)
    return matching[0]


def _signalled_run(
    endpoint, tmp_path: Path, matches, extra: list[str], group: bool, name: str, preexec=_default_signals
):
    """A run whose held request gets signal `name`, in a reports folder holding an earlier green results.json;
    every check of an honest stop: returns (the run, its output)."""
    old = _old_green_results(tmp_path / "reports" / "results.json")
    with HoldingProxy(endpoint.endpoints["cn-north-1"], matches, hold_nth=3) as proxy:
        run = _start_run(tmp_path, _profile(tmp_path, endpoint, proxy.url), extra, group, preexec)
        output = _interrupt(run, proxy, group, getattr(signal, name))
    prefix = _run_prefix(output)
    text = (tmp_path / "reports" / "results.json").read_text(encoding="utf-8")
    document = json.loads(text)
    assert run.returncode == EXIT_STATUS[name], output[-3000:]
    assert text != old and document["run"]["status"] == "interrupted", document["run"]
    assert document["run"]["stopped_at"] == "cases" and document["run"]["reason"] == f"interrupted by {name}"
    outcomes = assert_reports_agree(tmp_path, output)  # pytest, jss summary, results.json, JUnit, Allure
    assert outcomes[_held_case(proxy, outcomes)] == "INTERRUPTED", outcomes
    assert f"interrupted by {name} while this case was running" in output
    assert _leftovers(endpoint, prefix) == [], output[-3000:]
    assert SECRET_KEY not in output + text
    return run, output


@pytest.mark.parametrize("attempt", range(2))
@pytest.mark.parametrize("mode", MODES.values(), ids=MODES.keys())
@pytest.mark.parametrize("matches", HELD.values(), ids=HELD.keys())
def test_harness_interrupted_run_is_honest_and_clean(endpoint, tmp_path, matches, mode, attempt):
    extra, group = mode
    _signalled_run(endpoint, tmp_path, matches, extra, group, "SIGINT")


#: Each stop signal in each way of running the cases (held request alternating).
SIGNAL_MODES = {
    f"{name}-{way}": (name, extra, HELD[held])
    for name in ("SIGTERM", "SIGHUP")
    for (way, extra), held in zip(
        (("serial", []), ("xdist", ["-n", "2"]), ("forked", ["--jss-workers", "2"])),
        ("initiate-answer-held", "part-answer-held", "initiate-answer-held"), strict=True,
    )
}


@pytest.mark.parametrize(("name", "extra", "matches"), SIGNAL_MODES.values(), ids=SIGNAL_MODES.keys())
def test_harness_sigterm_and_sighup_stop_a_run_as_sigint_does(endpoint, tmp_path, name, extra, matches):
    _signalled_run(endpoint, tmp_path, matches, extra, False, name)


@pytest.mark.parametrize("extra", [[], ["--jss-workers", "2"]], ids=["serial", "forked"])
def test_harness_sigint_stops_a_run_started_with_it_ignored(endpoint, tmp_path, extra):
    _signalled_run(endpoint, tmp_path, _upload_part, extra, False, "SIGINT", preexec=_ignore_sigint)


def test_harness_interrupted_run_prints_the_sweep_command_when_deletes_fail(endpoint, tmp_path):
    with HoldingProxy(endpoint.endpoints["cn-north-1"], _initiate, hold_nth=2) as proxy:
        profile = _profile(tmp_path, endpoint, proxy.url)
        run = _start_run(tmp_path, profile, [], False)
        assert proxy.held.wait(SIGNAL_WAIT)
        proxy.refuse_deletes = True  # the cleanup and the sweep cannot abort anything
        output = _interrupt(run, proxy, False)
        prefix = _run_prefix(output)
        assert _leftovers(endpoint, prefix), "the test needs something left behind"
        command = f"jss-conformance sweep --target {profile} --prefix {prefix}"
        assert f"remove the rest with: {command}" in output, output[-3000:]
        proxy.refuse_deletes = False
        swept = subprocess.run(
            [sys.executable, "-m", "conformance.cli", *command.split()[1:]],
            cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=RUN_WAIT,
        )
    assert swept.returncode == 0, swept.stdout + swept.stderr
    assert _leftovers(endpoint, prefix) == []
