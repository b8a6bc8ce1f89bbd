"""Oracle mutation testing: does the suite see a wrong value in each field of each answer? (``tox -e
oracle-mutation``; README "Oracle mutation testing").

    python tools/oracle_mutation/run.py [--sample N] [--seed S] [--budget SECONDS] [--jobs J]
                                        [--only GLOB] [--names FILE] [--enumerate-only] [--report FILE]

1. The faithful run: the whole suite against the embedded endpoint, the endpoint observing every answer's
   fields (``JSS_ORACLE_OBSERVE``), the suite timing every test (oracle_timeline.py).
2. The mutants: every (operation, field, mutation) an answer offered, with the tests that saw it
   (enumerate_mutants.py); those equivalents.toml covers are left out, with their reason.
3. Per mutant, in an order shuffled with the seed (at most N per operation with ``--sample N``), the tests
   that saw its field run against the endpoint applying that one mutation (``JSS_ORACLE_MUTANT``): killed
   when the suite exits 1 or 3, reports a red case, or times out; survived when it exits 0. ``--budget``
   bounds the whole run: a mutant is started only while it can finish (its time limit) within the budget
   (the report then says PARTIAL).
4. The score per operation (killed / checked non-equivalent), the survivors, the equivalents with their
   reasons: printed, and written to reports/oracle-mutation.md. Exit status 0 (a report, not a gate), 3 when
   the faithful run is not green.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from fnmatch import fnmatchcase
from pathlib import Path

import oracle_equivalents as equivalents
from enumerate_mutants import Mutant, enumerate_mutants, read_lines
from oracle_report import render
from oracle_suite import ROOT, Verdict, faithful_run, run_mutant

CATALOGUE = Path(__file__).resolve().parent / "mutants.txt"
#: the least time limit of one mutant's run (seconds)
MUTANT_TIMEOUT = 180.0
FAITHFUL_TIMEOUT = 900.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=0, help="at most N mutants per operation (0: all)")
    parser.add_argument("--seed", type=int, default=22, help="seed of the draw and of the order (default 22)")
    parser.add_argument("--budget", type=float, default=1740.0, help="stop starting mutants after SECONDS")
    parser.add_argument("--jobs", type=int, default=2, choices=(1, 2), help="mutants run at once (1 or 2)")
    parser.add_argument("--only", default="*", help="run only the mutants whose 'op field mutation' matches")
    parser.add_argument("--names", type=Path, default=None, help="run only the mutants named in FILE, one "
                        "'op field mutation' a line (e.g. those of an earlier run, for a before/after table)")
    parser.add_argument("--enumerate-only", action="store_true", help="faithful run and enumeration only; "
                        "rewrite tools/oracle_mutation/mutants.txt")
    parser.add_argument("--report", type=Path, default=ROOT / "reports" / "oracle-mutation.md")
    return parser.parse_args(argv)


def draw(candidates: list[Mutant], sample: int, seed: int) -> list[Mutant]:
    """The mutants to run, in a seeded random order; at most `sample` per operation (0: all)."""
    order = sorted(candidates)
    random.Random(seed).shuffle(order)
    if sample <= 0:
        return order
    taken: dict[str, int] = {}
    drawn = []
    for mutant in order:
        if taken.get(mutant.op, 0) < sample:
            taken[mutant.op] = taken.get(mutant.op, 0) + 1
            drawn.append(mutant)
    return drawn


def main(argv: list[str]) -> int:
    """Run the faithful suite, enumerate, run the drawn mutants, report."""
    args = parse_args(argv)
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="oracle-mutation-"))
    status, observations, timeline = faithful_run(work, [], FAITHFUL_TIMEOUT)
    #: a mutant runs at most the whole suite: twice the faithful run's time (and a minute) is its limit
    limit = max(MUTANT_TIMEOUT, 2 * (time.monotonic() - started) + 60)
    if status != 0:
        print(f"the faithful run is not green (exit status {status}); see {work / 'faithful.log'}")
        return 3
    mutants = enumerate_mutants(read_lines(observations), read_lines(timeline))
    entries = equivalents.load()
    for entry in equivalents.stale(entries, [m.name for m in mutants]):
        print(f"STALE equivalent (covers no mutant of this run): {entry}")
    equivalent = {m: r for m in mutants if (r := equivalents.reason_for(entries, m.op, m.field, m.mutation))}
    if args.enumerate_only:
        CATALOGUE.write_text("".join(f"{m.name}\n" for m in sorted(mutants)), encoding="utf-8")
        print(f"{len(mutants)} mutants ({len(equivalent)} equivalent) written to {CATALOGUE}")
        return 0
    candidates = [
        m for m in mutants if m not in equivalent and mutants[m] and fnmatchcase(m.name, args.only)
    ]
    if args.names is not None:
        named = set(args.names.read_text(encoding="utf-8").splitlines())
        candidates = [m for m in candidates if m.name in named]
    drawn = draw(candidates, args.sample, args.seed)
    verdicts: dict[Mutant, Verdict] = {}

    def one(index: int, mutant: Mutant) -> None:
        if time.monotonic() - started + limit > args.budget:
            return  # it might not finish within the budget
        verdict = run_mutant(
            mutant.spec(), sorted(mutants[mutant]), work / f"mutant-{index}.json", [], limit
        )
        verdicts[mutant] = verdict
        print(f"[{len(verdicts)}/{len(drawn)}] {verdict.verdict:<8} {mutant.name} ({verdict.seconds:.1f} s)",
              flush=True)

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        list(pool.map(one, range(len(drawn)), drawn))
    wall = time.monotonic() - started
    partial = len(verdicts) < len(drawn)
    header = [
        f"seed {args.seed}, sample {args.sample or 'all'} per operation, jobs {args.jobs}, "
        f"only `{args.only}`; "
        f"{len(mutants)} mutants enumerated, {len(drawn)} drawn, {len(verdicts)} run"
        + (" — PARTIAL (budget reached)" if partial else ""),
        f"wall time {wall:.0f} s",
    ]
    scored = {m: mutants[m] for m in mutants if m in verdicts or m in equivalent}
    partial_selection = args.only != "*" or args.sample or args.names is not None
    text = render(scored if partial_selection else mutants, equivalent, verdicts, header)
    print(text)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
