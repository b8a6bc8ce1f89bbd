"""Exit statuses of `jss-conformance run` (and plain pytest): bad profile 2, unreachable endpoint 3, each
reported as one line without a traceback, before any case runs."""

from __future__ import annotations

import json
import re

import pytest
from harness_helpers import SECRET_KEY, clean_env, closed_port, run_cli, run_pytest

from conformance.errorline import INFRA_PREFIX, PREFIX

PROFILE = """
endpoint = "{endpoint}"
dialect = "jss"
[credentials]
access_key_env = "HARNESS_ACCESS_KEY"
secret_key_env = "HARNESS_SECRET_KEY"
[[buckets]]
name = "some-bucket"
region = "cn-north-1"
"""

BAD = {
    "missing-file": None,
    "bad-toml": "endpoint = 'x\n",
    "missing-field": PROFILE.replace('dialect = "jss"\n', ""),
    "unknown-dialect": PROFILE.replace('"jss"', '"s3v4"'),
    "literal-secret": PROFILE.replace('secret_key_env = "HARNESS_SECRET_KEY"', 'secret_key = "plain"'),
    "env-var-unset": PROFILE.replace("HARNESS_SECRET_KEY", "HARNESS_NOT_SET"),
    "unknown-expect-key": PROFILE + "[expect]\nbananas = true\n",
}

#: Runs refused before any case runs: the arguments after ``run``, and the start of the one error line.
USAGE_ERRORS = {
    "nothing-selected": (["-k", "no_case_has_this_name"], PREFIX + "no conformance case"),
    "unknown-family": (["--jss-family", "astrology"], PREFIX + "--jss-family 'astrology': unknown family"),
    "unknown-deviation": (["--jss-deviate", "be-nice"], PREFIX + "unknown deviation 'be-nice'"),
}


def _error_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _assert_stopped_at_setup(run, reason_part: str) -> None:
    """results.json of this run (not a stale one) says it stopped before any case, and why."""
    document = run.results
    assert document["run"]["status"] == "stopped" and document["run"]["stopped_at"] == "setup"
    assert reason_part in document["run"]["reason"]
    assert SECRET_KEY not in json.dumps(document)


def _stale_results(directory) -> None:
    (directory / "reports").mkdir(parents=True, exist_ok=True)
    (directory / "reports" / "results.json").write_text('{"stale": true}', encoding="utf-8")


@pytest.mark.parametrize("content", BAD.values(), ids=BAD.keys())
def test_harness_bad_profile_exits_2_with_one_line(tmp_path, content):
    profile = tmp_path / "target.toml"
    if content is not None:
        profile.write_text(content.format(endpoint="http://127.0.0.1:9"), encoding="utf-8")
    _stale_results(tmp_path)
    run = run_cli(["run", "--target", str(profile), "-p", "no:cacheprovider"], tmp_path)
    assert run.status == 2
    lines = _error_lines(run.stderr)
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith(PREFIX)
    assert "Traceback" not in run.stderr + run.stdout
    assert run.stdout == ""  # no case ran
    assert run.results["cases"] == []
    _assert_stopped_at_setup(run, lines[0].removeprefix(PREFIX))


def test_harness_bad_profile_under_plain_pytest_is_a_usage_error(tmp_path):
    profile = tmp_path / "target.toml"
    profile.write_text(BAD["unknown-dialect"].format(endpoint="http://127.0.0.1:9"), encoding="utf-8")
    run = run_pytest(["--jss-target", str(profile)], tmp_path)
    assert run.status == 4  # pytest's usage error (jss-conformance run maps it to 2)
    assert _error_lines(run.stderr) == [PREFIX + f"{profile}: unknown dialect 's3v4' (known: jss, s3)"]


