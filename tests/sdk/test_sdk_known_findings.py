"""Known findings are matched by what failed, inside the run: `jss-conformance sdk` with an SDK's findings
file (fixtures/sdk/expectations/) exits 0 only when each listed scenario failed with its fingerprint; a
do-nothing driver gets UNEXPECTED against a real SDK's findings, not "FAIL (expected)"; `--scenario` keeps
the case ids; `expectations update` writes an SDK run's findings with their fingerprints (no --target)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conformance.known_deviations import load_known_deviations
from conformance.sdk.scenarios import sdk_dir

CASE = "test_sdk_scenarios.py::test_sdk_scenario[{}]"
DO_NOTHING = f"{sys.executable} {Path(__file__).with_name('do_nothing_driver.py')}"
BROKEN = f"{sys.executable} -m conformance.sdk.drivers.broken"
JSS_UPLOAD = sdk_dir() / "expectations" / "jss-upload.toml"


def run_cli(directory: Path, *args: str) -> subprocess.CompletedProcess:
    """`jss-conformance ARGS` in `directory` (another folder than the project: ids must not depend on it)."""
    command = [sys.executable, "-m", "conformance.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=directory)


def sdk(directory: Path, driver: str, *extra: str) -> subprocess.CompletedProcess:
    return run_cli(directory, "sdk", "--driver", driver, "--timeout", "120", "--jss-results=results.json",
                   f"--alluredir={directory / 'allure'}", "-p", "no:cacheprovider", *extra)


def cases(directory: Path) -> dict[str, dict]:
    document = json.loads((directory / "results.json").read_text(encoding="utf-8"))
    return {case["id"]: case for case in document["cases"]}


def test_a_do_nothing_driver_is_unexpected_against_a_real_sdks_findings(tmp_path):
    chosen = ["retry-503-upload-part", "resume-from-list-parts"]
    completed = sdk(tmp_path, DO_NOTHING, *(f"--scenario={name}" for name in chosen),
                    f"--jss-known-deviations={JSS_UPLOAD}")
    assert completed.returncode == 1, completed.stdout[-3000:]
    seen = cases(tmp_path)
    assert set(seen) == {CASE.format(name) for name in chosen}  # --scenario keeps the file name in the ids
    assert seen[CASE.format("retry-503-upload-part")]["outcome"] == "FAIL"  # the outcome listed, but ...
    assert "known deviation" not in completed.stdout.lower()  # ... never shown as an expected FAIL
    assert f"UNEXPECTED {CASE.format('retry-503-upload-part')}: FAIL with findings" in completed.stdout
    assert f"UNEXPECTED {CASE.format('resume-from-list-parts')}: FAIL, expected NOT_IMPLEMENTED" \
        in completed.stdout
    assert "expected deviations 0  unexpected outcomes 2" in completed.stdout


def test_a_finding_matched_by_its_fingerprint_passes_and_another_does_not(tmp_path):
    findings = sdk_dir() / "expectations" / "broken-no-retry-5xx.toml"
    entry = load_known_deviations(findings).entries[CASE.format("retry-503-upload-part")]
    assert entry.fingerprint is not None and "sdk.retry.transient-error" in entry.fingerprint.findings
    matched = sdk(tmp_path, f"{BROKEN} no-retry-5xx", "--scenario=retry-503-upload-part",
                  f"--jss-known-deviations={findings}")
    assert matched.returncode == 0, matched.stdout[-3000:]
    assert "expected deviations 1  unexpected outcomes 0" in matched.stdout
    # the same scenario failing for another reason (no ?uploads: refused 403) is not this finding
    other = sdk(tmp_path, f"{BROKEN} no-uploads-subresource", "--scenario=retry-503-upload-part",
                f"--jss-known-deviations={findings}")
    assert other.returncode == 1, other.stdout[-3000:]
    assert "expected deviations 0  unexpected outcomes 1" in other.stdout


def test_expectations_update_writes_an_sdk_runs_findings(tmp_path):
    first = sdk(tmp_path, f"{BROKEN} no-retry-5xx", "--scenario=retry-503-upload-part",
                "--scenario=multipart-standard")
    assert first.returncode == 1, first.stdout[-3000:]  # no findings file: every scenario must PASS
    written = tmp_path / "findings.toml"
    update = run_cli(tmp_path, "expectations", "update", "--results", "results.json", "--file", str(written))
    assert update.returncode == 0, update.stdout + update.stderr
    entries = load_known_deviations(written).entries
    assert set(entries) == {CASE.format("retry-503-upload-part")}
    entry = entries[CASE.format("retry-503-upload-part")]
    assert entry.outcome == "FAIL" and entry.draft
    assert entry.fingerprint.findings == {"sdk.retry.transient-error", "sdk.object.stored"}
    again = sdk(tmp_path, f"{BROKEN} no-retry-5xx", "--scenario=retry-503-upload-part",
                f"--jss-known-deviations={written}", "--jss-allow-draft")
    assert again.returncode == 0, again.stdout[-3000:]


def test_an_sdk_findings_file_without_fingerprints_is_a_usage_error(tmp_path):
    bare = tmp_path / "bare.toml"
    bare.write_text(f'[expected]\n"{CASE.format("retry-503-upload-part")}" = '
                    '{ outcome = "FAIL", reason = "fails somehow" }\n', encoding="utf-8")
    completed = sdk(tmp_path, DO_NOTHING, "--scenario=retry-503-upload-part",
                    f"--jss-known-deviations={bare}")
    assert completed.returncode == 2, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert "without saying what must fail" in completed.stdout + completed.stderr
    assert "Traceback" not in completed.stderr


def test_an_unsupported_step_is_a_finding_unless_listed(tmp_path):
    unsupported = f"{DO_NOTHING} unsupported"
    bare = sdk(tmp_path, unsupported, "--scenario=multipart-standard")
    assert bare.returncode == 1, bare.stdout[-3000:]
    assert cases(tmp_path)[CASE.format("multipart-standard")]["outcome"] == "NOT_IMPLEMENTED"
    listed = tmp_path / "listed.toml"
    listed.write_text(f'[expected]\n"{CASE.format("multipart-standard")}" = {{ outcome = "NOT_IMPLEMENTED", '
                      'unsupported = ["multipart-upload"], reason = "no multipart upload" }\n',
                      encoding="utf-8")
    assert sdk(tmp_path, unsupported, "--scenario=multipart-standard",
               f"--jss-known-deviations={listed}").returncode == 0
