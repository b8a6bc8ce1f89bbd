"""Unit tests of conformance.operations.verdicts (failures in words, with the deciding exchange) and of the
explanation lines of conformance.harness.explain."""

from __future__ import annotations

import pytest
from case_helpers import CannedClient, canned_response

from conformance import operations as ops
from conformance.client import Exchange
from conformance.harness.explain import exchange_line, explain

ERROR_BODY = {"code": "SignatureDoesNotMatch", "message": "m", "resource": "/b/k", "requestId": "R1"}
UPLOAD_BODY = {"Bucket": "b", "Key": "k", "UploadId": "U1"}


def _exchange(method: str, url: str, status: int, body: bytes = b"") -> Exchange:
    return Exchange(method, url, [], 0, None, status=status, response_body=body)


def test_answer_of_gives_the_response_of_a_success_and_of_an_error():
    ok, error = canned_response(200, UPLOAD_BODY), canned_response(403, ERROR_BODY)

    answers = [ops.answer_of(ops.initiate, CannedClient(response), "b", "k") for response in (ok, error)]

    assert answers == [ok, error]


@pytest.mark.parametrize(
    ("response", "words"),
    [
        (canned_response(200, UPLOAD_BODY), "200 OK with an UploadId"),
        (canned_response(403, ERROR_BODY), "403 Forbidden with error code SignatureDoesNotMatch"),
        (canned_response(204), "204 No Content with an empty body"),
        (
            canned_response(201, {"Bucket": "b", "ETag": "e"}),
            "201 Created with a JSON body of the fields Bucket, ETag",
        ),
        (
            canned_response(500, raw=b"oops"),
            "500 Internal Server Error with a body that is not a JSON object (4 bytes)",
        ),
        (canned_response(404, method="HEAD"), "404 Not Found"),
    ],
)
def test_describe_says_what_the_server_answered(response, words):
    assert ops.describe(response) == f"the server answered {words}"


def test_assert_error_on_a_success_says_what_was_expected_and_observed():
    with pytest.raises(ops.Mismatch) as failure:
        ops.assert_error(canned_response(200, UPLOAD_BODY), 403, "SignatureDoesNotMatch")

    assert str(failure.value) == (
        "expected a 403 SignatureDoesNotMatch error; observed the server answered 200 OK with an UploadId"
    )


def test_assert_status_is_exact():
    ops.assert_status(canned_response(200, UPLOAD_BODY), 200)
    with pytest.raises(ops.Mismatch) as failure:
        ops.assert_status(canned_response(201, UPLOAD_BODY), 200)

    assert (failure.value.expected, failure.value.observed) == (
        "200 OK",
        "the server answered 201 Created with an UploadId",
    )


def test_assert_value_names_the_exchange_of_the_operation_under_test():
    response = canned_response(200, UPLOAD_BODY)
    response.exchange = _exchange("POST", "http://h/b/k?uploads", 200)

    with pytest.raises(ops.Mismatch) as failure:
        ops.assert_value("the storage class", "REDUCED_REDUNDANCY", "STANDARD", decided_by=response)

    assert failure.value.exchange is response.exchange
    assert str(failure.value) == "expected the storage class to be 'STANDARD'; observed 'REDUCED_REDUNDANCY'"


def test_exchange_line_has_method_path_status_and_error_code_with_the_signature_masked():
    error = _exchange("GET", "http://h/b/k?uploadId=U&Signature=abc%2B", 404, b'{"code": "NoSuchUpload"}')

    assert exchange_line(error) == "GET /b/k?uploadId=U&Signature=**** -> 404 Not Found NoSuchUpload"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"<?xml version='1.0'?><Error><Code>NoSuchUpload</Code></Error>", "NoSuchUpload"),
        (b'<Error xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Code>NoSuchUpload</Code></Error>',
         "NoSuchUpload"),
        (b'{"Code": "NoSuchUpload"}', "NoSuchUpload"),
        (b"<Error><Message>no code</Message></Error>", None),
        (b"<Error><Code>", None),
        (b"not a body", None),
    ],
)
def test_exchange_line_reads_the_error_code_of_either_wire(body, code):
    error = _exchange("GET", "http://h/b/k?uploadId=U", 404, body)

    assert exchange_line(error) == "GET /b/k?uploadId=U -> 404 Not Found" + (f" {code}" if code else "")


def test_explanation_lists_clauses_verdict_deciding_exchange_and_every_exchange():
    initiate = _exchange("POST", "http://h/b/k?uploads", 200)
    listing = _exchange("GET", "http://h/b/k?uploadId=U", 200)
    mismatch = ops.Mismatch("the storage class to be 'STANDARD'", "'REDUCED_REDUNDANCY'", initiate)

    lines = explain(["initiate.storage-class.default"], mismatch, str(mismatch), [initiate, listing], 2).lines

    assert lines[0].startswith("clause initiate.storage-class.default (MUST, InitiateMultipartUpload): ")
    assert lines[1:] == [
        "expected: the storage class to be 'STANDARD'",
        "observed: 'REDUCED_REDUNDANCY'",
        "deciding exchange: #1 POST /b/k?uploads -> 200 OK",
        "exchanges of the case (2):",
        "  #1 POST /b/k?uploads -> 200 OK   <- deciding",
        "  #2 GET /b/k?uploadId=U -> 200 OK",
    ]


def test_explanation_of_a_plain_assertion_falls_back_to_the_last_exchange():
    kept = [_exchange("PUT", "http://h/b/k", 200), _exchange("GET", "http://h/b/k", 200)]

    lines = explain([], AssertionError("assert 1 == 2"), "AssertionError: assert 1 == 2", kept, 5).lines

    assert lines == [
        "observed: AssertionError: assert 1 == 2",
        "deciding exchange (the check named none: the last one): #5 GET /b/k -> 200 OK",
        "exchanges of the case (5):",
        "  (the first 3 are not kept)",
        "  #4 PUT /b/k -> 200 OK",
        "  #5 GET /b/k -> 200 OK   <- deciding",
    ]
