"""compare's totals per target equal the run's own terminal line ("expected deviations N  unexpected outcomes
M"): the matrix judges each case as the run did (its known-deviations file, --jss-strict, the expectation
results.json records), for hand-made documents and for real runs against the embedded endpoint."""

from __future__ import annotations

import re

import pytest
from harness_helpers import run_cli

from conformance.report.judgement import run_totals
from conformance.report.matrix import build_matrix
from conformance.report.matrix_text import render_text

RR_CASE = "test_region_limit.py::test_initiate_rr_outside_north_china_never_rr"
ETAG_CASE = "test_complete.py::test_complete_etag_is_md5_of_part_etags"
#: FAIL: the abort case; NON_STRICT: the RR-elsewhere case and the ETag case (complete.etag.formula is
#: EXAMPLE under the jss rules); NOT_APPLICABLE: the s3-only case of the selected clauses (outside the jss
#: wire, never an expected deviation); PASS: the rest.
SELECT = [
    "--jss-deviate", "rr-downgrade", "--jss-deviate", "abort-returns-200", "--jss-deviate",
    "complete-etag-s3-style", "--jss-clause", "initiate.region-limit", "--jss-clause", "complete.etag",
    "--jss-clause", "abort.response", "-p", "no:cacheprovider",
]
#: The ETag NON_STRICT and the RR NON_STRICT expected; the abort FAIL not.
KNOWN = (
    "[expected]\n"
    f'"{ETAG_CASE}" = {{ outcome = "NON_STRICT", reason = "S3-style ETag, on purpose" }}\n'
    f'"{RR_CASE}" = {{ outcome = "NON_STRICT", reason = "RR reported STANDARD" }}\n'
)
RUN_LINE = re.compile(r"^expected deviations (\d+)  unexpected outcomes (\d+)$", re.MULTILINE)


def _compare_totals(stdout: str, label: str) -> tuple[int, int]:
    [line] = [line for line in stdout.splitlines() if line.startswith(f"{label}: cases ")]
    found = re.search(r"; expected (\d+), unexpected (\d+)$", line)
    assert found, line
    return int(found[1]), int(found[2])


@pytest.mark.parametrize(
    ("extra", "known", "counts"),
    [
        ((), None, (0, 1)),  # no file: only the FAIL fails the run; NON_STRICT does not
        (("--jss-strict",), None, (0, 3)),  # the two NON_STRICT too
        ((), KNOWN, (2, 1)),  # file: the two NON_STRICT expected; the abort FAIL not
    ],
    ids=["no-file", "strict", "known-deviations"],
)
def test_harness_compare_totals_equal_the_runs(tmp_path, extra, known, counts):
    args = ["run", *SELECT, *extra]
    if known is not None:
        (tmp_path / "known.toml").write_text(known, encoding="utf-8")
        args += ["--jss-known-deviations", "known.toml"]
    run = run_cli(args, tmp_path)
    assert run.status == 1, run.stdout[-3000:]
    outcomes = [case["outcome"] for case in run.results["cases"]]
    assert outcomes.count("NON_STRICT") == 2 and outcomes.count("FAIL") == 1
    outside = [c for c in run.results["cases"] if c.get("expected", {}).get("source") == "dialect"]
    assert [c["outcome"] for c in outside] == ["NOT_APPLICABLE"]  # the s3-only case: counted in neither
    [(expected, unexpected)] = RUN_LINE.findall(run.stdout)

    compare = run_cli(["compare", str(tmp_path / "reports" / "results.json")], tmp_path)

    assert compare.status == 0, compare.stderr
    assert _compare_totals(compare.stdout, "embedded") == (int(expected), int(unexpected)) == counts
    assert run.results["run"]["unexpected"] == counts[1]


def _document(cases: list[tuple[str, str, dict | None]], **run: object) -> dict:
    records = []
    for case_id, outcome, expected in cases:
        record = {"id": case_id, "clauses": ["c.one"], "outcome": outcome, "duration_ms": 1.0, "message": ""}
        if expected:
            record["expected"] = expected
        records.append(record)
    info = {"suite_version": "0", "target": "t", "endpoint": "", "dialect": "s3", "regions": [],
            "started": "2026-01-01T00:00:00Z", "duration": 0, **run}
    return {"run": info, "cases": records}


FILE_FAIL = {"outcome": "FAIL", "reason": "known", "source": "file"}
DIALECT = {"outcome": "NOT_IMPLEMENTED", "reason": "jss only", "source": "dialect"}
CASES = [
    ("a", "FAIL", FILE_FAIL), ("b", "FAIL", None), ("c", "NON_STRICT", None), ("d", "SKIPPED", None),
    ("e", "NOT_IMPLEMENTED", None), ("f", "NOT_IMPLEMENTED", DIALECT), ("g", "PASS", FILE_FAIL),
    ("h", "INFRA_ERROR", None), ("i", "PASS", None),
]


@pytest.mark.parametrize(
    ("run", "expected", "unexpected"),
    [
        ({}, 2, 2),  # b (FAIL), g (expected FAIL, now PASS)
        ({"strict": True}, 2, 3),  # and c (NON_STRICT)
        ({"known_deviations": "/k.toml"}, 2, 4),  # every outcome judged: b, c, e, g (SKIPPED never)
    ],
    ids=["no-file", "strict", "file"],
)
def test_harness_matrix_totals_judge_as_the_run(run, expected, unexpected):
    document = _document(CASES, **run)

    totals = build_matrix([document]).totals(0)

    assert (totals["expected"], totals["unexpected"]) == (expected, unexpected)
    assert totals == run_totals(document)
    assert totals["SKIPPED"] == 1 and totals["NOT_IMPLEMENTED"] == 2
    head = render_text(build_matrix([document])).split("\n\n")[0]  # the summary, before the table
    assert head.splitlines()[-1].endswith(f"; expected {expected}, unexpected {unexpected}")
