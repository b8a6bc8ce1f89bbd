"""Fixtures of the cases helper's own tests: a loopback HTTP server that records requests, answers as told."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from recording_server import RecordingServer, recording_server_running


@pytest.fixture
def recording_server() -> Iterator[RecordingServer]:
    """Start a recording HTTP server on 127.0.0.1 (a free port) for one test."""
    with recording_server_running() as state:
        yield state
