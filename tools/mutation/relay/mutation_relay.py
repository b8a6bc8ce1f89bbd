"""pytest plugin of a mutation run (``-p mutation_relay``): while mutmut collects its stats, the trampoline
hits that the test's subprocesses (the reference endpoint) relayed to ``JSS_MUTATION_HITS_DIR`` (see
sitecustomize.py) are added to mutmut's hits of the test, before mutmut attributes them to it."""

from __future__ import annotations

import os
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
