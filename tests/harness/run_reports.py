"""Read every report of a finished `jss-conformance run` the same way, so a test can check that they agree:
pytest's own summary line, the jss-conformance summary's counts, results.json, JUnit XML and Allure's result
files, each as case id -> outcome word, or as counts.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

#: A run's folder holds these (the tests pass ``--junitxml=junit.xml``; `run` writes the others).
RESULTS = Path("reports") / "results.json"
ALLURE = Path("reports") / "allure-results"
JUNIT = Path("junit.xml")


#: Words of pytest's summary line that count no case (a warning, say, raised when a signal lands inside
#: another plugin's hook wrapper, e.g. allure's fixture setup, is not an outcome).
NOT_OUTCOMES = frozenset({"warning", "warnings"})


def pytest_counts(output: str) -> dict[str, int]:
    """pytest's final summary line as outcome word -> count (``3 passed, 1 INTERRUPTED in 2.0s``); the
    warnings count, which names no case, is left out."""
    lines = [line for line in output.splitlines() if re.match(r"^=+ .* in [\d.]+s", line)]
    assert lines, f"no pytest summary line in:\n{output[-2000:]}"
    counted = re.findall(r"(\d+) (\w+)", lines[-1].split(" in ")[0])
    return {word: int(count) for count, word in counted if word not in NOT_OUTCOMES}


def jss_counts(output: str) -> dict[str, int]:
    """The counts line of the jss-conformance section (``PASS 3  FAIL 0  ...``)."""
    line = next((text for text in output.splitlines() if text.startswith("PASS ")), None)
    assert line is not None, f"no jss-conformance counts line in:\n{output[-2000:]}"
    return {word: int(count) for word, count in re.findall(r"(\w+) (\d+)", line)}


def results_outcomes(folder: Path) -> dict[str, str]:
    """case id -> outcome, from results.json."""
    document = json.loads((folder / RESULTS).read_text(encoding="utf-8"))
    return {case["id"]: case["outcome"] for case in document["cases"]}


def junit_outcomes(folder: Path) -> dict[str, str]:
    """case id -> passed / failure / error / skipped, with the skip message's first word for a skip
    (``skipped:INTERRUPTED``), from junit.xml."""
    found = {}
    for case in ElementTree.parse(folder / JUNIT).getroot().iter("testcase"):
        case_id = f"{case.get('classname').rsplit('.', 1)[-1]}.py::{case.get('name')}"
        children = [child for child in case if child.tag in ("failure", "error", "skipped")]
        if not children:
            found[case_id] = "passed"
            continue
        child = children[0]
        word = (child.get("message") or "").split(":", 1)[0]
        found[case_id] = f"{child.tag}:{word}" if child.tag == "skipped" else child.tag
    return found


def allure_outcomes(folder: Path) -> dict[str, str]:
    """case id -> Allure status, from the result files."""
    found = {}
    for path in (folder / ALLURE).glob("*-result.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        module = result["fullName"].split("#", 1)[0].rsplit(".", 1)[-1]
        found[f"{module}.py::{result['name']}"] = result["status"]
    return found


def assert_reports_agree(folder: Path, output: str) -> dict[str, str]:
    """Every report of the run in `folder` (with `output`, its terminal) says the same of every case: a PASS
    is passed everywhere, an INTERRUPTED case is counted as INTERRUPTED by pytest, is a skip saying
    INTERRUPTED in JUnit and is not passed in Allure. Returns results.json's outcomes."""
    outcomes = results_outcomes(folder)
    counted = Counter(outcomes.values())
    assert set(counted) <= {"PASS", "INTERRUPTED"}, counted
    said_by_pytest = pytest_counts(output)
    said_by_pytest.pop("deselected", None)
    expected = {"passed": counted["PASS"], "INTERRUPTED": counted["INTERRUPTED"]}
    assert said_by_pytest == {word: n for word, n in expected.items() if n}, output[-2000:]
    jss = jss_counts(output)
    assert (jss["PASS"], jss["INTERRUPTED"]) == (counted["PASS"], counted["INTERRUPTED"]), output[-2000:]
    words = {"PASS": "passed", "INTERRUPTED": "skipped:INTERRUPTED"}
    assert junit_outcomes(folder) == {case: words[outcome] for case, outcome in outcomes.items()}
    allure = allure_outcomes(folder)
    assert set(allure) == set(outcomes), (set(allure) ^ set(outcomes), allure, outcomes)
    assert {case for case, status in allure.items() if status == "passed"} == {
        case for case, outcome in outcomes.items() if outcome == "PASS"
    }, (allure, outcomes)
    return outcomes
