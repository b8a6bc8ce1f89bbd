"""The controller's book of case outcomes: built from the phase reports (also those xdist workers send)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from conformance import outcomes as oc
from conformance.fingerprints import fingerprint_of
from conformance.harness.case_interruption import in_flight_message
from conformance.harness.classify import PhaseOutcome, combine
from conformance.harness.clause_verdicts import clause_verdicts
from conformance.harness.verdicts import Verdict, expected_record, judge
from conformance.known_deviations import PASS_EXPECTED, Expectation
from conformance.report.results import case_record


def case_id(nodeid: str) -> str:
    """A case id stable across invocations: the path below ``cases/`` (else the file name), ``::test``."""
    path, separator, rest = nodeid.partition("::")
    path = path.replace("\\", "/")
    path = path.rsplit("cases/", 1)[1] if "cases/" in path else path.rsplit("/", 1)[-1]
    return f"{path}{separator}{rest}"


INTERRUPTED_MESSAGE = "the run was interrupted while this case was running: no verdict"


@dataclass
class _Case:
    clauses: list[str] = field(default_factory=list)
    phases: list[PhaseOutcome] = field(default_factory=list)
    seconds: float = 0.0
    expected: Expectation = PASS_EXPECTED
    interrupted: str = ""  # the message, when the run was interrupted while the case was in flight

    def outcome(self) -> PhaseOutcome:
        if self.interrupted:
            return combine([*self.phases, PhaseOutcome(oc.INTERRUPTED, self.interrupted)])
        return combine(self.phases)

    def clause_verdicts(self) -> list[dict[str, str]]:
        return clause_verdicts(self.clauses, self.phases, self.outcome())


class ResultsBook:
    """Collects the classified phase reports of every case; gives the results.json records."""

    def __init__(self) -> None:
        self._cases: dict[str, _Case] = {}
        self._running: set[str] = set()

    def start(self, nodeid: str) -> None:
        """A case started (``pytest_runtest_logstart``; xdist forwards the workers' to the controller)."""
        self._running.add(nodeid)

    def finish(self, nodeid: str) -> None:
        """A case finished all its phases (``pytest_runtest_logfinish``)."""
        self._running.discard(nodeid)

    @property
    def running(self) -> list[str]:
        """The cases started and not finished (after an interrupt: the cases in flight)."""
        return sorted(self._running)

    def mark_interrupted(self, reason: str = "") -> list[str]:
        """The run was interrupted (`reason`: e.g. ``interrupted by SIGTERM``): every case in flight becomes
        INTERRUPTED (never PASS; a FAIL, NON_STRICT or INFRA_ERROR verdict it already had stays). Returns
        their node ids."""
        message = in_flight_message(reason) if reason else INTERRUPTED_MESSAGE
        running = self.running
        for nodeid in running:
            self._cases.setdefault(nodeid, _Case()).interrupted = message
        return running

    def add(self, report: pytest.TestReport) -> None:
        """Record one phase report carrying ``jss_outcome`` (set by the plugin's makereport)."""
        outcome = getattr(report, "jss_outcome", None)
        if outcome is None:
            return
        case = self._cases.setdefault(report.nodeid, _Case())
        case.clauses = list(getattr(report, "jss_clauses", None) or case.clauses)
        case.seconds += report.duration or 0.0
        expected = getattr(report, "jss_expected", None)
        if expected:
            outcome_, reason, source, *fingerprint = expected
            found = fingerprint_of(fingerprint[0] or {}) if fingerprint else None
            case.expected = Expectation(outcome_, reason, source, fingerprint=found)
        message = getattr(report, "jss_message", "") or ""
        if report.when == "teardown" and outcome != oc.PASS:
            message = f"teardown: {message}"
        details = list(getattr(report, "jss_explanation", None) or [])
        checks = [tuple(check) for check in getattr(report, "jss_checks", None) or ()]
        named = getattr(report, "jss_named", None)
        named = tuple(named) if named is not None else None
        case.phases.append(PhaseOutcome(outcome, message, details, checks, named))

    def add_synthetic(self, nodeid: str, outcome: str, message: str, seconds: float = 0.0) -> None:
        """Record an outcome that no test report carries (e.g. the preflight probe's INFRA_ERROR)."""
        self._cases[nodeid] = _Case([], [PhaseOutcome(outcome, message)], seconds)

    def outcomes(self) -> dict[str, PhaseOutcome]:
        """nodeid -> combined case outcome."""
        return {nodeid: case.outcome() for nodeid, case in self._cases.items()}

    def clause_verdicts(self) -> dict[str, list[dict[str, str]]]:
        """nodeid -> the case's verdict per clause (conformance.harness.clause_verdicts)."""
        return {nodeid: case.clause_verdicts() for nodeid, case in self._cases.items()}

    def verdicts(self, *, judged: bool, strict: bool) -> list[Verdict]:
        """Every case's outcome judged against its expectation (see conformance.harness.verdicts)."""
        cases = []
        for nodeid, case in self._cases.items():
            final = case.outcome()
            cases.append((case_id(nodeid), final.outcome, final.message, case.expected))
        return judge(cases, judged=judged, strict=strict)

    def records(self) -> list[dict]:
        """The results.json ``cases`` records."""
        records = []
        for nodeid, case in self._cases.items():
            final = case.outcome()
            message = "" if final.outcome == oc.PASS else final.message
            records.append(
                case_record(
                    case_id(nodeid), case.clauses, final.outcome, case.seconds * 1000, message,
                    expected=expected_record(case.expected), clause_verdicts=case.clause_verdicts(),
                )
            )
        return records
