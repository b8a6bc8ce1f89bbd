"""The rules that turn a case's phases and recorded checks into a verdict per clause
(conformance.harness.clause_verdicts), and the check API that records them (conformance.operations.checks)."""

from __future__ import annotations

import json

import pytest

from conformance import operations as ops
from conformance import outcomes as oc
from conformance.harness.classify import PhaseOutcome, combine, outcome_of_exception
from conformance.harness.clause_verdicts import NOT_CHECKED, UNCHECKED, clause_verdicts
from conformance.operations.checks import SETTLED, clauses_of, take_records
from conformance.report.results import validation_errors

A, B, C = "a.one", "b.two", "c.three"


def _verdicts(clauses, *phases):
    return {
        v["clause"]: (v["outcome"], v["message"])
        for v in clause_verdicts(clauses, phases, combine(list(phases)))
    }


def test_harness_single_clause_case_gets_its_outcome():
    assert _verdicts([A], PhaseOutcome(oc.PASS)) == {A: (oc.PASS, "")}
    assert _verdicts([A], PhaseOutcome(oc.FAIL, "boom")) == {A: (oc.FAIL, "boom")}


def test_harness_named_failure_leaves_later_clauses_not_reached():
    phase = PhaseOutcome(oc.FAIL, "no", checks=[(A, oc.PASS, "")], named=(B,))
    assert _verdicts([A, B, C], phase) == {
        A: (oc.PASS, ""),
        B: (oc.FAIL, "no"),
        C: (oc.NOT_REACHED, NOT_CHECKED),
    }


def test_harness_unnamed_failure_goes_to_the_clauses_still_open():
    phase = PhaseOutcome(oc.FAIL, "no", checks=[(A, oc.PASS, "")])
    assert _verdicts([A, B, C], phase) == {A: (oc.PASS, ""), B: (oc.FAIL, "no"), C: (oc.FAIL, "no")}


def test_harness_passing_case_never_credits_an_unchecked_clause():
    phase = PhaseOutcome(oc.PASS, checks=[(A, oc.PASS, "")])
    assert _verdicts([A, B], phase) == {A: (oc.PASS, ""), B: (oc.NOT_REACHED, UNCHECKED)}


def test_harness_settled_soft_failures_keep_their_own_verdicts():
    checks = [(A, oc.PASS, ""), (B, oc.FAIL, "b said x"), (C, oc.NON_STRICT, "c said y")]
    phase = PhaseOutcome(oc.FAIL, "b: ...; c: ...", checks=checks, named=SETTLED)
    assert _verdicts([A, B, C], phase) == {
        A: (oc.PASS, ""),
        B: (oc.FAIL, "b said x"),
        C: (oc.NON_STRICT, "c said y"),
    }


def test_harness_skip_and_teardown_failure_reach_every_clause():
    assert _verdicts([A, B], PhaseOutcome(oc.SKIPPED, "why")) == {
        A: (oc.SKIPPED, "why"),
        B: (oc.SKIPPED, "why"),
    }
    call = PhaseOutcome(oc.PASS, checks=[(A, oc.PASS, ""), (B, oc.PASS, "")])
    assert _verdicts([A, B], call, PhaseOutcome(oc.FAIL, "teardown: x")) == {
        A: (oc.FAIL, "teardown: x"),
        B: (oc.FAIL, "teardown: x"),
    }


def test_harness_interrupted_in_flight_is_never_pass():
    phases = [PhaseOutcome(oc.PASS, checks=[(A, oc.PASS, "")])]
    final = PhaseOutcome(oc.INTERRUPTED, "stopped")
    got = {v["clause"]: v["outcome"] for v in clause_verdicts([A, B], phases, final)}
    assert got == {A: oc.PASS, B: oc.INTERRUPTED}


def test_harness_checking_tags_the_exception_and_records_passes():
    take_records()
    with ops.checking(A):
        pass
    with pytest.raises(ops.Mismatch) as raised, ops.checking(B, C), ops.checking(A):
        raise ops.Mismatch("x", "y")
    assert clauses_of(raised.value) == (A,)  # the innermost check names it
    assert take_records() == [(A, oc.PASS, "")]


def test_harness_observations_record_each_clause_and_raise_the_worst():
    take_records()
    checks = ops.Observations()
    with checks.check(A):
        raise oc.NonStrict("a said STANDARD")
    with checks.check(B):
        pass
    with checks.check(C):
        raise ops.Mismatch("c to be x", "c said y")
    with pytest.raises(ops.CheckFailures) as raised:
        checks.settle()
    assert outcome_of_exception(raised.value) == oc.FAIL
    assert str(raised.value) == f"{A}: a said STANDARD; {C}: expected c to be x; observed c said y"
    assert take_records() == [
        (A, oc.NON_STRICT, "a said STANDARD"),
        (B, oc.PASS, ""),
        (C, oc.FAIL, "expected c to be x; observed c said y"),
    ]
    only_non_strict = ops.Observations()
    only_non_strict.fail(A, oc.NonStrict("n"))
    with pytest.raises(ops.CheckFailures) as raised:
        only_non_strict.settle()
    assert outcome_of_exception(raised.value) == oc.NON_STRICT
    take_records()


def test_harness_observations_let_infrastructure_failures_stop_the_case():
    checks = ops.Observations()
    with pytest.raises(oc.InfraError), checks.check(A):
        raise oc.InfraError("gone")
    assert not checks.failures
    take_records()


NAMED = """
import pytest
from conformance import operations as ops


@pytest.mark.clause("s.a", "s.b", "s.c")
def test_named():
    with ops.checking("s.a"):
        pass
    with ops.checking("s.b"):
        raise ops.Mismatch("x", "y")
    with ops.checking("s.c"):
        pass
"""


def test_harness_reports_carry_the_clause_verdicts(pytester: pytest.Pytester):
    pytester.makepyfile(test_named=NAMED)
    result = pytester.runpytest(
        "-q", "--jss-results", "out.json", "--alluredir", "al", "-p", "no:cacheprovider"
    )
    line = "FAIL test_named.py::test_named [s.b]: expected x; observed y"
    assert any(text.startswith(line) for text in result.outlines), result.stdout.str()
    document = json.loads((pytester.path / "out.json").read_text(encoding="utf-8"))
    assert validation_errors(document) == []
    (case,) = document["cases"]
    assert case["outcome"] == oc.FAIL
    assert [(v["clause"], v["outcome"]) for v in case["clause_verdicts"]] == [
        ("s.a", oc.PASS),
        ("s.b", oc.FAIL),
        ("s.c", oc.NOT_REACHED),
    ]
    (allure,) = [
        json.loads(path.read_text(encoding="utf-8")) for path in (pytester.path / "al").glob("*-result.json")
    ]
    assert [(step["name"], step["status"]) for step in allure["steps"]] == [
        ("clause s.a: PASS", "passed"),
        ("clause s.b: FAIL", "failed"),
        ("clause s.c: NOT_REACHED", "skipped"),
    ]
