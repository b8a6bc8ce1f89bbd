"""Negative controls of the s3 rulebook's own checks, against canned S3 answers (a stub store): the
REDUCED_REDUNDANCY-in-any-region case fails on a refusal and on a STANDARD report and passes on RR; the
error-body cases fail a body without Message, and (an EXAMPLE) a body without Resource."""

from __future__ import annotations

import pytest
from case_helpers import CannedClient
from test_case_operations_s3 import NS, S3CannedClient, _xml

from conformance.cases import test_s3_wire as s3_wire
from conformance.cases import test_storage_class_any_region as any_region
from conformance.client import Credentials
from conformance.operations.results import ApiError
from conformance.target import BucketSpec, Target

EAST = BucketSpec("b-east", "us-east-1", "http://127.0.0.1:9")
TARGET = Target("stub", "s3", "http://127.0.0.1:9", Credentials("a", "b"), [EAST], rules="s3")
INITIATED = f"<InitiateMultipartUploadResult {NS}><Bucket>b-east</Bucket><Key>k</Key><UploadId>U</UploadId>" \
    "</InitiateMultipartUploadResult>"


def _parts(storage_class: str) -> str:
    return f"<ListPartsResult {NS}><Bucket>b-east</Bucket><Key>k</Key><UploadId>U</UploadId>" \
        f"<StorageClass>{storage_class}</StorageClass></ListPartsResult>"


def _uploads(storage_class: str) -> str:
    return f"<ListMultipartUploadsResult {NS}><Bucket>b-east</Bucket><Upload><Key>k</Key>" \
        f"<UploadId>U</UploadId><StorageClass>{storage_class}</StorageClass></Upload>" \
        "</ListMultipartUploadsResult>"


COMPLETED = f"<CompleteMultipartUploadResult {NS}><Bucket>b-east</Bucket><Key>k</Key><ETag>\"e-1\"</ETag>" \
    "</CompleteMultipartUploadResult>"


def _observed_as(storage_class: str) -> list:
    """The store's answers to the case after the initiate: ListParts, ListMultipartUploads, UploadPart,
    CompleteMultipartUpload and HEAD, each reporting `storage_class`."""
    return [
        _xml(200, _parts(storage_class)), _xml(200, _uploads(storage_class)),
        _xml(200, b"", ETag='"0cc175b9c0f1b6a831c399e269772661"'), _xml(200, COMPLETED),
        _xml(200, b"", **{"x-amz-storage-class": storage_class}),
    ]


def _run_any_region(*answers) -> CannedClient:
    client = S3CannedClient(*answers)
    case = any_region.test_initiate_rr_outside_north_china_reported_rr
    case(TARGET, lambda bucket: client, "k")
    return client


def test_case_rr_any_region_passes_when_rr_is_reported():
    client = _run_any_region(_xml(200, INITIATED), *_observed_as("REDUCED_REDUNDANCY"))

    sent = client.calls[0]
    assert sent[0][:3] == ("POST", "b-east", "k")
    assert dict(sent[1]["headers"])["x-amz-storage-class"] == "REDUCED_REDUNDANCY"


def test_case_rr_any_region_fails_when_the_store_refuses_rr():
    refusal = b"<Error><Code>InvalidStorageClass</Code><Message>m</Message></Error>"
    with pytest.raises(ApiError):
        _run_any_region(_xml(400, refusal))


def test_case_rr_any_region_fails_when_the_upload_is_reported_standard():
    with pytest.raises(AssertionError, match="REDUCED_REDUNDANCY"):
        _run_any_region(_xml(200, INITIATED), *_observed_as("STANDARD"))


def _error_case(case, body: bytes) -> None:
    client = S3CannedClient(_xml(404, body))
    case(client, EAST, "k", "no-such-upload")


@pytest.mark.parametrize("case", [
    s3_wire.test_error_response_is_xml_error_with_code_and_message,
    s3_wire.test_error_response_has_the_sample_resource_and_request_id,
])
def test_case_error_body_cases_pass_the_documented_sample(case):
    _error_case(case, b"<Error><Code>NoSuchUpload</Code><Message>m</Message><Resource>/b/k</Resource>"
                      b"<RequestId>R</RequestId></Error>")


def test_case_error_body_without_message_fails_code_and_message():
    with pytest.raises(AssertionError, match="Message"):
        _error_case(s3_wire.test_error_response_is_xml_error_with_code_and_message,
                    b"<Error><Code>NoSuchUpload</Code><RequestId>R</RequestId></Error>")


def test_case_error_body_without_resource_passes_code_and_message_fails_the_sample():
    body = (  # what AWS itself answers for NoSuchUpload: no Resource
        b"<Error><Code>NoSuchUpload</Code><Message>m</Message><UploadId>U</UploadId><RequestId>R</RequestId>"
        b"<HostId>H</HostId></Error>"
    )
    _error_case(s3_wire.test_error_response_is_xml_error_with_code_and_message, body)
    with pytest.raises(AssertionError, match="Resource"):
        _error_case(s3_wire.test_error_response_has_the_sample_resource_and_request_id, body)
