"""The wire apart from the rulebook: a profile's `rules` (default: the wire's; `wire` a synonym of `dialect`),
the catalogue's level per rulebook with its AWS source, a case outside the wire or rulebook NOT_APPLICABLE
(never NOT_IMPLEMENTED), a failed EXAMPLE check NON_STRICT, and the one "not supported" rule."""

from __future__ import annotations

import pytest
import requests
from harness_helpers import clean_env, run_cli
from test_harness_target import ENV, GOOD, write

from conformance import outcomes as oc
from conformance.catalogue import load_catalogue, outside_target
from conformance.harness.classify import PhaseOutcome, outcome_of_exception
from conformance.harness.levels import judged_at_level
from conformance.harness.verdicts import expectation_for, judge
from conformance.known_deviations import KnownDeviations
from conformance.not_supported import not_supported, raise_if_not_supported
from conformance.target import ProfileError, Target, load_profile

S3_GOOD = GOOD.replace('dialect = "jss"', 'dialect = "s3"')
CATALOGUE = load_catalogue()


def canned_response(status: int, raw: bytes = b"") -> requests.Response:
    """A requests.Response with this status and body."""
    response = requests.Response()
    response.status_code = status
    response._content = raw
    return response


@pytest.mark.parametrize("text,wire,rules", [
    (GOOD, "jss", "jss"),
    (S3_GOOD, "s3", "s3"),
    (S3_GOOD.replace('dialect = "s3"', 'dialect = "s3"\nrules = "jss"'), "s3", "jss"),
    (GOOD.replace('dialect = "jss"', 'wire = "s3"\nrules = "s3"'), "s3", "s3"),
])
def test_harness_profile_names_wire_and_rulebook(tmp_path, text, wire, rules):
    target = load_profile(write(tmp_path, text), ENV)

    assert (target.dialect, target.rulebook) == (wire, rules)
    assert Target.from_payload(target.to_payload()).rulebook == rules


@pytest.mark.parametrize("text,needle", [
    (GOOD.replace('dialect = "jss"', 'dialect = "jss"\nrules = "aws"'), "unknown rules 'aws'"),
    (GOOD.replace('dialect = "jss"', 'dialect = "jss"\nrules = "s3"'), "cannot judge the jss wire"),
    (GOOD.replace('dialect = "jss"', 'dialect = "jss"\nwire = "s3"'), "two wires"),
    (GOOD.replace('dialect = "jss"', ""), "dialect"),
])
def test_harness_bad_wire_or_rules_is_one_clear_line(tmp_path, text, needle):
    with pytest.raises(ProfileError) as caught:
        load_profile(write(tmp_path, text), ENV)

    assert needle in str(caught.value) and "\n" not in str(caught.value)


def test_harness_bad_rules_exits_2_with_one_line(tmp_path):
    profile = write(tmp_path, GOOD.replace('dialect = "jss"', 'dialect = "jss"\nrules = "aws"'))
    run = run_cli(["run", "--target", str(profile), "-p", "no:cacheprovider"], tmp_path, clean_env(**ENV))

    assert run.status == 2
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "unknown rules 'aws'" in lines[0], run.stderr


def test_harness_clause_levels_per_rulebook():
    elsewhere = CATALOGUE["initiate.region-limit.rr-elsewhere"]
    any_region = CATALOGUE["initiate.storage-class.rr-any-region"]
    sample = CATALOGUE["errors.body.sample-elements"]

    assert (elsewhere.rule("jss").level, elsewhere.rule("s3").level) == ("OPEN", "NOT_APPLICABLE")
    assert (any_region.rule("jss").applies, any_region.rule("s3").level) == (False, "MUST")
    assert any_region.rule("s3").source.startswith("https://docs.aws.amazon.com/")
    assert sample.rule("s3").level == "EXAMPLE"
    assert CATALOGUE["errors.body.code-message"].rule("s3").level == "MUST"


