"""Hand-made results.json documents of the new shape for the matrix tests (data: data/matrix-targets.toml).

``python tests/report/matrix_inputs.py OUT_DIR`` writes them as OUT_DIR/<target>.json (for a screenshot:
``jss-conformance compare OUT_DIR/*.json --screenshot ...``).
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

from conformance.catalogue import load_catalogue

DATA = Path(__file__).resolve().parent / "data" / "matrix-targets.toml"
#: Worst first: a case's outcome is the worst of its clause verdicts.
WORST = (
    "FAIL", "INFRA_ERROR", "INTERRUPTED", "NON_STRICT", "NOT_IMPLEMENTED", "SKIPPED", "NOT_APPLICABLE", "PASS"
)
MESSAGES = {
    "FAIL": "the store answered 200 where the clause wants a 4xx refusal",
    "NON_STRICT": "HEAD said REDUCED_REDUNDANCY, ListParts said STANDARD",
    "NOT_IMPLEMENTED": "the store answered 501 NotImplemented",
    "SKIPPED": "the profile says the store does not honour paging parameters",
    "NOT_REACHED": "not reached: the case stopped at its first failed check",
    "NOT_APPLICABLE": "outside the target's wire",
}


def _case(case_id: str, verdicts: dict[str, str], expected: str | None, source: str = "file") -> dict:
    outcomes = set(verdicts.values())
    outcome = next(name for name in WORST if name in outcomes or name == "PASS")
    case = {
        "id": case_id, "clauses": list(verdicts), "outcome": outcome, "duration_ms": 1.0,
        "message": MESSAGES.get(outcome, ""),
        "clause_verdicts": [
            {"clause": clause, "outcome": value, "message": MESSAGES.get(value, "")}
            for clause, value in verdicts.items()
        ],
    }
    if expected:
        case["expected"] = {"outcome": outcome, "reason": expected, "source": source}
    return case


def _cases(target: dict, catalogue: dict) -> list[dict]:
    listed = target.get("clauses", {})
    cases = []
    for clause in catalogue.values():
        name = clause.id.replace(".", "_").replace("-", "_")
        case_id = f"test_{clause.family.replace('-', '_')}.py::test_{name}"
        if target["wire"] not in clause.dialects:
            reason = f"clause {clause.id} applies to the {' and '.join(clause.dialects)} wire only"
            cases.append(_case(case_id, {clause.id: "NOT_APPLICABLE"}, reason, "dialect"))
            continue
        for number, spec in enumerate(listed.get(clause.id, ["PASS"]), start=1):
            outcome, _, expected = spec.partition(" ")
            suffix = f"[{number}]" if len(listed.get(clause.id, [])) > 1 else ""
            reason = f"known deviation of {target['name']}" if expected == "expected" else None
            cases.append(_case(case_id + suffix, {clause.id: outcome}, reason))
    for extra in target.get("case", []):
        cases.append(_case(extra["id"], dict(extra["verdicts"]), extra.get("expected")))
    return cases


def documents() -> list[dict]:
    """One results.json document per target of the data file, in its order."""
    catalogue = load_catalogue()
    found = []
    for target in tomllib.loads(DATA.read_text(encoding="utf-8"))["target"]:
        run = {
            "suite_version": "0", "target": target["name"], "endpoint": f"http://127.0.0.1/{target['name']}",
            "dialect": target["wire"], "rules": target["rules"], "regions": ["cn-north-1", "us-east-1"],
            "started": "2026-12-07T00:00:00Z", "duration": 1, "status": "completed",
        }
        if target.get("server_version"):
            run["server_version"] = target["server_version"]
        if target.get("known_deviations"):
            run["known_deviations"] = f"fixtures/expectations/{target['name']}.toml"
        found.append({"run": run, "cases": _cases(target, catalogue)})
    return found


def write(folder: Path) -> list[Path]:
    """Write the documents as <folder>/<target>.json; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for document in documents():
        path = folder / f"{document['run']['target']}.json"
        path.write_text(json.dumps(document, indent=1), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    print("\n".join(str(path) for path in write(Path(sys.argv[1]))))
