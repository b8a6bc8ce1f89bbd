"""Suite runs of the oracle mutation tool: the faithful run (observed, timed) and one run per mutant (the
tests that saw its field, with the endpoint mutating that field)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CASES = "conformance/cases"
#: outcomes of results.json that count as the suite seeing the mutation
RED = frozenset({"FAIL", "NON_STRICT", "INFRA_ERROR", "ERROR"})
#: exit statuses of the suite: 1 a conformance failure, 3 the endpoint broke (both: the mutant was seen)
KILLING_STATUSES = frozenset({1, 3})


def suite_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment of a suite run: ours, without any earlier oracle variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JSS_ORACLE_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH", "")]))
    env.update(extra)
    return env


def pytest_command(tests: list[str], results: Path, wire_args: list[str]) -> list[str]:
    """The pytest command line of the suite over `tests` (all cases when empty). A mutant's run (`tests`
    given) stops at its first failure (one is enough to kill it) and counts NON_STRICT as one (an EXAMPLE
    clause turned red, as the negative controls count it)."""
    stop = ["-x", "--jss-strict"] if tests else []
    return [
        sys.executable, "-m", "pytest", *(tests or [CASES]), "-p", "oracle_timeline",
        "-p", "no:cacheprovider", "-q", *stop,
        "--jss-results", str(results), *wire_args,
    ]


def failed_tests(results: Path) -> list[str]:
    """The ids of the cases results.json reports red."""
    if not results.exists():
        return []
    document = json.loads(results.read_text(encoding="utf-8"))
    return sorted(case["id"] for case in document.get("cases", []) if case.get("outcome") in RED)


def faithful_run(directory: Path, wire_args: list[str], timeout: float) -> tuple[int, Path, Path]:
    """The whole suite against the unmutated endpoint, observed: (exit status, observations, timeline)."""
    observations, timeline = directory / "observations.jsonl", directory / "timeline.jsonl"
    env = suite_env({"JSS_ORACLE_OBSERVE": str(observations), "JSS_ORACLE_TIMELINE": str(timeline)})
    completed = subprocess.run(
        pytest_command([], directory / "faithful.json", wire_args), cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=timeout,
    )
    (directory / "faithful.log").write_text(completed.stdout + completed.stderr, encoding="utf-8")
    return completed.returncode, observations, timeline


@dataclass
class Verdict:
    """What one mutant's run showed: ``killed``, ``survived``, ``timeout`` (counted as killed) or ``error``
    (the run could not judge: a usage error), the red tests, the wall time."""

    verdict: str
    failed: list[str]
    seconds: float
    status: int | None


def run_mutant(spec: str, tests: list[str], results: Path, wire_args: list[str], timeout: float) -> Verdict:
    """Run `tests` against the endpoint mutated by `spec` (the JSON of ``JSS_ORACLE_MUTANT``)."""
    start = time.monotonic()
    try:
        completed = subprocess.run(
            pytest_command(sorted(tests), results, wire_args), cwd=ROOT,
            env=suite_env({"JSS_ORACLE_MUTANT": spec}), capture_output=True, text=True, timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return Verdict("timeout", [], time.monotonic() - start, None)
    seconds = time.monotonic() - start
    if completed.returncode in KILLING_STATUSES or failed_tests(results):
        return Verdict("killed", failed_tests(results), seconds, completed.returncode)
    if completed.returncode == 0:
        return Verdict("survived", [], seconds, 0)
    return Verdict("error", [], seconds, completed.returncode)
