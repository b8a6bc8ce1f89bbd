"""Mutation check of the SigV4 diagnosis: with any one rule disabled (its mistake id never produced, neither
by the signature search nor by a check), at least one case of test_sigv4_diagnosis fails, so no rule is
there without a test that needs it."""

from __future__ import annotations

import pytest
from test_sigv4_diagnosis import CASES, secret_for

from conformance.diagnosis import diagnose_signature, sigv4_checks, sigv4_search, sigv4_streaming
from conformance.diagnosis.sigv4_mistakes import catalogue

VARIANT_STAGES = ("path_variants", "query_variants", "header_variants", "payload_variants", "scope_variants")


def _disable(monkeypatch: pytest.MonkeyPatch, mistake_id: str) -> None:
    """Make the diagnosis blind to `mistake_id`: no variant making it is tried, no check reports it."""
    for stage in VARIANT_STAGES:
        original = getattr(sigv4_search, stage)

        def without(*args, _original=original):
            return [(made, value) for made, value in _original(*args)
                    if all(name != mistake_id for name, _ in made)]

        monkeypatch.setattr(sigv4_search, stage, without)
    for module, function in ((sigv4_checks, "run"), (sigv4_streaming, "check")):
        original = getattr(module, function)

        def filtered(*args, _original=original):
            return [(name, specifics) for name, specifics in _original(*args) if name != mistake_id]

        monkeypatch.setattr(module, function, filtered)


def _failing_cases() -> list[str]:
    failing = []
    for case_id, expected, make in CASES:
        diagnosis = diagnose_signature(make(), secret_for)
        if [m.name for m in diagnosis.mistakes] != [expected]:
            failing.append(case_id)
    return failing


def test_every_case_holds_with_every_rule_enabled():
    assert _failing_cases() == []


@pytest.mark.parametrize("mistake_id", list(catalogue()))
def test_disabling_a_rule_makes_a_case_fail(monkeypatch, mistake_id):
    _disable(monkeypatch, mistake_id)

    failing = _failing_cases()

    assert failing, f"no case needs the rule {mistake_id}"
    assert all(case[1] == mistake_id for case in CASES if case[0] in failing)