def test_harness_closed_port_exits_3_with_one_infra_error(tmp_path):
    profile = tmp_path / "target.toml"
    profile.write_text(PROFILE.format(endpoint=f"http://127.0.0.1:{closed_port()}"), encoding="utf-8")
    _stale_results(tmp_path)
    run = run_cli(["run", "--target", str(profile), "-p", "no:cacheprovider"], tmp_path)
    assert run.status == 3
    _assert_stopped_at_setup(run, "Connection refused")
    lines = _error_lines(run.stderr)
    assert len(lines) == 1 and "INFRA_ERROR" in lines[0] and "Connection refused" in lines[0], run.stderr
    assert run.stdout.strip() == ""
    assert "Traceback" not in run.stderr
    assert [(case["id"], case["outcome"]) for case in run.results["cases"]] == [("preflight", "INFRA_ERROR")]
    assert (tmp_path / "reports" / "allure-results" / "categories.json").is_file()


def test_harness_env_one_bucket_run_with_closed_port_exits_3(tmp_path):
    env = clean_env(
        JSS_ENDPOINT=f"http://127.0.0.1:{closed_port()}",
        JSS_ACCESS_KEY="AK",
        JSS_SECRET_KEY="SK",
        JSS_BUCKET="solo-bucket",
        JSS_REGION="cn-north-1",
    )
    run = run_cli(["run", "-p", "no:cacheprovider"], tmp_path, env)
    assert run.status == 3
    assert run.results["run"]["target"].startswith("env:127.0.0.1:")


def test_harness_env_incomplete_exits_2(tmp_path):
    env = clean_env(JSS_ENDPOINT="http://127.0.0.1:9", JSS_ACCESS_KEY="AK", JSS_SECRET_KEY="SK")
    run = run_cli(["run", "-p", "no:cacheprovider"], tmp_path, env)
    assert run.status == 2
    assert _error_lines(run.stderr) == [
        PREFIX + "JSS_ENDPOINT is set: a one-bucket run also needs JSS_BUCKET, JSS_REGION"
    ]


@pytest.mark.parametrize(("args", "line_start"), USAGE_ERRORS.values(), ids=USAGE_ERRORS.keys())
def test_harness_usage_error_exits_2_with_one_line(tmp_path, args, line_start):
    _stale_results(tmp_path)
    run = run_cli(["run", *args, "-p", "no:cacheprovider"], tmp_path)
    assert run.status == 2
    lines = _error_lines(run.stderr)
    assert len(lines) == 1 and lines[0].startswith(line_start), run.stderr
    assert run.results["cases"] == []
    _assert_stopped_at_setup(run, re.sub(r"^.*?error: ", "", lines[0], flags=re.IGNORECASE).split(" (")[0])


def test_harness_deviation_needs_the_embedded_endpoint(endpoint, tmp_path):
    run = run_cli(
        [
            "run",
            "--target",
            str(endpoint.profile(tmp_path)),
            "--jss-deviate",
            "rr-downgrade",
            "-p",
            "no:cacheprovider",
        ],
        tmp_path,
    )
    assert run.status == 2
    assert _error_lines(run.stderr) == [
        PREFIX + "--jss-deviate applies to the embedded reference endpoint only, not to target harness"
    ]


@pytest.mark.parametrize("through", ["jss-conformance-run", "plain-pytest"])
def test_harness_unreachable_endpoint_line_is_the_suites_own(tmp_path, through):
    profile = tmp_path / "target.toml"
    profile.write_text(PROFILE.format(endpoint=f"http://127.0.0.1:{closed_port()}"), encoding="utf-8")

    if through == "plain-pytest":
        run = run_pytest(["--pyargs", "conformance.cases", "--jss-target", str(profile)], tmp_path)
    else:
        run = run_cli(["run", "--target", str(profile), "-p", "no:cacheprovider"], tmp_path)

    lines = _error_lines(run.stderr)
    assert run.status == 3 and len(lines) == 1, run.stderr
    assert lines[0].startswith(INFRA_PREFIX + "cannot reach "), lines[0]
