"""Mutation testing of the signer and the reference endpoint (``tox -e mutation``; README "Mutation testing").

    python tools/mutation/run.py [--sample N] [--seed S] [--max-children K]

1. mutmut (``[tool.mutmut]`` in pyproject.toml) copies ``conformance/`` to ``mutants/`` and writes every
   mutant of the modules it lists there, behind trampolines that pick the active mutant from the environment
   variable ``MUTANT_UNDER_TEST``.
2. Message-text-only mutants are left out (classify.py says which); of the others at most N per module are
   drawn with a fixed seed (all of them with ``--sample 0``).
3. ``mutmut run`` runs, for each drawn mutant, the tests that reach its function. The reference endpoint runs
   out of process: the tests start it from ``mutants/`` with the environment they inherit, so the server
   runs the mutant too; relay/ makes its trampoline hits count for the test that caused them (else mutmut
   would find no test for the server's code) and makes it die with the test process.
4. The score per module and every surviving mutant (module:line and diff) are printed, with the wall and
   CPU time of the run. Exit status 0 (the scores are a report, not a gate), 2 when mutmut itself failed.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from classify import first_changed_line, is_message_only

ROOT = Path(__file__).resolve().parents[2]
RELAY = Path(__file__).resolve().parent / "relay"
MUTANTS = ROOT / "mutants"
#: mutmut's verdicts that count as the mutant being detected
DETECTED = {"killed", "timeout", "segfault"}

GENERATE = """
import os
import mutmut.__main__ as m
m.set_mutant_under_test("mutant_generation")
os.makedirs("mutants", exist_ok=True)
m.copy_src_dir(); m.copy_also_copy_files(); m.setup_source_paths(); m.create_mutants(2)
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
    """One mutant: where it is, its diff, whether it only changes a message."""

    def __init__(self, name: str, module: MutatedModule) -> None:
        self.name, self.path = name, module.path
        generated = name.rpartition(".")[2]
        mangled = generated.partition("__mutmut_")[0]
        function = mangled.removeprefix("x_").split("ǁ")[-1]
        original = module.source(f"{mangled}__mutmut_orig", function)
        mutated = module.source(generated, function)
        self.message_only = is_message_only(original, mutated)
        def_index = next(i for i, line in enumerate(original.splitlines()) if "def " in line)
        self.line = module.def_lines.get(function, 0) + first_changed_line(original, mutated) - def_index
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


def _report(chosen: dict[str, list[Mutant]], totals: dict[str, tuple[int, int]], verdicts) -> list[Mutant]:
    """Print the table of scores per module; returns the mutants that were not detected."""
    header = f"{'module':36} {'mutants':>7} {'text-only':>9} {'run':>5} {'killed':>6} {'survived':>8} " \
             f"{'other':>5} {'score':>7}"
    print(header)
    survivors = []
    for path, mutants in chosen.items():
        counts = Counter(verdicts.get(m.name, "not checked") for m in mutants)
        detected = sum(counts[v] for v in DETECTED)
        lost = [m for m in mutants if verdicts.get(m.name) not in DETECTED]
        survivors += lost
        other = len(mutants) - detected - counts["survived"]
        score = f"{100 * detected / len(mutants):.1f}%" if mutants and verdicts else "-"
        total, text_only = totals[path]
        print(f"{path:36} {total:>7} {text_only:>9} {len(mutants):>5} {detected:>6} {counts['survived']:>8} "
              f"{other:>5} {score:>7}")
    print("score = killed (incl. timeouts) / mutants run; other = no tests, suspicious, not checked")
    return survivors


def main(argv: list[str] | None = None) -> int:
    """Generate, draw, run, report (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=0, help="at most N mutants per module (0: all)")
    parser.add_argument("--seed", type=int, default=12)
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
    chosen: dict[str, list[Mutant]] = {}
    totals: dict[str, tuple[int, int]] = {}
    for path, names in _mutants_by_module().items():
        module = MutatedModule(path)
        mutants = [Mutant(name, module) for name in names]
        scored = [m for m in mutants if not m.message_only]
        if args.sample and len(scored) > args.sample:
            scored = sorted(rng.sample(scored, args.sample), key=lambda m: m.name)
        chosen[path] = scored
        totals[path] = (len(mutants), len(mutants) - len([m for m in mutants if not m.message_only]))
    names = [m.name for mutants in chosen.values() for m in mutants]
    print(f"running {len(names)} mutants (seed {args.seed}, sample {args.sample or 'all'}) ...", flush=True)
    if args.dry_run:
        _report(chosen, totals, {})
        return 0
    log = MUTANTS / "mutmut-run.log"
    if args.report_only:
        return _print_results(chosen, totals, started)
    with open(log, "wb") as out:
        mutmut = str(Path(sys.executable).parent / "mutmut")
        command = [mutmut, "run", "--max-children", str(args.max_children), *names]
        run = subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    if run.returncode != 0:
        print(f"mutmut run failed with status {run.returncode}; its output: {log}", file=sys.stderr)
        return 2
    return _print_results(chosen, totals, started)


def _print_results(chosen: dict[str, list[Mutant]], totals: dict[str, tuple[int, int]], started) -> int:
    """The table, every survivor with its diff, the time taken; exit status 0."""
    verdicts = _verdicts()
    survivors = _report(chosen, totals, verdicts)
    for mutant in survivors:
        print(f"\n--- {mutant.path}:{mutant.line} {mutant.name} ({verdicts.get(mutant.name)})")
        print("\n".join(mutant.diff.splitlines()[2:]))  # without the ---/+++ lines
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"\nwall {time.monotonic() - started:.0f} s, CPU {usage.ru_utime + usage.ru_stime:.0f} s "
          f"(user {usage.ru_utime:.0f} s, system {usage.ru_stime:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
