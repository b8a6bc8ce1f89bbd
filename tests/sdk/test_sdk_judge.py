"""The judgement of one scenario run (conformance.sdk.judge), on constructed observations: a perfect run
passes; a fault that never fired, a wrong request, too many attempts, a second initiate, a left upload and
a wrong object each give their finding; an unsupported step is NOT_IMPLEMENTED, not a pass."""

from __future__ import annotations

import pytest

from conformance.sdk.judge import EndState, Source, judge
from conformance.sdk.scenarios import load_scenarios

SCENARIOS = {s.id: s for s in load_scenarios()}
SOURCE = Source("a" * 32, 100, "e" * 32)
GOOD_STATE = EndState(True, "a" * 32, 100, "e" * 32, "STANDARD")


def record(operation: str, part: str | None = None, verdict: str = "PASS", **extra) -> dict:
    verdicts = [{"clause": "signature.header.accepted", "verdict": verdict, "detail": "d", **extra}]
    return {"operation": operation, "method": "PUT", "status": 200, "part_number": part, "verdicts": verdicts}


#: Part 1 sent twice: the armed 503 and its retry.
GOOD_RECORDS = [record("initiate"), *[record("upload-part", "1")] * 2, record("complete")]


def ids(scenario_id: str, **changes) -> list[str]:
    arguments = {"result": {"status": "ok"}, "problem": "", "fired": 1, "records": GOOD_RECORDS,
                 "state": GOOD_STATE, "source": SOURCE, **changes}
    judgement = judge(SCENARIOS[scenario_id], **arguments)
    return [finding.id for finding in judgement.findings]


def test_judge_perfect_run_passes():
    assert ids("retry-503-upload-part") == []


def test_judge_fault_never_fired_is_not_a_pass():
    assert ids("retry-503-upload-part", fired=0) == ["sdk.faults.fired"]


def test_judge_wrong_request_names_its_mistake():
    records = [record("initiate", verdict="FAIL", mistakes=["uploads-omitted"]), *GOOD_RECORDS[1:]]
    scenario = SCENARIOS["retry-503-upload-part"]
    judgement = judge(scenario, {"status": "ok"}, "", 1, records, GOOD_STATE, SOURCE)
    assert "mistake uploads-omitted" in judgement.summary()


@pytest.mark.parametrize(
    "changes,finding",
    [
        ({"records": GOOD_RECORDS + [record("upload-part", "1")] * 3}, "sdk.retry.transient-error"),
        ({"records": [record("initiate"), *GOOD_RECORDS]}, "sdk.retry.complete-same-upload"),
        ({"state": EndState(True, "a" * 32, 100, "e" * 32, "STANDARD", uploads_left=1)},
         "sdk.cleanup.no-upload-left"),
        ({"state": EndState(True, "b" * 32, 100, "e" * 32, "STANDARD")}, "sdk.object.stored"),
        ({"state": EndState(True, "a" * 32, 100, "f" * 32, "STANDARD")}, "complete.etag.formula"),
        ({"result": {"status": "failed", "message": "gave up"}}, "sdk.retry.transient-error"),
        ({"result": None, "problem": "the driver printed no result line"}, "sdk.object.stored"),
    ],
    ids=["too-many-attempts", "second-initiate", "upload-left", "wrong-bytes", "wrong-etag", "gave-up",
         "no-result"],
)
def test_judge_finding(changes, finding):
    assert finding in ids("retry-503-upload-part", **changes)


def test_judge_unsupported_is_not_a_pass():
    result = {"status": "unsupported", "unsupported": ["resume-upload"], "message": "no ListParts"}
    judgement = judge(SCENARIOS["resume-from-list-parts"], result, "", 0, [], EndState(False), SOURCE)
    assert judgement.unsupported and "resume-upload" in judgement.unsupported


#: list-paged: the suite's upload with parts 1 and 2, resumed with part 3.
LIST_RECORDS = [record("list-parts")] * 3 + [record("list-uploads"), record("list-parts"),
                                             record("upload-part", "3"), record("complete")]
LISTED = {"parts": [1, 2], "uploads": [{"key": "k", "upload_id": "u"}]}


def listing_ids(listed: object) -> list[str]:
    return ids("list-paged", result={"status": "ok", "listed": listed}, fired=0, records=LIST_RECORDS)


def test_judge_complete_listing_passes():
    assert listing_ids(LISTED) == []


@pytest.mark.parametrize(
    "listed",
    [
        {**LISTED, "parts": [1]},  # the second page never asked
        {**LISTED, "parts": [1, 1, 2]},  # a page asked twice
        {**LISTED, "uploads": []},
        {"parts": [1, 2]},  # no upload listing reported
        None,  # no "listed" at all
    ],
    ids=["first-page-only", "page-repeated", "upload-missing", "no-upload-listing", "nothing-listed"],
)
def test_judge_incomplete_listing_is_named(listed):
    assert "sdk.list.complete" in listing_ids(listed)
