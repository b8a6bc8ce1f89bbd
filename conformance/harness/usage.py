"""A configuration error found by the plugin: printed as the suite's one error line
(:mod:`conformance.errorline`), then raised as pytest's UsageError without a message of its own, so pytest
adds no ``ERROR:`` line (exit status 4 under plain pytest, 2 through ``jss-conformance run``). An endpoint
that cannot be reached stops the session with the suite's INFRA_ERROR line (exit status 3): see infra_exit."""

from __future__ import annotations

import pytest

from conformance.errorline import INFRA_PREFIX, print_error

#: "jss-conformance" and "INFRA_ERROR: ", the two parts of the suite's INFRA_ERROR line prefix.
_SUITE_NAME, _, _INFRA_TAG = INFRA_PREFIX.partition(": ")
#: The exit status of an endpoint that cannot be reached.
EXIT_INFRA = 3


class RunUsageError(pytest.UsageError):
    """pytest's UsageError whose line was already printed; ``str()`` still gives the message."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def __str__(self) -> str:
        return self.message


def usage_error(message: str) -> RunUsageError:
    """Print `message` as the one error line and return the exception to raise."""
    print_error(message)
    return RunUsageError(message)


class OneLineParseErrors:
    """A plugin for ``pytest.main`` (``jss-conformance run`` passes it): pytest's own argument errors (an
    unknown option, a missing value) become the suite's one error line instead of pytest's usage text."""

    @staticmethod
    def message(exc: Exception) -> str:
        """The ``...: error: MESSAGE`` part of pytest's usage text."""
        lines = str(exc).splitlines()
        line = next((text for text in lines if ": error: " in text), lines[-1] if lines else "usage error")
        return line.split(": error: ", 1)[-1]

    @pytest.hookimpl(wrapper=True)
    def pytest_cmdline_parse(self, pluginmanager, args):  # noqa: D102 - pytest's hook
        try:
            return (yield)
        except RunUsageError:
            raise
        except pytest.UsageError as exc:
            raise usage_error(self.message(exc)) from None


class SuiteExit(pytest.exit.Exception):
    """pytest's Exit, named after the suite: pytest prints an Exit raised before the session starts as
    ``<class name>: <message>``, so that line reads ``jss-conformance: ...`` like every line of the suite."""


SuiteExit.__name__ = SuiteExit.__qualname__ = _SUITE_NAME


def infra_exit(message: str) -> SuiteExit:
    """The exception that stops the session (from pytest_sessionstart) with the line
    ``jss-conformance: INFRA_ERROR: <message>`` and exit status 3."""
    return SuiteExit(_INFRA_TAG + message, returncode=EXIT_INFRA)
