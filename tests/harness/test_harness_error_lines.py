"""One prefix for every one-line error: each usage or configuration error path of run, serve, sign, sweep,
compare, sdk, expectations, the profile and the catalogue prints exactly one stderr line starting with
``jss-conformance: error: `` (conformance.errorline) and exits 2 (4 under plain pytest), no traceback."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness_helpers import REPO, clean_env, run_cli, run_pytest

from conformance.errorline import PREFIX
from conformance.report.results import case_record, run_info, write_results

RUN_PREFIX = "jssc-20260102T030405-a1b2c3/"
PROFILE = """
endpoint = "http://127.0.0.1:9"
dialect = "jss"
[credentials]
access_key_env = "HARNESS_ACCESS_KEY"
secret_key_env = "HARNESS_SECRET_KEY"
[[buckets]]
name = "some-bucket"
region = "cn-north-1"
"""
NOT_RESULTS = '{"run": {}, "cases": "no"}'

#: name -> the command line (after ``python -m conformance.cli``); {dir} is the test's folder, where
#: profile.toml (a valid profile), results.json (not a results.json), good.json (a valid one) and broken/
#: (fixtures whose catalogue is not TOML) are prepared.
PATHS = {
    "top-no-command": [],
    "top-unknown-command": ["bless"],
    "run-profile-missing": ["run", "--target", "{dir}/nope.toml"],
    "run-profile-bad": ["run", "--target", "{dir}/results.json"],
    "run-target-without-value": ["run", "--target"],
    "run-target-twice": ["run", "--target", "{dir}/profile.toml", "--jss-target", "{dir}/profile.toml"],
    "run-unknown-family": ["run", "--jss-family", "astrology"],
    "run-clause-matching-nothing": ["run", "--jss-clause", "astrology."],
    "run-unknown-operation": ["run", "--jss-operation", "Levitate"],
    "run-unknown-deviation": ["run", "--jss-deviate", "be-nice"],
    "run-known-deviations-missing": ["run", "--jss-known-deviations", "{dir}/nope.toml"],
    "run-nothing-selected": ["run", "-k", "no_case_has_this_name"],
    "run-unknown-pytest-option": ["run", "--no-such-option"],
    "serve-bad-port": ["serve", "--port", "eighty"],
    "serve-port-range": ["serve", "--port", "70000"],
    "serve-unknown-deviation": ["serve", "--deviate", "be-nice"],
    "serve-unknown-region": ["serve", "--region", "mars-1"],
    "serve-credentials-missing": ["serve", "--credentials", "{dir}/nope.toml"],
    "serve-bucket-bad-name": ["serve", "--bucket", "No_Such"],
    "serve-bucket-region-not-served": ["serve", "--bucket", "good-name@cn-south-1", "--region", "cn-north-1"],
    "serve-bucket-twice": ["serve", "--bucket", "good-name", "--bucket", "good-name@cn-east-2"],
    "sign-missing-arguments": ["sign", "--method", "GET"],
    "sign-bad-header": ["sign", "--method", "GET", "--resource", "/b/k", "--access-key", "AK",
                        "--secret-key", "SK", "--header", "no colon"],
    "sweep-empty-prefix": ["sweep", "--target", "{dir}/profile.toml", "--prefix", ""],
    "sweep-not-a-run-folder": ["sweep", "--target", "{dir}/profile.toml", "--prefix", "customer/"],
    "sweep-no-target": ["sweep", "--prefix", RUN_PREFIX],
    "sweep-profile-missing": ["sweep", "--target", "{dir}/nope.toml", "--prefix", RUN_PREFIX],
    "compare-missing-file": ["compare", "{dir}/nope.json"],
    "compare-not-results": ["compare", "{dir}/results.json"],
    "compare-catalogue-missing": ["compare", "--catalogue", "{dir}/nope.toml", "{dir}/good.json"],
    "sdk-no-driver": ["sdk"],
    "sdk-empty-driver": ["sdk", "--driver", ""],
    "sdk-unknown-scenario": ["sdk", "--driver", "true", "--scenario", "astrology"],
    "expectations-no-action": ["expectations"],
    "expectations-profile-missing": ["expectations", "update", "--target", "{dir}/nope.toml"],
}
#: Paths that read the data folder: run with JSS_CONFORMANCE_FIXTURES pointing at a broken copy.
BROKEN_CATALOGUE = {
    "run-catalogue-broken": ["run", "--jss-family", "signature"],
    "compare-catalogue-broken": ["compare", "--catalogue", "{dir}/broken/clauses.toml", "{dir}/good.json"],
}


def _prepare(folder: Path) -> None:
    (folder / "profile.toml").write_text(PROFILE, encoding="utf-8")
    (folder / "results.json").write_text(NOT_RESULTS, encoding="utf-8")
    run = run_info(target="t", endpoint="http://127.0.0.1:9", dialect="jss", regions=["r"], started=0)
    write_results(folder / "good.json", run, [case_record("c", ["errors.body.shape"], "PASS", 1.0, "")])
    shutil.copytree(REPO / "fixtures", folder / "broken")
    (folder / "broken" / "clauses.toml").write_text("[[clause]\nid = 'x'\n", encoding="utf-8")


def _assert_one_error_line(run, status: int = 2) -> None:
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert run.status == status and len(lines) == 1, (run.status, run.stderr[-1500:])
    assert lines[0].startswith(PREFIX) and len(lines[0]) > len(PREFIX), lines[0]
    assert "Traceback" not in run.stdout + run.stderr


@pytest.mark.parametrize("args", PATHS.values(), ids=PATHS.keys())
def test_harness_every_error_path_prints_one_prefixed_line(tmp_path, args):
    _prepare(tmp_path)
    _assert_one_error_line(run_cli([a.format(dir=tmp_path) for a in args], tmp_path))


@pytest.mark.parametrize("args", BROKEN_CATALOGUE.values(), ids=BROKEN_CATALOGUE.keys())
def test_harness_a_broken_catalogue_is_one_prefixed_line(tmp_path, args):
    _prepare(tmp_path)
    env = clean_env(JSS_CONFORMANCE_FIXTURES=str(tmp_path / "broken"))
    _assert_one_error_line(run_cli([a.format(dir=tmp_path) for a in args], tmp_path, env))


#: Commands run with JSS_CONFORMANCE_FIXTURES naming no folder; (command, exit status).
FIXTURES_NOWHERE = {
    "run": (["run"], 2),
    "compare": (["compare", "{dir}/good.json"], 2),
    "sdk": (["sdk", "--driver", "true"], 2),
    "plain-pytest": (None, 4),
}


@pytest.mark.parametrize("args,status", FIXTURES_NOWHERE.values(), ids=FIXTURES_NOWHERE.keys())
def test_harness_fixtures_variable_naming_no_folder_is_one_line_naming_it(tmp_path, args, status):
    _prepare(tmp_path)
    nowhere = str(tmp_path / "nowhere")
    env = clean_env(JSS_CONFORMANCE_FIXTURES=nowhere)

    if args is None:
        run = run_pytest(["--pyargs", "conformance.cases"], tmp_path, env)
    else:
        run = run_cli([a.format(dir=tmp_path) for a in args], tmp_path, env)

    _assert_one_error_line(run, status)
    said = run.stderr.strip().removeprefix(PREFIX)
    assert said == f"JSS_CONFORMANCE_FIXTURES={nowhere}: no such folder (unset it to use the packaged data)"
    if args == ["run"]:
        assert run.results["run"]["reason"] == said


def test_harness_fixtures_variable_naming_another_folder_is_one_line_naming_it(tmp_path):
    run = run_cli(["run"], tmp_path, clean_env(JSS_CONFORMANCE_FIXTURES=str(tmp_path)))

    _assert_one_error_line(run)
    assert f"JSS_CONFORMANCE_FIXTURES={tmp_path}: " in run.stderr and "clauses.toml" in run.stderr


def test_harness_plain_pytest_errors_have_the_same_prefix(tmp_path):
    run = run_pytest(["--pyargs", "conformance.cases", "--jss-family", "astrology"], tmp_path)
    _assert_one_error_line(run, status=4)


def test_harness_reference_module_errors_have_the_same_prefix(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "conformance.reference", "--deviate", "be-nice"],
        cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=60,
    )
    lines = completed.stderr.strip().splitlines()
    assert (completed.returncode, len(lines)) == (2, 1) and lines[0].startswith(PREFIX), completed.stderr


def test_harness_clause_matching_nothing_stops_before_the_run_and_replaces_the_results(tmp_path):
    previous = tmp_path / "reports" / "results.json"
    previous.parent.mkdir()
    previous.write_text("the previous run's file", encoding="utf-8")
    run = run_cli(["run", "--jss-clause", "initiate.astrology"], tmp_path)
    _assert_one_error_line(run)
    assert "--jss-clause 'initiate.astrology'" in run.stderr
    assert run.stdout == ""  # no session, no endpoint started
    # DESIGN §3 / issue 7 item 4: never the previous run's file, one that says the run stopped at setup
    assert run.results["cases"] == []
    assert (run.results["run"]["status"], run.results["run"]["stopped_at"]) == ("stopped", "setup")
    assert "--jss-clause 'initiate.astrology'" in run.results["run"]["reason"]


def test_harness_no_error_line_is_formatted_outside_errorline():
    """Source lint: every one-line error goes through conformance.errorline (or the plugin's usage_error);
    nothing raises pytest's UsageError with a message of its own or prints its own 'error:' prefix."""
    offenders = []
    for path in sorted((REPO / "conformance").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if re.search(r"pytest\.UsageError\(\s*[^)\s]", line) or re.search(r"""[:'"] ?error: ?\{""", line):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == []
