"""The report of an oracle mutation run: per operation, mutants, equivalents, checked, killed, survived and
the score (killed over checked non-equivalent mutants); then the survivors and the equivalents."""

from __future__ import annotations

from collections import defaultdict

from enumerate_mutants import Mutant
from oracle_suite import Verdict

TARGET = 0.95
DETECTED = frozenset({"killed", "timeout"})


def score_rows(
    mutants: dict[Mutant, set[str]], equivalent: dict[Mutant, str], verdicts: dict[Mutant, Verdict]
) -> list[tuple[str, int, int, int, int, int, str]]:
    """(op, mutants, equivalent, checked, killed, survived, score text) per operation, then a total."""
    per_op: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for mutant in mutants:
        row = per_op[mutant.op]
        row[0] += 1
        if mutant in equivalent:
            row[1] += 1
            continue
        verdict = verdicts.get(mutant)
        if verdict is None or verdict.verdict == "error":
            continue
        row[2] += 1
        row[3 if verdict.verdict in DETECTED else 4] += 1
    rows = []
    total = [0, 0, 0, 0, 0]
    for op in sorted(per_op):
        counts = per_op[op]
        total = [a + b for a, b in zip(total, counts, strict=True)]
        rows.append((op, *counts, _score(counts)))
    rows.append(("TOTAL", *total, _score(total)))
    return rows


def _score(counts: list[int]) -> str:
    checked, killed = counts[2], counts[3]
    if not checked:
        return "-"
    share = killed / checked
    return f"{100 * share:.1f}%" + ("" if share >= TARGET else " (below 95%)")


def render(
    mutants: dict[Mutant, set[str]], equivalent: dict[Mutant, str], verdicts: dict[Mutant, Verdict],
    header: list[str],
) -> str:
    """The whole report as Markdown (also what is printed)."""
    lines = ["# Oracle mutation testing", "", *header, ""]
    lines += [
        "| operation | mutants | equivalent | checked | killed | survived | score |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in score_rows(mutants, equivalent, verdicts):
        lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
    survivors = sorted(m for m, v in verdicts.items() if v.verdict == "survived")
    lines += ["", f"## Survivors ({len(survivors)})", ""]
    lines += [f"- `{m.name}` (tests: {len(mutants[m])})" for m in survivors] or ["none"]
    errors = sorted(m for m, v in verdicts.items() if v.verdict == "error")
    if errors:
        lines += ["", f"## Not judged: the run could not start ({len(errors)})", ""]
        lines += [f"- `{m.name}` (exit status {verdicts[m].status})" for m in errors]
    unseen = sorted(m for m in mutants if m not in equivalent and not mutants[m])
    if unseen:
        lines += ["", f"## Offered by an answer outside every test ({len(unseen)}, not run)", ""]
        lines += [f"- `{m.name}`" for m in unseen]
    reasons: dict[str, list[Mutant]] = defaultdict(list)
    for mutant, reason in equivalent.items():
        reasons[reason].append(mutant)
    lines += ["", f"## Equivalent ({len(equivalent)})", ""]
    for reason, covered in sorted(reasons.items()):
        lines.append(f"- {reason}: {len(covered)} mutants")
    return "\n".join(lines) + "\n"