def test_harness_outside_target_names_wire_then_rulebook():
    jss_only, elsewhere = ["signature.header.accepted"], ["initiate.region-limit.rr-elsewhere"]

    assert outside_target(jss_only, CATALOGUE, "s3", "s3")[0] == "dialect"
    assert outside_target(elsewhere, CATALOGUE, "s3", "s3")[0] == "rules"
    assert outside_target(elsewhere, CATALOGUE, "s3", "jss") is None
    assert outside_target(["initiate.storage-class.rr-any-region"], CATALOGUE, "s3", "jss")[0] == "rules"
    assert outside_target(["initiate.storage-class.rr-any-region"], CATALOGUE, "s3", "s3") is None


def test_harness_not_applicable_is_its_own_outcome_and_expected():
    known = KnownDeviations({})
    wanted = expectation_for("c", known, ("rules", "clause x does not apply under the s3 rules"))
    verdict = judge([("c", oc.NOT_APPLICABLE, "m", wanted)], judged=True, strict=True)[0]

    assert outcome_of_exception(oc.NotApplicable("x")) == oc.NOT_APPLICABLE
    assert outcome_of_exception(oc.NotInDialect("x")) == oc.NOT_APPLICABLE
    assert outcome_of_exception(oc.NotImplementedByTarget("x")) == oc.NOT_IMPLEMENTED
    assert (wanted.outcome, wanted.source) == (oc.NOT_APPLICABLE, "rules")
    assert not verdict.unexpected and not verdict.expected_deviation


@pytest.mark.parametrize("clauses,rulebook,outcome", [
    (["errors.body.sample-elements"], "s3", oc.NON_STRICT),
    (["signature.content-md5.hex"], "jss", oc.NON_STRICT),
    (["errors.body.code-message"], "s3", oc.FAIL),
    (["complete.etag.formula", "complete.part-order"], "jss", oc.FAIL),
    ([], "jss", oc.FAIL),
])
def test_harness_failed_example_check_is_non_strict(clauses, rulebook, outcome):
    judged = judged_at_level(PhaseOutcome(oc.FAIL, "lacks Resource"), "call", clauses, CATALOGUE, rulebook)

    assert judged.outcome == outcome
    assert judged.message.endswith("lacks Resource")


def test_harness_failed_example_teardown_keeps_its_fail():
    phase = PhaseOutcome(oc.FAIL, "cleanup failed")
    judged = judged_at_level(phase, "teardown", ["errors.body.sample-elements"], CATALOGUE, "s3")

    assert judged.outcome == oc.FAIL


@pytest.mark.parametrize("status,body,rulebook,said", [
    (501, b"", "jss", "answered 501"),
    (501, b"<Error><Code>NotImplemented</Code></Error>", "s3", "answered 501"),
    (400, b"<Error><Code>NotImplemented</Code></Error>", "s3", "answered 400 NotImplemented"),
    (400, b'{"code": "NotImplemented", "message": "m"}', "jss", "answered 400 NotImplemented"),
    (400, b"<Error><Code>InvalidRequest</Code><Message>m</Message></Error>", "s3", None),
    (403, b'{"code": "AccessDenied"}', "jss", None),
    (200, b"<Code>NotImplemented</Code>", "s3", None),
    (400, b"<Error><Code>NotImpl", "s3", None),
])
def test_harness_one_not_supported_rule(status, body, rulebook, said):
    response = canned_response(status, raw=body)

    assert not_supported(response, rulebook) == said
    if said:
        with pytest.raises(oc.NotImplementedByTarget, match=said):
            raise_if_not_supported(response, rulebook, "PUT /b/k")
    else:
        raise_if_not_supported(response, rulebook, "PUT /b/k")


def test_harness_streamed_answer_is_judged_by_its_status_alone():
    response = canned_response(400, raw=b"<Error><Code>NotImplemented</Code></Error>")

    assert not_supported(response, "s3", read_body=False) is None
    assert not_supported(canned_response(501), "s3", read_body=False) == "answered 501"


def test_harness_failure_explanation_states_the_level_of_the_targets_rulebook():
    from conformance.harness.explain import clause_lines

    [under_s3] = clause_lines(["initiate.storage-class.rr-any-region"], "s3")
    [under_jss] = clause_lines(["errors.body.sample-elements"], "jss")

    assert under_s3.startswith("clause initiate.storage-class.rr-any-region (MUST, InitiateMultipartUpload)")
    assert under_jss.startswith("clause errors.body.sample-elements (EXAMPLE, Errors)")
