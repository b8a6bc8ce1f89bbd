"""Per-run state of the plugin, kept in ``config.stash`` (one per pytest Config: pytester runs stay apart)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance.harness.classify import PhaseOutcome
from conformance.harness.ending import RunEnding
from conformance.harness.results import ResultsBook
from conformance.known_deviations import NONE, KnownDeviations
from conformance.target import Target

RUN_PREFIX_PATTERN = r"jssc-\d{8}T\d{6}-[0-9a-f]{6}"


def new_run_id(now: float | None = None) -> str:
    """``jssc-<UTC yyyymmddThhmmss>-<6 hex>``: unique per run, recognisable by `sweep`."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now))
    return f"jssc-{stamp}-{secrets.token_hex(3)}"


#: The longest Server header kept as the run's server version (as a profile's server_version).
SERVER_VERSION_LIMIT = 100


@dataclass
class HarnessState:
    """What the plugin knows about the run in this process (controller, serial run, or xdist worker)."""

    wanted: bool = False
    is_worker: bool = False
    run_id: str = ""
    worker_id: str = "main"
    target: Target | None = None
    reference: Any = None
    started: float = field(default_factory=time.time)
    results_path: Path | None = None
    book: ResultsBook = field(default_factory=ResultsBook)
    warnings: list[str] = field(default_factory=list)
    catalogue: dict | None = None
    preflight_failed: bool = False
    infra_errors: int = 0
    known: KnownDeviations = NONE
    #: The wire of a run of the SDK scenarios ("" in any other run).
    sdk_wire: str = ""
    #: How the run ended (None until decided: a stop at setup sets it early, the session's end otherwise).
    ending: RunEnding | None = None
    #: The KeyboardInterrupt (or pytest/xdist stop) pytest reported, if any; the signal our handler saw.
    interrupt: BaseException | None = None
    signal_name: str | None = None
    interrupt_handler: Any = None
    worker_pids: list[int] = field(default_factory=list)
    #: How many cases were selected to run (when known).
    selected: int | None = None
    #: How many collection reports failed (a module that does not import): the run is broken, never green.
    collection_errors: int = 0
    #: What the sweep after an interrupt did (conformance.harness.interruption.SweepOutcome).
    sweep: Any = None
    #: Forked workers (--jss-workers) that ended without finishing: their cleanup did not run, so the run
    #: folder is swept as after an interrupt.
    workers_lost: int = 0
    #: The fastest round trip of the preflight's probes (seconds; None before it, or without an answer).
    round_trip: float | None = None
    #: The Server header values the preflight's answers carried, in order (run.server_version without a
    #: profile server_version).
    server_headers: list[str] = field(default_factory=list)

    @property
    def server_version(self) -> str:
        """The profile's server_version, else the first Server header the preflight saw, else, for the
        embedded endpoint, this suite's reference endpoint and version ("" if none of these)."""
        stated = self.target.server_version if self.target is not None else ""
        seen = " ".join(next(iter(self.server_headers), "").split())
        if not (stated or seen) and self.target is not None and self.target.embedded:
            from conformance import __version__

            return f"jss-conformance reference endpoint {__version__}"
        return stated or seen[:SERVER_VERSION_LIMIT]

    @property
    def run_prefix(self) -> str:
        """Every key the suite writes in this process starts with this."""
        return f"{self.run_id}/{self.worker_id}/"

    @property
    def secrets(self) -> tuple[str, ...]:
        """Strings that must never reach a report."""
        return self.target.secrets if self.target is not None else ()


STATE_KEY = pytest.StashKey[HarnessState]()
TRACKER_KEY = pytest.StashKey[Any]()
PHASES_KEY = pytest.StashKey[list[PhaseOutcome]]()
ATTACHED_KEY = pytest.StashKey[bool]()
#: Why a case does not apply to the target: ("dialect" | "rules", reason) for a case outside its wire or
#: rulebook (set at setup, or when a check raises NotApplicable; absent when it applies).
DIALECT_KEY = pytest.StashKey[tuple[str, str]]()


def harness_state(config: pytest.Config) -> HarnessState:
    """The state of `config`'s run (created on first use)."""
    state = config.stash.get(STATE_KEY, None)
    if state is None:
        state = config.stash[STATE_KEY] = HarnessState()
    return state
