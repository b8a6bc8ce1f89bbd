"""Expected and unexpected outcomes: each case's outcome judged against its expectation.

A case's expectation is NOT_APPLICABLE when one of its clauses is outside the target's wire or rulebook (the
catalogue says so), else its entry in the target's known-deviations file, else PASS. With a known-deviations
file every outcome other than the expected one fails the run (exit status 1), a PASS of a case expected to
fail included; without one, only a FAIL (or NON_STRICT with --jss-strict) does, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from conformance import outcomes as oc
from conformance.known_deviations import PASS_EXPECTED, Expectation, KnownDeviations, is_unexpected


@dataclass(frozen=True)
class Verdict:
    """One case: its outcome, its expectation and whether the outcome fails the run."""

    case_id: str
    outcome: str
    message: str
    expected: Expectation
    unexpected: bool

    @property
    def expected_deviation(self) -> bool:
        """A non-PASS outcome that was expected (NOT_APPLICABLE is no deviation: nothing was asked)."""
        return not self.unexpected and as_expected(self.outcome, self.expected.outcome)


def as_expected(outcome: str, expected_outcome: str | None) -> bool:
    """`outcome` (of a case, or of one of its clauses) is the non-PASS outcome its expectation names
    (NOT_APPLICABLE never: nothing was asked of the store)."""
    return outcome not in (oc.PASS, oc.NOT_APPLICABLE) and outcome == expected_outcome


def expectation_for(
    case_id: str, known: KnownDeviations, outside: tuple[str, str] | str | None
) -> Expectation:
    """NOT_APPLICABLE for a case outside the target (`outside`: (source, reason), source "dialect" for the
    wire or "rules" for the rulebook; a plain reason means the wire), else the file's entry, else PASS."""
    if outside:
        source, reason = ("dialect", outside) if isinstance(outside, str) else outside
        return Expectation(oc.NOT_APPLICABLE, reason, source)
    entry = known.entries.get(case_id)
    return entry if entry is not None else PASS_EXPECTED


def judge(
    cases: Iterable[tuple[str, str, str, Expectation]], *, judged: bool, strict: bool
) -> list[Verdict]:
    """Verdicts of (case id, outcome, message, expectation) tuples."""
    return [
        Verdict(case_id, outcome, text, wanted,
                is_unexpected(outcome, wanted, judged=judged, strict=strict, message=text))
        for case_id, outcome, text, wanted in cases
    ]


def exit_status(verdicts: Iterable[Verdict]) -> int:
    """3 if infrastructure failed, 1 on an unexpected outcome, else 0."""
    verdicts = list(verdicts)
    if any(v.outcome == oc.INFRA_ERROR for v in verdicts):
        return 3
    return 1 if any(v.unexpected for v in verdicts) else 0


def expected_record(expected: Expectation) -> Mapping[str, str] | None:
    """The results.json ``expected`` object of a case (None when PASS is expected)."""
    if not expected.is_deviation:
        return None
    record = {"outcome": expected.outcome, "reason": expected.reason, "source": expected.source}
    if expected.fingerprint is not None:
        record["fingerprint"] = expected.fingerprint.to_payload()
    return record


def summary(verdicts: Iterable[Verdict], limit: int = 30) -> list[tuple[str, dict]]:
    """(text, markup) lines: the counts of expected and unexpected outcomes, then every unexpected one."""
    verdicts = list(verdicts)
    expected = [v for v in verdicts if v.expected_deviation]
    unexpected = sorted((v for v in verdicts if v.unexpected), key=lambda v: v.case_id)
    lines: list[tuple[str, dict]] = [
        (f"expected deviations {len(expected)}  unexpected outcomes {len(unexpected)}", {"bold": True})
    ]
    for verdict in unexpected[:limit]:
        wanted = verdict.expected
        why = f" ({wanted.reason[:80]})" if wanted.is_deviation else ""
        first = verdict.message.splitlines()[0][:120] if verdict.message else ""
        same = verdict.outcome == wanted.outcome
        differs = wanted.mismatch(verdict.outcome, verdict.message) if same else ""
        lines.append(
            (f"UNEXPECTED {verdict.case_id}: {verdict.outcome}"
             + (f" with {differs}" if differs else f", expected {wanted.outcome}") + why
             + (f": {first}" if first else ""), {"red": True})
        )
    if len(unexpected) > limit:
        lines.append((f"... and {len(unexpected) - limit} more unexpected outcomes", {"red": True}))
    return lines
