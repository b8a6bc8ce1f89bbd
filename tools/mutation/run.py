"""Mutation testing of the signer and the reference endpoint (``tox -e mutation``; README "Mutation testing").

    python tools/mutation/run.py [--sample N] [--budget SECONDS] [--seed S] [--max-children K]

1. mutmut (``[tool.mutmut]`` in pyproject.toml) copies ``conformance/`` to ``mutants/`` and writes every
   mutant of the modules it lists there, behind trampolines that pick the active mutant from the environment
   variable ``MUTANT_UNDER_TEST``.
2. Message-text-only mutants (classify.py says which) and equivalent ones (equivalents.toml, with the
   reason) are left out; of the others at most N per module are drawn with a fixed seed (all of them with
   ``--sample 0``).
3. ``mutmut run`` runs, for each drawn mutant, the tests that reach its function. The reference endpoint runs
   out of process: the tests start it from ``mutants/`` with the environment they inherit, so the server
   runs the mutant too; relay/ makes its trampoline hits count for the test that caused them (else mutmut
   would find no test for the server's code) and makes it die with the test process.
   With ``--budget``, mutmut is stopped (SIGINT, as Ctrl-C) once the run has taken that many seconds; the
   mutants not checked by then are out of the scores, which the report then calls a partial sample.
4. The score per module and every surviving mutant (module:line and diff) are printed, then the equivalent
   ones with their reason, with the wall and CPU time of the run. Exit status 0 (the scores are a report, not
   a gate), 2 when mutmut itself failed.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import difflib
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import equivalents
from classify import first_changed_line, is_message_only

ROOT = Path(__file__).resolve().parents[2]
RELAY = Path(__file__).resolve().parent / "relay"
MUTANTS = ROOT / "mutants"
#: mutmut's verdicts that count as the mutant being detected
DETECTED = {"killed", "timeout", "segfault"}
#: seconds mutmut is given to stop after the budget's SIGINT before its process group is killed
STOP_GRACE = 60

GENERATE = """
import os
import mutmut.__main__ as m
m.set_mutant_under_test("mutant_generation")
os.makedirs("mutants", exist_ok=True)
m.copy_src_dir(); m.copy_also_copy_files(); m.setup_source_paths(); m.create_mutants(2)
"""

#: ``mutmut run`` without its clean run: the stats run before it already ran every selected test on the
#: unmutated code (in a fresh child too) and mutmut stops when that fails, so a second pass only costs time
RUN_WITHOUT_CLEAN_RUN = """
import sys
import mutmut.__main__ as m
from mutmut.workers import isolation
isolation.ForkServerRunner.run_clean_tests = lambda self, tests: 0
sys.argv = ["mutmut", *sys.argv[1:]]
m.cli()
"""


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(RELAY), env.get("PYTHONPATH")]))
    env["JSS_MUTATION_HITS_DIR"] = str(MUTANTS / "hits")
    env["TMPDIR"] = str(MUTANTS / "tmp")  # what killed mutants' servers leave behind goes with mutants/
    env.pop("MUTANT_UNDER_TEST", None)
    return env


def _mutants_by_module() -> dict[str, list[str]]:
    """module path -> its mutant names (from mutmut's .meta files)."""
    found = {}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        path = str(meta.relative_to(MUTANTS))[: -len(".meta")]
        found[path] = sorted(json.loads(meta.read_text())["exit_code_by_key"])
    return found


def _function_lines(path: str) -> dict[str, int]:
    """function or method name -> line of its ``def`` in the original module."""
    tree = ast.parse((ROOT / path).read_text())
    return {
        node.name: node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


class MutatedModule:
    """A module as mutmut wrote it to mutants/: the source of each generated function, by its line span."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lines = (MUTANTS / path).read_text(encoding="utf-8").splitlines()
        self.spans = json.loads((MUTANTS / f"{path}.spans").read_text())["spans"]
        self.def_lines = _function_lines(path)

    def source(self, generated: str, function: str) -> str:
        """The source of the generated function `generated`, renamed back to `function`."""
        start, end = self.spans[generated]
        text = "\n".join(self.lines[start - 1 : end])
        return re.sub(rf"\bdef {re.escape(generated)}\(", f"def {function}(", text, count=1)


class Mutant:
    """One mutant: where it is, its diff, whether it only changes a message or is equivalent (and why)."""

    def __init__(self, name: str, module: MutatedModule, known: list[equivalents.Equivalent]) -> None:
        self.name, self.path = name, module.path
        generated = name.rpartition(".")[2]
        mangled = generated.partition("__mutmut_")[0]
        function = mangled.removeprefix("x_").split("ǁ")[-1]
        original = module.source(f"{mangled}__mutmut_orig", function)
        mutated = module.source(generated, function)
        self.message_only = is_message_only(original, mutated)
        before, after = original.splitlines(), mutated.splitlines()
        def_index = next(i for i, line in enumerate(before) if "def " in line)
        changed = first_changed_line(original, mutated)
        self.line = module.def_lines.get(function, 0) + changed - def_index
        line_of = lambda lines, i: lines[i] if 0 <= i < len(lines) else ""  # noqa: E731
        self.equivalent = equivalents.reason_for(
            known, self.path, line_of(before, changed), line_of(after, changed), line_of(before, changed - 1)
        )
        self.diff = "\n".join(
            difflib.unified_diff(original.splitlines(), mutated.splitlines(), lineterm="", n=1)
        )


def _verdicts() -> dict[str, str]:
    from mutmut.stats import status_by_exit_code

    verdicts = {}
    for meta in MUTANTS.rglob("*.py.meta"):
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            verdicts[name] = status_by_exit_code[code]
    return verdicts


def _report(
    chosen: dict[str, list[Mutant]], totals: dict[str, tuple[int, int, int]], verdicts
) -> list[Mutant]:
    """Print the table of scores per module; returns the checked mutants that were not detected."""
    print(f"{'module':36} {'mutants':>7} {'text-only':>9} {'equiv':>5} {'drawn':>5} {'checked':>7} "
          f"{'killed':>6} {'survived':>8} {'other':>5} {'score':>7}")
    survivors = []
    for path, mutants in chosen.items():
        checked = [m for m in mutants if verdicts.get(m.name, "not checked") != "not checked"]
        counts = Counter(verdicts[m.name] for m in checked)
        detected = sum(counts[v] for v in DETECTED)
        survivors += [m for m in checked if verdicts[m.name] not in DETECTED]
        other = len(checked) - detected - counts["survived"]
        score = f"{100 * detected / len(checked):.1f}%" if checked else "-"
        total, text_only, equivalent = totals[path]
        print(f"{path:36} {total:>7} {text_only:>9} {equivalent:>5} {len(mutants):>5} {len(checked):>7} "
              f"{detected:>6} {counts['survived']:>8} {other:>5} {score:>7}")
    print("score = killed (incl. timeouts) / checked, over the behaviour-changing mutants (text-only and "
          "equivalent ones left out);\nother = no test reaches it, suspicious (counted as not killed)")
    return survivors


def main(argv: list[str] | None = None) -> int:
    """Generate, draw, run, report (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=0, help="at most N mutants per module (0: all)")
    parser.add_argument(
        "--budget", type=float, default=0, help="stop mutmut after this many seconds of the run (0: no limit)"
    )
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--clean-run", action="store_true", help="keep mutmut's clean run (a second pass of the tests)"
    )
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--dry-run", action="store_true", help="draw, print the counts, run nothing")
    parser.add_argument(
        "--report-only", action="store_true", help="report the verdicts in mutants/ so far, run nothing"
    )
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    started, env = time.monotonic(), _environment()
    if not args.report_only:
        shutil.rmtree(MUTANTS, ignore_errors=True)
        for folder in ("hits", "tmp"):
            (MUTANTS / folder).mkdir(parents=True)
        subprocess.run([sys.executable, "-c", GENERATE], env=env, check=True, stdout=subprocess.DEVNULL)
    os.environ.update(env)

    rng = random.Random(args.seed)
    known = equivalents.load()
    chosen: dict[str, list[Mutant]] = {}
    totals: dict[str, tuple[int, int, int]] = {}
    skipped: list[Mutant] = []
    for path, names in _mutants_by_module().items():
        module = MutatedModule(path)
        mutants = [Mutant(name, module, known) for name in names]
        equivalent = [m for m in mutants if m.equivalent and not m.message_only]
        skipped += equivalent
        scored = [m for m in mutants if not m.message_only and not m.equivalent]
        if args.sample and len(scored) > args.sample:
            scored = sorted(rng.sample(scored, args.sample), key=lambda m: m.name)
        chosen[path] = scored
        totals[path] = (len(mutants), sum(m.message_only for m in mutants), len(equivalent))
    names = [m.name for mutants in chosen.values() for m in mutants]
    budget = f", budget {args.budget:.0f} s" if args.budget else ""
    print(f"running {len(names)} mutants (seed {args.seed}, sample {args.sample or 'all'}{budget}) ...",
          flush=True)
    if args.dry_run:
        _report(chosen, totals, {})
        _print_equivalents(skipped)
        return 0
    if args.report_only:
        return _print_results(chosen, totals, skipped, started, args)
    status = _run_mutmut(names, args, env, started)
    if status != 0:
        print(f"mutmut run failed with status {status}; its output: {MUTANTS / 'mutmut-run.log'}",
              file=sys.stderr)
        return 2
    return _print_results(chosen, totals, skipped, started, args)


def _run_mutmut(names: list[str], args, env: dict[str, str], started: float) -> int:
    """mutmut run over `names`, stopped by SIGINT once the budget is spent; its exit status (0: stopped)."""
    mutmut = [str(Path(sys.executable).parent / "mutmut")] if args.clean_run else \
        [sys.executable, "-c", RUN_WITHOUT_CLEAN_RUN]
    command = [*mutmut, "run", "--max-children", str(args.max_children), *names]
    with open(MUTANTS / "mutmut-run.log", "wb") as out:
        run = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        remaining = args.budget - (time.monotonic() - started) if args.budget else None
        try:
            return run.wait(timeout=max(remaining, 1) if remaining is not None else None)
        except subprocess.TimeoutExpired:
            pass
        print(f"budget of {args.budget:.0f} s spent: stopping mutmut", flush=True)
        run.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            run.wait(timeout=STOP_GRACE)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)  # its workers and their servers (the group mutmut leads)
        run.wait()
        return 0


