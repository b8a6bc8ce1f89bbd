"""``jss-conformance compare OLD.json NEW.json --changes``: per clause, what changed between two runs of one
target, with exit status 1 on a newly failing clause.

Hand-made results.json pairs cover each kind of change (and what is no change: an expected deviation in both
runs); two real runs of the suite against the embedded reference endpoint, faithful and then with the
``initiate-answers-201`` deviation, show the gate failing on exactly the clauses that deviation breaks.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.report.changes import compare_runs
from conformance.report.results import validation_errors

ENV_TIMEOUT = 300
A, B = "test_a.py::test_one", "test_b.py::test_two"


def _document(cases: list[dict], target: str = "vendor", status: str = "completed", **run) -> dict:
    info = {
        "suite_version": "0", "target": target, "endpoint": "http://127.0.0.1", "dialect": "jss",
        "regions": ["cn-north-1"], "started": "2026-12-01T00:00:00Z", "duration": 1, "status": status,
        "reason": "" if status == "completed" else "interrupted by SIGINT",
    }
    info.update(run)
    return {"run": info, "cases": cases}


def _case(case_id: str, clauses, outcome: str, message: str = "", expected: str | None = None,
          source: str = "file", clause_verdicts: list | None = None) -> dict:
    case = {"id": case_id, "clauses": list(clauses), "outcome": outcome, "duration_ms": 1.0}
    case["message"] = message
    if expected:
        case["expected"] = {"outcome": expected, "reason": "accepted", "source": source}
    if clause_verdicts is not None:
        case["clause_verdicts"] = [
            {"clause": clause, "outcome": verdict, "message": text}
            for clause, verdict, text in clause_verdicts
        ]
    return case


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", *args], cwd=cwd, capture_output=True, text=True,
        timeout=ENV_TIMEOUT,
    )


def _changes(tmp_path: Path, old: dict, new: dict) -> subprocess.CompletedProcess:
    for name, document in (("old.json", old), ("new.json", new)):
        assert validation_errors(document) == [], name
        (tmp_path / name).write_text(json.dumps(document), encoding="utf-8")
    return _cli(["compare", "old.json", "new.json", "--changes"], tmp_path)


def _lines(run: subprocess.CompletedProcess) -> list[str]:
    return run.stdout.splitlines()[:-1]  # the last line is the summary


def test_changes_newly_failing_clause_exits_1_with_cases_and_message(tmp_path):
    old = _document([_case(A, ["c.one"], "PASS"), _case(B, ["c.two"], "FAIL", "was failing")])
    new = _document([_case(A, ["c.one"], "FAIL", "expected 200 OK; observed 201 Created"),
                     _case(B, ["c.two"], "FAIL", "still failing")])
    run = _changes(tmp_path, old, new)
    assert run.returncode == 1, run.stdout + run.stderr
    assert _lines(run) == [
        f"NEWLY FAILING      c.one: {A} PASS -> FAIL (expected 200 OK; observed 201 Created)"
    ]
    assert "1 newly failing, 0 newly passing, 0 newly not reached, 0 otherwise changed" in run.stdout


def test_changes_expected_deviation_in_both_runs_is_no_change_and_one_now_passing_is(tmp_path):
    old = _document([_case(A, ["c.one"], "FAIL", "201", expected="FAIL"),
                     _case(B, ["c.two"], "FAIL", "201", expected="FAIL")])
    new = _document([_case(A, ["c.one"], "FAIL", "201", expected="FAIL"),
                     _case(B, ["c.two"], "PASS", "", expected="FAIL")])
    run = _changes(tmp_path, old, new)
    assert run.returncode == 0, run.stdout + run.stderr
    assert _lines(run) == [f"NEWLY PASSING      c.two: {B} FAIL (expected) -> PASS"]


def test_changes_not_reached_in_an_interrupted_run_exits_3(tmp_path):
    old = _document([_case(A, ["c.one"], "PASS"), _case(B, ["c.two"], "PASS")])
    new = _document([_case(A, ["c.one"], "INTERRUPTED", "no verdict")], status="interrupted",
                    stopped_at="cases")
    run = _changes(tmp_path, old, new)
    assert run.returncode == 3, run.stdout + run.stderr
    assert _lines(run) == [
        f"NEWLY NOT REACHED  c.one: {A} PASS -> INTERRUPTED (no verdict)",
        f"NEWLY NOT REACHED  c.two: {B} PASS -> absent",
    ]
    assert "interrupted (interrupted by SIGINT)" in run.stdout.splitlines()[-1]
    assert "did not complete" in run.stderr


def test_changes_not_reached_in_a_completed_run_is_listed_and_exits_0(tmp_path):
    old = _document([_case(A, ["c.one"], "PASS"), _case(B, ["c.two"], "FAIL", "x")])
    new = _document([_case(A, ["c.one"], "SKIPPED", "no [alt] account")])
    run = _changes(tmp_path, old, new)
    assert run.returncode == 0, run.stdout + run.stderr
    assert [line.split(":")[0] for line in _lines(run)] == [
        "NEWLY NOT REACHED  c.one", "NEWLY NOT REACHED  c.two"
    ]


def test_changes_read_clause_verdicts_when_present(tmp_path):
    old = _document([_case(A, ["c.one", "c.two"], "PASS")])
    new = _document([_case(A, ["c.one", "c.two"], "FAIL", "one broke",
                           clause_verdicts=[("c.one", "PASS", ""), ("c.two", "FAIL", "two broke")])])
    run = _changes(tmp_path, old, new)
    assert run.returncode == 1
    assert _lines(run) == [f"NEWLY FAILING      c.two: {A} PASS -> FAIL (two broke)"]


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        (("NON_STRICT", None), ("FAIL", None), "newly failing"),
        (("PASS", None), ("NOT_IMPLEMENTED", None), "newly failing"),
        (("FAIL", "FAIL"), ("NOT_IMPLEMENTED", None), "newly failing"),  # expected FAIL, now unexpected
        (("INFRA_ERROR", None), ("NON_STRICT", None), "newly failing"),
        (("FAIL", None), ("NON_STRICT", None), "otherwise changed"),
        (("PASS", None), ("FAIL", "FAIL"), "otherwise changed"),  # now accepted by the known-deviations file
        (("INTERRUPTED", None), ("PASS", None), "newly passing"),
        (("NOT_IMPLEMENTED", None), ("PASS", None), "newly passing"),
        (("FAIL", None), ("INFRA_ERROR", None), "newly not reached"),
        (("FAIL", None), ("FAIL", None), None),
        (("INTERRUPTED", None), ("SKIPPED", None), None),
        (("NOT_IMPLEMENTED", "NOT_IMPLEMENTED"), ("NOT_IMPLEMENTED", "NOT_IMPLEMENTED"), None),
    ],
)
def test_changes_kind_of_each_move(before, after, kind):
    old = _document([_case(A, ["c.one"], before[0], "m", expected=before[1])])
    new = _document([_case(A, ["c.one"], after[0], "m", expected=after[1])])
    found = compare_runs(old, new)
    kinds = [name for name, clauses in found.by_kind.items() if clauses]
    assert kinds == ([kind] if kind else [])
    assert found.new_failure == (kind == "newly failing")


def test_changes_leave_out_cases_outside_the_dialect(tmp_path):
    outside = _case(A, ["c.s3"], "NOT_IMPLEMENTED", "s3 only", expected="NOT_IMPLEMENTED", source="dialect")
    assert compare_runs(_document([outside]), _document([])).by_kind["newly not reached"] == {}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["old.json", "--changes"], "exactly two runs"),
        (["old.json", "new.json", "old.json", "--changes"], "exactly two runs"),
        (["old.json", "other.json", "--changes"], "two runs of one target"),
        (["old.json", "new.json", "--changes", "-o", "m.html"], "give one of them"),
        (["old.json", "nothing.json", "--changes"], "no such file"),
    ],
)
def test_changes_usage_errors_exit_2(tmp_path, args, words):
    cases = [_case(A, ["c.one"], "PASS")]
    for name, target in (("old.json", "vendor"), ("new.json", "vendor"), ("other.json", "another")):
        (tmp_path / name).write_text(json.dumps(_document(cases, target=target)), encoding="utf-8")
    run = _cli(["compare", *args], tmp_path)
    assert run.returncode == 2 and run.stderr.startswith("jss-conformance: error: "), run.stderr
    assert words in run.stderr and len(run.stderr.splitlines()) == 1


@pytest.fixture(scope="module")
def two_real_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A faithful run and one with the initiate-answers-201 deviation (the families it shows in)."""
    folder = tmp_path_factory.mktemp("changes")
    selection = ["--jss-family", "response-fields", "--jss-family", "signature", "-p", "no:cacheprovider",
                 "-p", "no:allure_pytest"]
    for name, extra in (("old.json", []), ("new.json", ["--jss-deviate", "initiate-answers-201"])):
        run = _cli(["run", *selection, "--jss-results", name, *extra], folder)
        assert run.returncode == (1 if extra else 0), run.stdout[-2000:]
    return folder


def test_changes_of_two_real_runs_name_the_clauses_the_deviation_breaks(two_real_runs):
    new = json.loads((two_real_runs / "new.json").read_text(encoding="utf-8"))
    failing = {case["id"] for case in new["cases"] if case["outcome"] == "FAIL"}
    clauses = {clause for case in new["cases"] if case["id"] in failing for clause in case["clauses"]}
    assert "initiate.status.ok" in clauses and len(failing) >= 2
    run = _cli(["compare", "old.json", "new.json", "--changes"], two_real_runs)
    assert run.returncode == 1, run.stdout + run.stderr
    lines = _lines(run)
    assert {line.split(": ", 1)[0].split()[-1] for line in lines} == clauses
    assert all(line.startswith("NEWLY FAILING") for line in lines)
    listed = {case for case in failing if any(case in line for line in lines)}
    assert listed == failing
    back = _cli(["compare", "new.json", "old.json", "--changes"], two_real_runs)
    assert back.returncode == 0 and all(line.startswith("NEWLY PASSING") for line in _lines(back))
