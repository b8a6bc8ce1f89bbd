"""pytest plugin of a mutation run (``-p mutation_relay``).

- While mutmut collects its stats, the trampoline hits that the test's subprocesses (the reference endpoint)
  relayed to ``JSS_MUTATION_HITS_DIR`` (see sitecustomize.py) are added to mutmut's hits of the test, before
  mutmut attributes them to it.
- In a mutant's run, mutmut names the tests one by one in no particular order: they are put back together by
  module, in their order in it (a module's fixtures, such as a deviation's own server, start once instead of
  once per stretch of its tests), the modules whose selected tests took the least time in the stats run first
  (a mutant is killed at the first failure, so the quick tests get the first chance).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

_offsets: dict[Path, int] = {}


def _relayed_hits(hits_dir: Path) -> set[str]:
    names: set[str] = set()
    for path in hits_dir.glob("*.hits"):
        with open(path, "rb") as handle:
            handle.seek(_offsets.get(path, 0))
            data = handle.read()
        complete = data[: data.rfind(b"\n") + 1]
        _offsets[path] = _offsets.get(path, 0) + len(complete)
        names.update(complete.decode().split())
    return names


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    """Add the subprocesses' hits during this test to mutmut's (its StatsCollector reads them after us)."""
    hits_dir = os.environ.get("JSS_MUTATION_HITS_DIR")
    if os.environ.get("MUTANT_UNDER_TEST") != "stats" or not hits_dir:
        return
    from mutmut.state import state

    state()._stats.update(_relayed_hits(Path(hits_dir)))


def _durations() -> dict[str, float]:
    try:  # the test's working directory is mutants/, where mutmut keeps its stats
        return json.loads(Path("mutmut-stats.json").read_text())["duration_by_test"]
    except (OSError, ValueError, KeyError):
        return {}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """In a mutant's run: the tests grouped by module, the quickest modules first (module docstring)."""
    if os.environ.get("MUTANT_UNDER_TEST") in (None, "", "stats", "mutant_generation"):
        return
    durations = _durations()
    per_module: dict[str, float] = defaultdict(float)
    for item in items:
        per_module[str(item.path)] += durations.get(item.nodeid, 0.0)
    items.sort(key=lambda item: (per_module[str(item.path)], str(item.path), item.location[1] or 0))
