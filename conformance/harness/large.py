"""The `large` family: cases marked ``large`` (a 512 MiB object by default) run only on request.

Opt-in: ``--jss-large``, or ``--jss-family large`` (naming the family is asking for it). Without either, the
large cases are deselected before anything starts, so a plain ``jss-conformance run`` and the project's
``pytest`` never move half a gigabyte. ``--jss-large-size`` sets the object's size (default 512 MiB; the
negative controls use a small one), ``--jss-large-part-size`` its part size (default 8 MiB, at least the
target's minimum part size).

Also the memory figures the large cases print: the peak resident set of this process and of the embedded
endpoint during the case (Linux: ``VmHWM`` of ``/proc/<pid>/status``, reset through ``clear_refs`` at the
start of the case where the kernel allows it).
"""

from __future__ import annotations

import contextlib
import resource
from dataclasses import dataclass
from pathlib import Path

import pytest

from conformance.cases.streams import MIB, parse_size

MARKER = "large: a case of the large family (a big object streamed); runs only with --jss-large or " \
    "--jss-family large"
FAMILY = "large"
DEFAULT_SIZE = "512MiB"
DEFAULT_PART_SIZE = "8MiB"


def add_large_options(parser: pytest.Parser) -> None:
    """Register --jss-large, --jss-large-size and --jss-large-part-size."""
    group = parser.getgroup("jss-conformance", "JSS conformance suite")
    group.addoption("--jss-large", action="store_true", default=False,
                    help="also run the large family (off by default; --jss-family large implies it).")
    group.addoption("--jss-large-size", metavar="SIZE", default=DEFAULT_SIZE,
                    help=f"size of the large family's object: N, N KiB, N MiB, N GiB "
                    f"(default {DEFAULT_SIZE}).")
    group.addoption("--jss-large-part-size", metavar="SIZE", default=DEFAULT_PART_SIZE,
                    help=f"part size of the large family's upload (default {DEFAULT_PART_SIZE}; never "
                    "below the target's minimum part size).")


def large_wanted(config: pytest.Config) -> bool:
    """True when the run asked for the large family."""
    option = config.option
    return bool(option.jss_large or FAMILY in option.jss_family)


def check_large_options(config: pytest.Config) -> None:
    """ValueError (the caller makes it a usage error) for a size that does not parse."""
    for name in ("jss_large_size", "jss_large_part_size"):
        parse_size(getattr(config.option, name))


def deselect_large(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Drop the cases marked ``large`` unless the run asked for them."""
    if large_wanted(config):
        return
    drop = [item for item in items if item.get_closest_marker("large") is not None]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [item for item in items if item.get_closest_marker("large") is None]


@dataclass(frozen=True)
class LargeSettings:
    """The large family's sizes for this run."""

    size: int
    part_size: int


@pytest.fixture(scope="session")
def jss_large(request: pytest.FixtureRequest, jss_expect) -> LargeSettings:
    """The object and part sizes of the large family (part size at least the target's minimum)."""
    option = request.config.option
    part_size = max(parse_size(option.jss_large_part_size), int(jss_expect["min_part_size"]))
    return LargeSettings(parse_size(option.jss_large_size), part_size)


@pytest.fixture(scope="session")
def jss_endpoint_pid(request: pytest.FixtureRequest) -> int | None:
    """The process id of the embedded reference endpoint (None for another target)."""
    from conformance.harness.state import harness_state

    reference = harness_state(request.config).reference
    if reference is not None:
        return reference.pid
    return getattr(request.config, "workerinput", {}).get("jss_reference_pid")


def _status_kib(pid: int | str, field: str) -> int | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def reset_peak(pid: int | str = "self") -> bool:
    """Reset the peak resident set of `pid` (Linux ≥ 4.0; True when it was reset)."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5", encoding="ascii")
        return True
    return False


def peak_rss_mib(pid: int | str = "self") -> float | None:
    """The peak resident set of `pid` in MiB (since the last reset_peak), None when unknown."""
    kib = _status_kib(pid, "VmHWM")
    if kib is None and pid == "self":
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return None if kib is None else kib * 1024 / MIB


def rss_mib(pid: int | str = "self") -> float | None:
    """The resident set of `pid` now, in MiB (None when unknown)."""
    kib = _status_kib(pid, "VmRSS")
    return None if kib is None else kib * 1024 / MIB


#: The user property a large case records its figures under (shown in the terminal summary, xdist or not).
FIGURES_PROPERTY = "jss_large_figures"


class LargeFigures:
    """Collects the figures the large cases record (``record_property(FIGURES_PROPERTY, text)``) and prints
    them in a section of the terminal summary (the controller's, so xdist workers' cases too)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Keep the figures of a case's call phase."""
        if report.when == "call":
            self.lines += [f"{report.nodeid}: {value}" for name, value in report.user_properties
                           if name == FIGURES_PROPERTY]

    def pytest_terminal_summary(self, terminalreporter) -> None:
        """The section `jss-conformance: large`."""
        if self.lines:
            terminalreporter.section("jss-conformance: large")
            for line in self.lines:
                terminalreporter.line(line)


def register_figures(config: pytest.Config) -> None:
    """Install :class:`LargeFigures` when the run asked for the large family (controller or serial run)."""
    if large_wanted(config) and not hasattr(config, "workerinput"):
        config.pluginmanager.register(LargeFigures(), "jss_conformance_large_figures")