def _print_equivalents(skipped: list[Mutant]) -> None:
    """Every equivalent mutant left out, with its reason."""
    if skipped:
        print(f"\nequivalent mutants, not run ({len(skipped)}; tools/mutation/equivalents.toml):")
    for mutant in skipped:
        print(f"  {mutant.path}:{mutant.line} {mutant.name}: {mutant.equivalent}")


def _print_results(chosen, totals, skipped: list[Mutant], started: float, args) -> int:
    """The table, every survivor with its diff, the equivalents, the time taken; exit status 0."""
    verdicts = _verdicts()
    survivors = _report(chosen, totals, verdicts)
    drawn = sum(len(mutants) for mutants in chosen.values())
    unchecked = sum(
        verdicts.get(m.name, "not checked") == "not checked" for ms in chosen.values() for m in ms
    )
    if unchecked:
        print(f"PARTIAL SAMPLE: {unchecked} of the {drawn} drawn mutants were not checked (budget or stop); "
              "mutmut runs the mutants with the fastest tests first, so the scores are over those")
    elif args.sample:
        print(f"sample: at most {args.sample} behaviour-changing mutants per module, seed {args.seed}")
    for mutant in survivors:
        print(f"\n--- {mutant.path}:{mutant.line} {mutant.name} ({verdicts.get(mutant.name)})")
        print("\n".join(mutant.diff.splitlines()[2:]))  # without the ---/+++ lines
    _print_equivalents(skipped)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"\nwall {time.monotonic() - started:.0f} s, CPU {usage.ru_utime + usage.ru_stime:.0f} s "
          f"(user {usage.ru_utime:.0f} s, system {usage.ru_stime:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
