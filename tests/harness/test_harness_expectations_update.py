"""`jss-conformance expectations update` on any profile (a default file beside a profile that names none),
and draft reasons: a run loading a file that still holds one stops with exit status 2 unless --allow-draft."""

from __future__ import annotations

import pytest
from harness_helpers import run_cli

from conformance import outcomes as oc
from conformance.commands.expectations import default_file
from conformance.known_deviations import PLACEHOLDER_REASON, load_known_deviations

ETAG_CASE = "test_complete.py::test_complete_etag_is_md5_of_part_etags"
ABORT_CASE = "test_response_fields.py::test_abort_response_is_204_without_body"
#: Two red cases (the deviations: the abort FAIL, the ETag NON_STRICT as complete.etag.formula is EXAMPLE
#: under the jss rules), a case outside the jss wire (NOT_APPLICABLE, the catalogue's), PASSes.
SELECT = [
    "--jss-deviate", "complete-etag-s3-style", "--jss-deviate", "abort-returns-200",
    "--jss-clause", "complete.etag", "--jss-clause", "abort.response", "-p", "no:cacheprovider",
]
PROFILE = (
    'name = "embedded"\ndialect = "jss"\nembedded = true\n[[buckets]]\nname = "jssc-north"\n'
    'region = "cn-north-1"\n'
)


@pytest.fixture(scope="module")
def failing_run(tmp_path_factory):
    """One run against the embedded endpoint (no known-deviations file) with two FAILs."""
    folder = tmp_path_factory.mktemp("update")
    run = run_cli(["run", *SELECT], folder)
    assert run.status == 1, run.stdout[-3000:]
    return run


def _profile(folder, text: str = PROFILE):
    path = folder / "vendor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_harness_update_writes_a_default_file_beside_a_profile_naming_none(failing_run, tmp_path):
    profile = _profile(tmp_path)
    results = failing_run.cwd / "reports" / "results.json"

    update = run_cli(
        ["expectations", "update", "--target", str(profile), "--results", str(results)], tmp_path
    )

    assert update.status == 0, update.stderr
    path = default_file(profile)
    assert path == tmp_path / "vendor.known-deviations.toml" and path.is_file()
    [said] = [line for line in update.stdout.splitlines() if "names no known_deviations" in line]
    assert str(path) in said and 'known_deviations = "vendor.known-deviations.toml"' in said
    written = load_known_deviations(path)
    outcomes = {i: e.outcome for i, e in written.entries.items()}
    assert outcomes == {ETAG_CASE: oc.NON_STRICT, ABORT_CASE: oc.FAIL}
    cases = failing_run.results["cases"]
    dialect = [c["id"] for c in cases if c.get("expected", {}).get("source") == "dialect"]
    assert dialect and not set(dialect) & set(written.entries)  # the catalogue already expects them
    messages = {c["id"]: c["message"] for c in failing_run.results["cases"]}
    for case_id, entry in written.entries.items():
        assert entry.draft and entry.reason == messages[case_id].splitlines()[0].strip()


def test_harness_profile_naming_the_default_file_runs_once_drafts_are_reviewed(failing_run, tmp_path):
    profile = _profile(tmp_path)
    results = failing_run.cwd / "reports" / "results.json"
    assert run_cli(["expectations", "update", "--target", str(profile), "--results", str(results)],
                   tmp_path).status == 0
    _profile(tmp_path, PROFILE.replace("embedded = true\n", 'embedded = true\nknown_deviations = '
                                       '"vendor.known-deviations.toml"\n'))
    path = default_file(profile)

    refused = run_cli(["run", "--target", str(profile), *SELECT], tmp_path)
    allowed = run_cli(["run", "--target", str(profile), *SELECT, "--allow-draft"], tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace(", draft = true", ""), encoding="utf-8")
    reviewed = run_cli(["run", "--target", str(profile), *SELECT], tmp_path)

    assert refused.status == 2, refused.stdout[-2000:]
    [line] = refused.stderr.strip().splitlines()
    assert str(path) in line and "2 draft reason(s)" in line and "Traceback" not in refused.stderr
    assert allowed.status == 0, allowed.stdout[-2000:]
    assert "2 entries of" in allowed.stdout and "draft reason" in allowed.stdout
    assert reviewed.status == 0, reviewed.stdout[-2000:]
    outside = sum(1 for c in reviewed.results["cases"] if c.get("expected", {}).get("source") == "dialect")
    assert outside and "expected deviations 2  unexpected outcomes 0" in reviewed.stdout  # n/a not counted


def test_harness_placeholder_reasons_of_older_files_are_drafts(tmp_path):
    line = f'"{ETAG_CASE}" = {{ outcome = "FAIL", reason = "{PLACEHOLDER_REASON}" }}\n'
    (tmp_path / "known.toml").write_text("[expected]\n" + line, encoding="utf-8")

    run = run_cli(["run", *SELECT, "--jss-known-deviations", "known.toml"], tmp_path)

    assert load_known_deviations(tmp_path / "known.toml").drafts == [ETAG_CASE]
    assert run.status == 2 and "1 draft reason(s)" in run.stderr, run.stderr


def test_harness_update_never_records_skipped_cases(tmp_path):
    import json

    (tmp_path / "reports").mkdir()
    case = {"id": "test_access.py::test_x", "clauses": ["c"], "outcome": "SKIPPED", "duration_ms": 1.0,
            "message": "the target has no second account"}
    results = {"run": {"suite_version": "0", "target": "embedded", "endpoint": "", "dialect": "jss",
                       "regions": [], "started": "2026-01-01T00:00:00Z", "duration": 0}, "cases": [case]}
    (tmp_path / "reports" / "results.json").write_text(json.dumps(results), encoding="utf-8")
    profile = _profile(tmp_path)

    update = run_cli(["expectations", "update", "--target", str(profile)], tmp_path)

    assert update.status == 0, update.stderr
    assert load_known_deviations(default_file(profile)).entries == {}
