"""Run the conformance suite against the embedded endpoint in a subprocess, timed from outside."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from conformance.paths import CASES_DIR

from . import phases

BENCHMARKS_DIR = Path(__file__).resolve().parent.parent


@dataclass
class SuiteRun:
    """One suite run: wall time (process start to exit), status, cases, and the phases it went through."""

    label: str
    seconds: float
    exit_status: int
    outcomes: Counter = field(default_factory=Counter)
    marks: dict[str, float] = field(default_factory=dict)
    started_at: float = 0.0
    output_tail: str = ""
    #: user + system CPU seconds of the run's whole process tree (pytest, xdist workers, the endpoint)
    cpu_seconds: float = 0.0

    @property
    def cases(self) -> int:
        """How many cases results.json lists."""
        return sum(self.outcomes.values())

    @property
    def all_passed(self) -> bool:
        """Exit status 0 (no unexpected outcome) and every case PASS or NOT_IMPLEMENTED (clauses outside the
        target's dialect: expected, the run's exit status says so)."""
        return self.exit_status == 0 and self.cases > 0 and set(self.outcomes) <= {"PASS", "NOT_IMPLEMENTED"}

    def summary(self) -> dict:
        """The run as plain JSON-able data."""
        return {"label": self.label, "seconds": self.seconds, "cpu_seconds": self.cpu_seconds,
                "exit_status": self.exit_status,
                "outcomes": dict(self.outcomes), "phases": self.phase_seconds()}

    def phase_seconds(self) -> dict[str, float]:
        """Seconds spent in: startup (process start to pytest_configure), session start (embedded endpoint,
        probe), collection, the cases, and the end (reports, endpoint stop, exit)."""
        marks = self.marks
        if not {"configure", "sessionstart_begin", "sessionstart_end", "runtestloop_begin",
                "runtestloop_end"} <= marks.keys():
            return {}
        finished = self.started_at + self.seconds
        return {
            "startup": marks["sessionstart_begin"] - self.started_at,
            "session start": marks["sessionstart_end"] - marks["sessionstart_begin"],
            "collection": marks["runtestloop_begin"] - marks["sessionstart_end"],
            "cases": marks["runtestloop_end"] - marks["runtestloop_begin"],
            "end": finished - marks["runtestloop_end"],
        }


def _children_cpu() -> float:
    """User + system CPU seconds of every waited-for descendant so far (grandchildren included once their
    parent waited for them, as pytest does for the embedded endpoint and xdist for its workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def suite_command(runner: str, workers: int, results: Path, plugins: list[str],
                  extra_args: tuple[str, ...] = ()) -> list[str]:
    """The command line of one run: `jss-conformance run` (runner "cli") or `python -m pytest` (the cases);
    `extra_args` go to pytest too (a target profile, ``-n auto``)."""
    options = ["-q", "-p", "no:cacheprovider", f"--jss-results={results}", *extra_args]
    for plugin in plugins:
        options += ["-p", plugin]
    if workers > 1:
        options += ["-n", str(workers)]
    if runner == "cli":
        script = Path(sys.executable).parent / "jss-conformance"
        launcher = [str(script)] if script.exists() else [sys.executable, "-m", "conformance.cli"]
        return [*launcher, "run", *options]
    return [sys.executable, "-m", "pytest", str(CASES_DIR), *options]


def bytecode_cache_env(directory: Path) -> dict[str, str | None]:
    """Environment changes for runs that cache bytecode (as Python does by default) in `directory` rather
    than next to the sources: PYTHONDONTWRITEBYTECODE unset, PYTHONPYCACHEPREFIX set (pytest keeps its
    rewritten test modules there too)."""
    return {"PYTHONDONTWRITEBYTECODE": None, "PYTHONPYCACHEPREFIX": str(directory)}


def run_suite(label: str, runner: str, workers: int, timeout: float,
              extra_env: dict[str, str | None] | None = None, plugins: tuple[str, ...] = (),
              extra_args: tuple[str, ...] = ()) -> SuiteRun:
    """Run the whole suite once in a fresh temporary working directory (its reports land there and go
    away with it); returns the timing. The phases plugin is always loaded (a few clock reads). A None
    value in `extra_env` removes that variable."""
    work = Path(tempfile.mkdtemp(prefix="bench-suite-run-"))
    try:
        results, marks_file = work / "results.json", work / "phases.json"
        env = {**os.environ, **(extra_env or {}), phases.FILE_VARIABLE: str(marks_file)}
        env = {name: value for name, value in env.items() if value is not None}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCHMARKS_DIR), env.get("PYTHONPATH")]))
        command = suite_command(runner, workers, results, ["benchlib.phases", *plugins], extra_args)
        started_at = time.clock_gettime(time.CLOCK_REALTIME)
        cpu_before = _children_cpu()
        started = time.perf_counter()
        completed = subprocess.run(command, cwd=work, env=env, stdin=subprocess.DEVNULL,
                                   capture_output=True, timeout=timeout, check=False)
        seconds = time.perf_counter() - started
        run = SuiteRun(label, seconds, completed.returncode, started_at=started_at)
        run.cpu_seconds = _children_cpu() - cpu_before
        run.output_tail = (completed.stdout + completed.stderr).decode(errors="replace")[-3000:]
        if results.exists():
            document = json.loads(results.read_text(encoding="utf-8"))
            run.outcomes = Counter(case.get("outcome", "?") for case in document.get("cases", []))
        if marks_file.exists():
            run.marks = json.loads(marks_file.read_text(encoding="utf-8"))
        return run
    finally:
        shutil.rmtree(work, ignore_errors=True)
