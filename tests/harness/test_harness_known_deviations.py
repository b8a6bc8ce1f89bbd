"""Known deviations as data: the file's validation, the judgement of outcomes, `expectations update`, and
runs against the embedded endpoint that turn red when an expectation is missing or no longer true."""

from __future__ import annotations

import json

import pytest
from harness_helpers import run_cli

from conformance import outcomes as oc
from conformance.known_deviations import (
    Expectation,
    KnownDeviations,
    KnownDeviationsError,
    is_unexpected,
    load_known_deviations,
    updated_entries,
)

#: A MUST clause's case, turned FAIL (complete.etag.formula is EXAMPLE under the jss rules: NON_STRICT).
ETAG_CASE = "test_response_fields.py::test_abort_response_is_204_without_body"
LINE = f'"{ETAG_CASE}" = {{ outcome = "FAIL", reason = "the abort-200 deviation, on purpose" }}\n'
ENTRY = "# the one known deviation\n[expected]\n" + LINE
#: The one case that the deviation abort-returns-200 turns red, and only it.
SELECT = [
    "--jss-deviate", "abort-returns-200", "--jss-clause", "abort.response", "-p", "no:cacheprovider",
]

BAD_FILES = {
    "listed-twice": ENTRY + LINE,
    "unknown-outcome": ENTRY.replace('"FAIL"', '"BROKEN"'),
    "infra-error-expected": ENTRY.replace('"FAIL"', '"INFRA_ERROR"'),
    "empty-reason": ENTRY.replace("the abort-200 deviation, on purpose", " "),
    "unknown-key": ENTRY.replace(" }", ', ticket = "JSS-1" }'),
    "not-a-table": ENTRY.replace(LINE, f'"{ETAG_CASE}" = "FAIL"\n'),
    "top-level-key": 'target = "x"\n' + ENTRY,
    "bad-toml": ENTRY + "[expected\n",
}


