"""The matrix without a browser: cells judged by clause verdicts (old files without them too), the summary
first in the terminal, not-applicable rows left out and counted, sentences worded per wire, and compare on
files of older suite versions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from matrix_inputs import documents

from conformance.catalogue import load_catalogue
from conformance.paths import fixtures_dir
from conformance.report.matrix import EXPECTED, UNKNOWN_VERSION, build_matrix
from conformance.report.matrix_text import cell_text, render_text
from conformance.report.wording import load_wording, sentences

RR = "test_storage_class.py::test_rr_reported_everywhere[us-east-1]"


def _old_run(target: str, dialect: str, cases: list[dict]) -> dict:
    """A results.json of an older suite version: no rules, no server_version, no clause_verdicts."""
    return {
        "run": {"suite_version": "0", "target": target, "endpoint": "http://127.0.0.1", "dialect": dialect,
                "regions": ["cn-north-1"], "started": "2026-12-01T00:00:00Z", "duration": 1},
        "cases": cases,
    }


def _old_case(case_id: str, clauses: list[str], outcome: str, expected: dict | None = None) -> dict:
    case = {"id": case_id, "clauses": clauses, "outcome": outcome, "duration_ms": 1.0, "message": "m"}
    if expected:
        case["expected"] = expected
    return case


OUTSIDE = {"outcome": "NOT_IMPLEMENTED", "reason": "jss only", "source": "dialect"}
OLD = [
    _old_run("moto", "s3", [
        _old_case("a", ["complete.etag.formula"], "NOT_IMPLEMENTED", OUTSIDE),
        _old_case("b", ["list-parts.storage-class.reported", "object.storage-class.reported"], "FAIL"),
        _old_case("c", ["initiate.encryption.s3-echoed"], "NOT_IMPLEMENTED"),
    ]),
]


def test_report_matrix_old_files_charge_the_case_outcome_to_every_clause():
    matrix = build_matrix(OLD, catalogue=load_catalogue())

    assert matrix.cell("complete.etag.formula", 0).not_applicable  # outside the dialect, old style
    lacking = matrix.cell("initiate.encryption.s3-echoed", 0)
    assert lacking.counts == {"NOT_IMPLEMENTED": 1}  # the store lacks it: not n/a
    assert matrix.cell("object.storage-class.reported", 0).counts == {"FAIL": 1}
    column = matrix.columns[0]
    assert (column.wire, column.rules, column.server_version) == ("s3", "s3", UNKNOWN_VERSION)


def test_report_matrix_clause_verdicts_charge_each_clause_its_own_outcome():
    juicefs, localstack = documents()[2:]
    matrix = build_matrix([juicefs, localstack], catalogue=load_catalogue())

    assert matrix.cell("object.storage-class.reported", 0).counts == {"PASS": 2}  # HEAD said RR: PASS
    assert matrix.cell("list-parts.storage-class.reported", 0).counts == {"NON_STRICT": 1, "PASS": 1}
    assert matrix.cell("list-parts.storage-class.reported", 1).counts == {"NOT_REACHED": 1, "PASS": 1}
    assert matrix.cell("complete.part-order", 0).counts == {EXPECTED: 1}  # juicefs' known deviation
    assert cell_text(matrix.cell("list-uploads.max-uploads", 1)) == "1 SKIP 1 PASS"
    assert matrix.columns[1].server_version == "LocalStack 4.4"


def test_report_matrix_a_clause_verdict_missing_from_the_list_takes_the_case_outcome():
    case = _old_case("x", ["initiate.status.ok", "complete.status.ok"], "FAIL")
    case["clause_verdicts"] = [{"clause": "initiate.status.ok", "outcome": "PASS", "message": ""}]

    matrix = build_matrix([_old_run("t", "jss", [case])])

    assert matrix.cell("initiate.status.ok", 0).counts == {"PASS": 1}
    assert matrix.cell("complete.status.ok", 0).counts == {"FAIL": 1}


def test_report_matrix_terminal_summary_comes_first_and_na_rows_are_counted():
    runs = documents()[1:]  # the s3 stores: the JSS-wire clauses are n/a in every column
    jss_only = [c.id for c in load_catalogue().values() if "s3" not in c.dialects]
    s3_clauses = len(load_catalogue()) - len(jss_only)  # moto's PASS counts follow (matrix-targets.toml)
    matrix = build_matrix(runs, catalogue=load_catalogue())

    text = render_text(matrix)
    everything = render_text(matrix, show_not_applicable=True)

    lines = text.splitlines()
    assert lines[:3] == [
        "moto: wire s3, rules s3, server moto 5.1",
        f"moto: clauses PASS {s3_clauses + 3} · FAIL 1 · expected 3 · NON_STRICT 0 · NOT_IMPLEMENTED 0 · "
        f"n/a {len(jss_only)} · SKIPPED 1",  # the JSS-wire clauses: one case each in the inputs, n/a on S3
        f"moto: cases FAIL 4, NOT_APPLICABLE {len(jss_only)}, SKIPPED 1, PASS {s3_clauses}; expected 3, "
        "unexpected 1",
    ]
    assert lines.index("") == 9  # three lines per run, then the table
    assert f"{len(jss_only)} clauses not applicable to any run are not shown" in text
    assert "signature.header.accepted" not in text and "signature.header.accepted" in everything
    [paging] = [line for line in lines if line.startswith("list-parts.paging ")]
    assert paging.split()[1:5] == ["1", "SKIP", "3", "PASS"]  # moto: every count, not the most telling


def test_report_matrix_sentences_follow_the_wire_of_the_columns():
    clause = load_catalogue()["multipart.response.request-id"]
    s3 = load_wording("s3")

    assert sentences(clause, ["jss"], s3) == [("", clause.sentence)]
    assert sentences(clause, ["s3"], s3) == [("", s3[clause.id])]
    assert sentences(clause, ["jss", "s3"], s3) == [("", clause.sentence), ("S3", s3[clause.id])]
    assert set(s3) <= set(load_catalogue())  # every S3 wording names a clause of the catalogue
    assert not [text for text in s3.values() if "x-jss" in text or "jingdong" in text or "JSON" in text]


def _compare(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "conformance.cli", "compare", *args], cwd=cwd, capture_output=True, text=True,
        timeout=120, check=False, env={**os.environ, **env},
    )


def test_report_compare_reads_old_files_and_refuses_a_screenshot_without_a_browser(tmp_path):
    old = tmp_path / "old.json"
    old.write_text(json.dumps(OLD[0]), encoding="utf-8")

    done = _compare([str(old), "-o", str(tmp_path / "m.html")], tmp_path)
    missing = _compare([str(old), "--screenshot", str(tmp_path / "s.png")], tmp_path,
                       JSS_CONFORMANCE_CHROMIUM="/nonexistent/chromium")

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("moto: wire s3, rules s3, server unknown\n")
    assert 'class="cell na"' in (tmp_path / "m.html").read_text(encoding="utf-8")
    assert missing.returncode == 2 and not (tmp_path / "s.png").exists()
    assert len(missing.stderr.strip().splitlines()) == 1 and "Traceback" not in missing.stderr


def test_report_compare_with_a_broken_wording_file_is_one_usage_line(tmp_path):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(fixtures_dir(), fixtures)
    (fixtures / "wording" / "s3.toml").write_text('[sentence]\n"initiate.status.ok" = 3\n', encoding="utf-8")
    old = tmp_path / "old.json"
    old.write_text(json.dumps(OLD[0]), encoding="utf-8")

    page = str(tmp_path / "m.html")
    done = _compare([str(old), "-o", page], tmp_path, JSS_CONFORMANCE_FIXTURES=str(fixtures))

    assert done.returncode == 2 and not (tmp_path / "m.html").exists()
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and "wording/s3.toml" in done.stderr
