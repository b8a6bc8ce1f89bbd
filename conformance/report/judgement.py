"""The judgement of a results.json as the run made it, so that a report's totals equal the run's.

Each case's outcome is judged against the expectation results.json records for it (``expected``; absent:
PASS) with :func:`conformance.harness.verdicts.judge`, the function the run used: "judged" when the run had a
known-deviations file (``run.known_deviations``), NON_STRICT failing when the run had ``--jss-strict``
(``run.strict``; absent in files of older suite versions: false). The counts are the run's terminal line
"expected deviations N  unexpected outcomes M".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from conformance.fingerprints import fingerprint_of
from conformance.harness.verdicts import Verdict, judge
from conformance.known_deviations import PASS_EXPECTED, Expectation


def _expectation(case: Mapping[str, Any]) -> Expectation:
    wanted = case.get("expected")
    if not wanted:
        return PASS_EXPECTED
    return Expectation(wanted["outcome"], wanted.get("reason", ""), wanted.get("source", "file"),
                       fingerprint=fingerprint_of(wanted.get("fingerprint") or {}))


def run_verdicts(document: Mapping[str, Any]) -> list[Verdict]:
    """The verdict on every case of a parsed results.json, as the run judged it."""
    run = document["run"]
    cases = [
        (case["id"], case["outcome"], case.get("message", ""), _expectation(case))
        for case in document["cases"]
    ]
    return judge(cases, judged=bool(run.get("known_deviations")), strict=bool(run.get("strict", False)))


def run_totals(document: Mapping[str, Any]) -> dict[str, int]:
    """Case counts of a run: per outcome, plus ``expected`` (expected deviations) and ``unexpected``
    (unexpected outcomes), both as the run counted them."""
    verdicts = run_verdicts(document)
    counts = Counter(verdict.outcome for verdict in verdicts)
    counts["expected"] = sum(1 for verdict in verdicts if verdict.expected_deviation)
    counts["unexpected"] = sum(1 for verdict in verdicts if verdict.unexpected)
    return dict(counts)
