"""The critical path of a suite run, from a recording (`benchlib.recorder`): per case, the longest chain of
requests that were sent one after another (each sent after the previous one's answer came back).

A request that starts before another's answer arrived overlaps it (sent concurrently): the two are not on one
chain. So a case's chain is the longest sequence of non-overlapping requests in time order, its setup and
cleanup requests included (they are recorded under the case). The requests sent outside any case before the
first case (the preflight probe) form one more chain that every run waits for before its first case.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Chains:
    """The longest chain per case, and the chain before the first case."""

    per_case: dict[str, int]
    before_cases: int
    requests: int

    @property
    def longest(self) -> tuple[str, int]:
        """(node id, chain length) of the case with the longest chain."""
        return max(self.per_case.items(), key=lambda item: item[1])

    def critical_path(self, rtt: float, fixed: float) -> float:
        """`fixed` seconds plus (the chain before the cases + the longest case chain) round trips: no
        scheduler of whole cases can finish sooner."""
        return fixed + (self.before_cases + self.longest[1]) * rtt


def longest_chain(intervals: list[tuple[float, float]]) -> int:
    """The most intervals (start, end) that follow one another without overlapping."""
    ordered = sorted(intervals)
    best: list[int] = []
    for index, (start, _) in enumerate(ordered):
        best.append(1 + max((best[j] for j in range(index) if ordered[j][1] <= start), default=0))
    return max(best, default=0)


def load_chains(directory: Path) -> Chains:
    """Read ``exchanges.jsonl`` of a recording and compute the chains."""
    per_case: dict[str, list[tuple[float, float]]] = defaultdict(list)
    before: list[tuple[float, float]] = []
    count, seen_case = 0, False
    for line in (directory / "exchanges.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        count += 1
        interval = (record["sent_at"], record["ended_at"])
        if record.get("case"):
            seen_case = True
            per_case[record["case"]].append(interval)
        elif not seen_case:
            before.append(interval)
    if not per_case:
        raise ValueError(f"{directory}: the recording names no case")
    return Chains(
        {case: longest_chain(items) for case, items in per_case.items()}, longest_chain(before), count
    )
