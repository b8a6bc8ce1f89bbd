"""Fixtures of the harness tests (helpers in harness_helpers.py). Every server is started on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from harness_helpers import Endpoint, reference_endpoint


def pytest_configure(config: pytest.Config) -> None:
    """Enable pytester for these tests (a `pytest_plugins` here would break runs from the repo root)."""
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")


@pytest.fixture(scope="module")
def endpoint() -> Iterator[Endpoint]:
    """A reference endpoint (harness user, one bucket per region) shared by the tests of one module."""
    with reference_endpoint() as running:
        yield running
