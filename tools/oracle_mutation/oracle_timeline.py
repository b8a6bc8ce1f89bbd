"""A pytest plugin of the oracle mutation run (loaded with ``-p oracle_timeline``, this folder on
``PYTHONPATH``): appends ``{"test", "start", "end"}`` per test (setup, call and teardown) to the file named by
``JSS_ORACLE_TIMELINE``, so that the answers the endpoint observed can be matched to the test that asked."""

from __future__ import annotations

import json
import os
import time

import pytest

TIMELINE_ENV = "JSS_ORACLE_TIMELINE"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Time one test's whole protocol and append it to the timeline file."""
    start = time.time()
    yield
    path = os.environ.get(TIMELINE_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"test": item.nodeid, "start": start, "end": time.time()}) + "\n")