@pytest.mark.parametrize("content", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_harness_known_deviations_bad_file_is_one_line_error(tmp_path, content):
    path = tmp_path / "known.toml"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(KnownDeviationsError) as error:
        load_known_deviations(path)

    assert str(error.value).startswith(str(path)) and "\n" not in str(error.value)


FAIL_EXPECTED = Expectation(oc.FAIL, "known", "file")
JUDGEMENTS = [
    # outcome, expectation, judged (a file is used), strict -> unexpected
    (oc.FAIL, FAIL_EXPECTED, True, False, False),
    (oc.PASS, FAIL_EXPECTED, True, False, True),  # an expected failure that now passes
    (oc.PASS, FAIL_EXPECTED, False, False, True),
    (oc.NON_STRICT, Expectation(oc.PASS), True, False, True),
    (oc.NON_STRICT, Expectation(oc.PASS), False, False, False),
    (oc.NON_STRICT, Expectation(oc.PASS), False, True, True),
    (oc.NOT_IMPLEMENTED, Expectation(oc.NOT_IMPLEMENTED, "dialect", "dialect"), True, False, False),
    (oc.SKIPPED, Expectation(oc.PASS), True, False, False),  # not run: it confirms nothing
    (oc.SKIPPED, FAIL_EXPECTED, True, False, False),
    (oc.FAIL, Expectation(oc.PASS), False, False, True),
    (oc.INFRA_ERROR, Expectation(oc.PASS), True, False, False),  # exit status 3, judged apart
]


@pytest.mark.parametrize(("outcome", "expected", "judged", "strict", "unexpected"), JUDGEMENTS)
def test_harness_outcome_judged_against_expectation(outcome, expected, judged, strict, unexpected):
    assert is_unexpected(outcome, expected, judged=judged, strict=strict) is unexpected


def test_harness_updated_entries_keep_reasons_and_draft_new_ones_from_the_message():
    previous = KnownDeviations({
        "a": Expectation(oc.FAIL, "reason a", "file"),
        "b": Expectation(oc.FAIL, "reason b", "file"),
        "c": Expectation(oc.NON_STRICT, "reason c", "file"),
        "kept-when-skipped": Expectation(oc.FAIL, "reason k", "file"),
        "old-skip": Expectation(oc.SKIPPED, "reason s", "file"),
        "not-run": Expectation(oc.FAIL, "reason d", "file"),
    })
    cases = [
        {"id": "a", "outcome": oc.FAIL, "message": "other words"},
        {"id": "b", "outcome": oc.NON_STRICT, "message": "  stored STANDARD  \nsecond line"},
        {"id": "c", "outcome": oc.PASS, "message": ""},
        {"id": "new", "outcome": oc.NOT_IMPLEMENTED, "message": "answered 501"},
        {"id": "silent", "outcome": oc.FAIL, "message": ""},
        {"id": "skipped", "outcome": oc.SKIPPED, "message": "the target has no [alt] account"},
        {"id": "kept-when-skipped", "outcome": oc.SKIPPED, "message": "no [alt]"},
        {"id": "old-skip", "outcome": oc.SKIPPED, "message": "no [alt]"},
        {"id": "dialect", "outcome": oc.NOT_IMPLEMENTED, "message": "s3 only",
         "expected": {"outcome": oc.NOT_IMPLEMENTED, "reason": "s3 only", "source": "dialect"}},
    ]

    entries = updated_entries(previous, cases)

    assert {i: (e.outcome, e.reason, e.draft) for i, e in entries.items()} == {
        "a": (oc.FAIL, "reason a", False),
        "b": (oc.NON_STRICT, "stored STANDARD (was FAIL: reason b)", True),
        "kept-when-skipped": (oc.FAIL, "reason k", False),
        "new": (oc.NOT_IMPLEMENTED, "answered 501", True),
        "not-run": (oc.FAIL, "reason d", False),
        "silent": (oc.FAIL, "observed FAIL (no message)", True),
    }


def test_harness_drafted_reason_is_trimmed_to_its_first_line():
    long = "x" * 500
    entries = updated_entries(KnownDeviations({}), [{"id": "a", "outcome": oc.FAIL, "message": long}])

    assert len(entries["a"].reason) == 200 and entries["a"].reason.endswith("...")


def _run(tmp_path, known: str | None, *extra: str):
    args = ["run", *SELECT, *extra]
    if known is not None:
        (tmp_path / "known.toml").write_text(known, encoding="utf-8")
        args += ["--jss-known-deviations", "known.toml"]
    return run_cli(args, tmp_path)


def test_harness_expected_deviation_passes_the_run(tmp_path):
    run = _run(tmp_path, ENTRY)

    case = run.results["cases"][0]
    assert (run.status, case["outcome"], case["expected"]["outcome"]) == (0, oc.FAIL, oc.FAIL), run.stdout
    assert "FAIL (expected) " + ETAG_CASE in run.stdout and "unexpected outcomes 0" in run.stdout
    assert run.results["run"]["unexpected"] == 0


def test_harness_removed_expectation_line_turns_the_run_red(tmp_path):
    assert _run(tmp_path, ENTRY).status == 0

    run = _run(tmp_path, ENTRY.replace(LINE, ""))

    assert run.status == 1, run.stdout
    assert f"UNEXPECTED {ETAG_CASE}: FAIL, expected PASS" in run.stdout
    assert run.results["run"]["unexpected"] == 1


def test_harness_expected_failure_that_passes_turns_the_run_red(tmp_path):
    faithful = [arg for arg in SELECT if arg not in ("--jss-deviate", "abort-returns-200")]
    (tmp_path / "known.toml").write_text(ENTRY, encoding="utf-8")

    run = run_cli(["run", *faithful, "--jss-known-deviations", "known.toml"], tmp_path)

    assert run.status == 1, run.stdout
    assert f"UNEXPECTED {ETAG_CASE}: PASS, expected FAIL" in run.stdout


def test_harness_expectations_update_writes_the_run_outcomes(tmp_path):
    profile = tmp_path / "target.toml"
    profile.write_text(
        'name = "embedded"\ndialect = "jss"\nembedded = true\nknown_deviations = "known.toml"\n'
        '[[buckets]]\nname = "jssc-north"\nregion = "cn-north-1"\n',
        encoding="utf-8",
    )
    failed = _run(tmp_path, None)
    assert failed.status == 1
    [case] = [c for c in failed.results["cases"] if c["id"] == ETAG_CASE]

    update = run_cli(["expectations", "update", "--target", str(profile)], tmp_path)

    assert update.status == 0, update.stderr
    written = load_known_deviations(tmp_path / "known.toml")
    assert {i: e.outcome for i, e in written.entries.items()} == {ETAG_CASE: oc.FAIL}
    assert written.drafts == [ETAG_CASE]
    assert written.entries[ETAG_CASE].reason == case["message"].splitlines()[0].strip()
    assert "1 with a draft reason" in update.stdout and "names no known_deviations" not in update.stdout
    text = (tmp_path / "known.toml").read_text(encoding="utf-8")
    assert _run(tmp_path, text).status == 2  # a draft not reviewed
    assert _run(tmp_path, text, "--jss-allow-draft").status == 0
    assert _run(tmp_path, text.replace(", draft = true", "")).status == 0  # reviewed


def test_harness_expectations_update_refuses_another_targets_results(tmp_path):
    (tmp_path / "reports").mkdir()
    results = {"run": {"suite_version": "0", "target": "moto", "endpoint": "", "dialect": "s3",
                       "regions": [], "started": "2026-01-01T00:00:00Z", "duration": 0}, "cases": []}
    (tmp_path / "reports" / "results.json").write_text(json.dumps(results), encoding="utf-8")
    profile = tmp_path / "target.toml"
    profile.write_text(
        'name = "embedded"\ndialect = "jss"\nembedded = true\nknown_deviations = "known.toml"\n'
        '[[buckets]]\nname = "jssc-north"\nregion = "cn-north-1"\n',
        encoding="utf-8",
    )

    update = run_cli(["expectations", "update", "--target", str(profile)], tmp_path)

    assert update.status == 2 and "not of 'embedded'" in update.stderr
    assert not (tmp_path / "known.toml").exists()
