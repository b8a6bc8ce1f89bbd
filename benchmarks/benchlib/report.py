"""Units, medians and the PASS/MISS lines shared by the benchmark scripts."""

from __future__ import annotations

import os
import re
import statistics
from dataclasses import dataclass, field

MiB = 1024 * 1024
GiB = 1024 * MiB
MB = 1000 * 1000

_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": MB, "mb": MB, "mib": MiB,
          "g": 1000 * MB, "gb": 1000 * MB, "gib": GiB}


def parse_size(text: str) -> int:
    """Bytes in '1GiB', '64MiB', '16mib', '5MB', '1048576' (binary units for *iB, decimal for *B)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(f"not a size: {text!r} (try 64MiB, 1GiB)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def human_size(size: int) -> str:
    """'64 MiB', '1 GiB', or bytes when not a whole number of MiB."""
    if size % GiB == 0:
        return f"{size // GiB} GiB"
    if size % MiB == 0:
        return f"{size // MiB} MiB"
    return f"{size} B"


def median(values: list[float]) -> float:
    """The median of a non-empty list."""
    return statistics.median(values)


@dataclass
class Verdicts:
    """Collects target checks; `print_line` shows one, `all_passed` decides `--check`."""

    results: list[tuple[str, bool]] = field(default_factory=list)

    def add(self, label: str, measured: str, target: str, passed: bool) -> str:
        """Record one check and return its printable line."""
        self.results.append((label, passed))
        return f"  {'PASS' if passed else 'MISS'}  {label}: {measured} (target {target})"

    @property
    def all_passed(self) -> bool:
        """True when every recorded check passed (and there was at least one)."""
        return bool(self.results) and all(passed for _, passed in self.results)

    def summary(self) -> str:
        """One line: how many checks passed."""
        passed = sum(1 for _, ok in self.results if ok)
        return f"targets met: {passed}/{len(self.results)}"


def machine_note() -> str:
    """The load average and CPU count: the benchmarks share the machine with whatever else runs on it."""
    one, five, _ = os.getloadavg()
    note = f"machine: {os.cpu_count()} CPUs, load average {one:.2f} (1 min) {five:.2f} (5 min)"
    if one > 0.5:
        note += " - other work is running, expect noise"
    return note
