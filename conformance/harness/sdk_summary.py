"""The terminal section ``jss-conformance: sdk scenarios`` of an SDK run: each scenario's outcome and time
(the case's setup, driver run, judgement and cleanup; the driver's own time and the bytes the endpoint
received), the stderr tail of a driver that gave no result (INFRA_ERROR), and a line that says how many
scenarios the driver answered ``unsupported`` (NOT_IMPLEMENTED: each a finding, unexpected unless the
known findings list its steps).

The controller collects it from the reports (so xdist workers' cases too); a scenario case records its
driver figures with ``record_property(TIMING_PROPERTY, text)``.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from conformance import outcomes as oc
from conformance.harness.progress import seconds_text

#: The user property a scenario case records its driver figures under.
TIMING_PROPERTY = "jss_sdk_timing"
SECTION = "jss-conformance: sdk scenarios"


def _scenario_id(nodeid: str) -> str:
    return nodeid.rsplit("[", 1)[-1].rstrip("]") if nodeid.endswith("]") else nodeid


class SdkSummary:
    """Collects each SDK scenario's phase durations and driver figures; prints the section at the end."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.figures: dict[str, str] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Add the phase's duration; keep the figures of the call phase."""
        if "test_sdk_scenario" not in report.nodeid:
            return
        self.seconds[report.nodeid] += report.duration
        for name, value in report.user_properties:
            if name == TIMING_PROPERTY:
                self.figures[report.nodeid] = value

    def lines(self, outcomes: dict) -> list[str]:
        """The section's lines, given the combined outcome of every case (nodeid -> PhaseOutcome)."""
        lines = []
        for nodeid, seconds in self.seconds.items():
            phase = outcomes.get(nodeid)
            outcome = phase.outcome if phase is not None else "?"
            figures = f" (driver {self.figures[nodeid]})" if nodeid in self.figures else ""
            lines.append(f"{_scenario_id(nodeid)}: {outcome} in {seconds:.1f} s{figures}")
            if outcome == oc.INFRA_ERROR and phase.message:
                lines += [f"    {text}" for text in phase.message.splitlines()[1:]]
        total = sum(self.seconds.values())
        lines.append(f"{len(self.seconds)} scenarios in {seconds_text(total)} (sum of the cases' times)")
        unsupported = [_scenario_id(n) for n in self.seconds
                       if outcomes.get(n) is not None and outcomes[n].outcome == oc.NOT_IMPLEMENTED]
        if unsupported:
            lines.append(f"NOT_IMPLEMENTED {len(unsupported)} of {len(self.seconds)} scenarios: the driver "
                         f"answered unsupported ({', '.join(unsupported)}); each is a finding, "
                         "unexpected unless the known findings list its steps")
        return lines

    def pytest_terminal_summary(self, terminalreporter, config: pytest.Config) -> None:
        """The section, after the suite's own."""
        from conformance.harness.state import harness_state

        if not self.seconds:
            return
        terminalreporter.section(SECTION)
        for line in self.lines(harness_state(config).book.outcomes()):
            terminalreporter.line(line)


def register_sdk_summary(config: pytest.Config) -> None:
    """Install :class:`SdkSummary` when the SDK scenarios run (controller or serial run)."""
    if config.option.jss_sdk_driver and not hasattr(config, "workerinput"):
        config.pluginmanager.register(SdkSummary(), "jss_conformance_sdk_summary")
