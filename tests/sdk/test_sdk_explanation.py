"""The failure of an SDK scenario explains the SDK, not the suite: the deciding exchange is the SDK's own
request with its diagnosis, the SDK's requests are listed one line each before the suite's bookkeeping, and
every clause or behaviour a judgement can name has its sentence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance.exchange import Exchange
from conformance.harness.explain import EXCHANGES_HEADING, clause_lines, explain
from conformance.sdk.explanation import REQUESTS_HEADING, SdkScenarioFailure
from conformance.sdk.scenarios import load_behaviours, load_scenarios

KEY = "run/main/case/001"
SIGNED = {"clause": "signature.header.accepted", "verdict": "FAIL", "detail": "x-jss-meta left out",
          "mistakes": ["headers-not-signed"]}
RECORDS = [
    {"request_id": "R1", "method": "POST", "target": f"/b/{KEY}?uploads", "operation": "initiate",
     "status": 403, "body_bytes": 0, "faults": [], "verdicts": [SIGNED]},
    {"request_id": "R2", "method": "PUT", "target": f"/b/{KEY}?partNumber=1&uploadId=u",
     "operation": "upload-part", "status": 503, "body_bytes": 5, "faults": ["return-503"], "verdicts": []},
]
MESSAGE = "scenario s: signature.header.accepted (mistake headers-not-signed); sdk.object.stored\n[x] detail"


def _suite_exchange(method: str) -> Exchange:
    return Exchange(method, f"http://127.0.0.1:1/b/{KEY}", [], 0, None, status=204, bucket="b", key=KEY)


def test_the_deciding_exchange_is_the_sdk_request_the_diagnosis_failed():
    failure = SdkScenarioFailure(MESSAGE, RECORDS)
    explanation = explain(["sdk.object.stored"], failure, str(failure),
                          [_suite_exchange("GET"), _suite_exchange("DELETE")], 2)
    assert explanation.deciding is failure.deciding and failure.deciding.number == 1
    assert "diagnosed mistake: headers-not-signed" in explanation.deciding.render()
    lines = explanation.lines
    deciding = next(i for i, line in enumerate(lines) if line.startswith("deciding exchange"))
    assert "SDK request #1 POST" in lines[deciding]
    sdk_heading = lines.index(f"{REQUESTS_HEADING} (2):")
    suite_heading = next(i for i, line in enumerate(lines) if line.startswith(EXCHANGES_HEADING))
    assert deciding < sdk_heading < suite_heading
    assert lines[sdk_heading + 1].endswith("<- deciding") and "fault return-503" in lines[sdk_heading + 2]
    assert lines[suite_heading + 2].startswith("  #2 DELETE")  # the suite's clean-up comes last, undecided
    assert not any("<- deciding" in line for line in lines[suite_heading:])


def test_the_message_keeps_its_findings_first_and_names_the_deciding_request():
    lines = str(SdkScenarioFailure(MESSAGE, RECORDS)).splitlines()
    assert lines[0] == MESSAGE.splitlines()[0]
    assert lines[1].startswith("deciding SDK request: #1 POST")


def test_without_a_failed_diagnosis_the_last_error_answer_decides():
    answered = {**RECORDS[0], "verdicts": [], "status": 200}
    failure = SdkScenarioFailure("scenario s: sdk.retry.transient-error", [RECORDS[1], answered])
    assert failure.deciding.number == 1 and failure.deciding.record["status"] == 503
    assert SdkScenarioFailure("scenario s: sdk.object.stored", []).deciding is None


def _judge_ids() -> set[str]:
    source = Path(__import__("conformance.sdk.judge", fromlist=["x"]).__file__).read_text(encoding="utf-8")
    return set(re.findall(r'"((?:sdk|complete|object)\.[a-z0-9.-]+)"', source))


@pytest.mark.parametrize("identifier", sorted(
    _judge_ids() | set(load_behaviours()) | {i for w in ("jss", "s3") for s in load_scenarios(wire=w)
                                             for i in (*s.clauses, *s.behaviours)}))
def test_every_id_a_judgement_names_has_its_sentence(identifier):
    line = clause_lines([identifier])[0]
    assert "not in the clause catalogue" not in line
    assert re.match(rf"clause {re.escape(identifier)} \([A-Z_]+, [^)]+\): \S", line), line


def test_the_failure_is_attributed_to_its_findings_and_explains_only_them():
    from conformance.operations.checks import clauses_of

    findings = ["signature.header.accepted", "sdk.object.stored"]
    failure = SdkScenarioFailure(MESSAGE, RECORDS, findings)
    assert clauses_of(failure) == tuple(findings)
    explanation = explain(["sdk.object.stored", "complete.part-order", "signature.header.accepted"], failure,
                          str(failure), [], 0)
    clauses = [line.split(" (", 1)[0] for line in explanation.lines if line.startswith("clause ")]
    assert clauses == [f"clause {identifier}" for identifier in findings]
