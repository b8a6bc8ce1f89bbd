"""pytest plugin (``-p benchlib.phases``): wall-clock marks of a suite run's phases, for the breakdown.

Writes ``{"configure", "sessionstart_begin", "sessionstart_end", "collection_end", "runtestloop_begin",
"runtestloop_end", "sessionfinish_end"}`` (CLOCK_REALTIME seconds) as JSON to ``BENCH_PHASES_FILE`` at the end
of the run, from the controller (or the only process) of the run. It does nothing else: a few clock reads.
"""

from __future__ import annotations

import json
import os
import time

import pytest

FILE_VARIABLE = "BENCH_PHASES_FILE"
_MARKS: dict[str, float] = {}


def _mark(name: str) -> None:
    _MARKS[name] = time.clock_gettime(time.CLOCK_REALTIME)


def _active(config: pytest.Config) -> bool:
    return bool(os.environ.get(FILE_VARIABLE)) and not hasattr(config, "workerinput")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Mark: plugins loaded, configuration starts."""
    if _active(config):
        _mark("configure")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_sessionstart(session: pytest.Session):
    """Mark around session start (the harness starts the embedded endpoint and probes it here)."""
    if _active(session.config):
        _mark("sessionstart_begin")
    try:
        return (yield)
    finally:
        if _active(session.config):
            _mark("sessionstart_end")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Mark: collection done."""
    if _active(session.config):
        _mark("collection_end")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtestloop(session: pytest.Session):
    """Mark around the loop that runs the cases (under xdist: the controller's wait for its workers)."""
    if _active(session.config):
        _mark("runtestloop_begin")
    try:
        return (yield)
    finally:
        if _active(session.config):
            _mark("runtestloop_end")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Mark: reports written."""
    if _active(session.config):
        _mark("sessionfinish_end")


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Write the marks."""
    if _active(config):
        with open(os.environ[FILE_VARIABLE], "w", encoding="utf-8") as handle:
            json.dump(_MARKS, handle)
