"""The response-mutation layer (conformance/reference/response_mutation.py) and the enumeration of mutants
(tools/oracle_mutation/enumerate_mutants.py)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from conformance.reference import response_mutation
from conformance.reference.response_mutation import ResponseMutationLayer

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools" / "oracle_mutation"))
from enumerate_mutants import Mutant, enumerate_mutants  # noqa: E402

START = {"type": "http.response.start", "status": 200, "headers": [
    (b"x-jss-request-id", b"AAAA"), (b"content-type", b"application/json;charset=UTF-8"),
    (b"content-length", b"33"),
]}
BODY = json.dumps({"Bucket": "b", "Key": "k", "UploadId": "U1"}).encode()


def mutating(op: str, field: str, mutation: str) -> ResponseMutationLayer:
    """A layer applying one mutant."""
    return ResponseMutationLayer(None, None, mutant={"op": op, "field": field, "mutation": mutation})


def forwarded(layer: ResponseMutationLayer, operation: str, body: bytes = BODY) -> list[dict]:
    """The messages the layer sends for one answer of `operation`."""
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(layer.forward(operation, START, body, send))
    return sent


def test_without_the_environment_variables_the_layer_is_not_installed():
    inner = object()
    assert response_mutation.layer_from_environment(inner, None, environ={}) is inner


def test_a_mutant_changes_its_field_of_its_operation_and_recomputes_content_length():
    layer = mutating("initiate", "json:Key", "drop")
    start, body = forwarded(layer, "initiate")
    assert json.loads(body["body"]) == {"Bucket": "b", "UploadId": "U1"}
    assert dict(start["headers"])[b"content-length"] == str(len(body["body"])).encode()
    _, other = forwarded(layer, "complete")  # another operation's answers are left alone
    assert json.loads(other["body"]) == json.loads(BODY)


def test_stale_answers_the_previous_answers_value_and_constant_the_first():
    stale = mutating("initiate", "json:UploadId", "stale")
    constant = mutating("initiate", "json:UploadId", "constant")
    for layer in (stale, constant):
        bodies = [forwarded(layer, "initiate", BODY.replace(b"U1", f"U{n}".encode()))[1] for n in (1, 2, 3)]
        ids = [json.loads(body["body"])["UploadId"] for body in bodies]
        assert ids == (["U1", "U1", "U2"] if layer is stale else ["U1", "U1", "U1"])


def test_the_observation_names_fields_and_mutations_and_keeps_no_value(tmp_path):
    observed = tmp_path / "observed.jsonl"
    layer = ResponseMutationLayer(None, None, observe=observed)
    forwarded(layer, "initiate")
    line = json.loads(observed.read_text())
    assert line["op"] == "initiate"
    assert line["fields"]["json:UploadId"] == ["drop", "empty", "case", "sibling", "constant", "stale"]
    assert "U1" not in observed.read_text() and "AAAA" not in observed.read_text()


def test_an_error_answer_is_grouped_apart():
    assert response_mutation.answer_key("initiate", 404) == "initiate:error"
    assert response_mutation.answer_key("abort", 204) == "abort"


def test_enumeration_maps_fields_to_the_tests_that_saw_them_and_drops_constants_that_never_changed():
    timeline = [{"test": "t1", "start": 0.0, "end": 1.0}, {"test": "t2", "start": 1.0, "end": 2.0}]
    fields = {"json:Bucket": ["drop", "constant"], "json:UploadId": ["constant"]}  # Bucket never changes
    observations = [
        {"time": 0.5, "op": "initiate", "fields": fields, "values": {"json:UploadId": "1"}},
        {"time": 1.5, "op": "initiate", "fields": fields, "values": {"json:UploadId": "2"}},
        {"time": 9.0, "op": "list-buckets", "fields": {"status": ["off-by-one"]}, "values": {"status": "s"}},
    ]
    mutants = enumerate_mutants(observations, timeline)
    assert mutants == {
        Mutant("initiate", "json:Bucket", "drop"): {"t1", "t2"},
        Mutant("initiate", "json:UploadId", "constant"): {"t1", "t2"},
        Mutant("list-buckets", "status", "off-by-one"): set(),  # outside every test: offered, never run
    }
