"""The S3 dialect's counterparts of the checks that only make sense in one wire format: a SigV4 (or V2)
signed request accepted, the XML elements of each multipart answer, the XML error body, S3's final ETag
formula, and the SSE header answered back. Their clauses apply to the s3 wire only (fixtures/clauses.toml);
the JSS checks they stand beside are NOT_APPLICABLE against an S3 target, and these against a JSS one."""

from __future__ import annotations

import pytest

from conformance import operations as ops
from conformance.cases.support import params, sized_part, small_part, table, uploaded
from conformance.operations.s3 import (
    ENCRYPTION_HEADER,
    ERROR_REQUIRED,
    ERROR_SAMPLE,
    element_children,
    error_shape_problem,
    xml_root,
)

XML_BODIES = table("response_fields")["xml_body"]
LIFECYCLE = table("lifecycle")


@pytest.mark.clause("signature.s3.accepted")
def test_initiate_signed_with_aws_signature_accepted(jss_client, jss_bucket, jss_key):
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key, storage_class="STANDARD")

    assert upload.response.status_code == 200


def _answer(client, bucket, key, operation):
    """One exchange of `operation`, arranged so that its answer has something to show."""
    if operation == "list-uploads":
        ops.initiate(client, bucket, key)
        return ops.list_uploads(client, bucket, prefix=key).response
    upload, etags = uploaded(client, bucket, key, [(1, small_part())])
    if operation == "initiate":
        return upload.response
    if operation == "list-parts":
        return ops.list_parts(client, bucket, key, upload.upload_id).response
    return ops.complete(client, bucket, key, upload.upload_id, etags).response


@pytest.mark.parametrize("body", params(XML_BODIES))
def test_multipart_response_has_documented_xml_elements(jss_client, jss_bucket, jss_key, body):
    response = _answer(jss_client, jss_bucket.name, jss_key, body["name"])

    root = xml_root(response.content)
    assert root is not None, f"HTTP {response.status_code}: the body is not XML"
    children = element_children(root)
    missing = [name for name in body["elements"] if name not in children]
    for item in children.get(body.get("item", ""), []):
        missing += [f"{body['item']}/{name}" for name in body["items"] if name not in element_children(item)]
    assert (children.root, missing) == (body["root"], []), f"<{children.root}> lacks {missing}"


def _no_such_upload(client, bucket, key):
    return client.request("GET", bucket, key, query=[("uploadId", LIFECYCLE["unknown_upload_id"])])


def _part_number_too_high(client, bucket, key):
    upload = ops.initiate(client, bucket, key)
    query = [("partNumber", str(LIFECYCLE["rejected_part_numbers"][0])), ("uploadId", upload.upload_id)]
    return client.request("PUT", bucket, key, query=query, body=small_part())


#: Error answers whose bodies are inspected.
ERRORS = {"no-such-upload": _no_such_upload, "part-number-too-high": _part_number_too_high}


@pytest.mark.clause("errors.body.code-message")
@pytest.mark.parametrize("error", list(ERRORS))
def test_error_response_is_xml_error_with_code_and_message(jss_client, jss_bucket, jss_key, error):
    response = ERRORS[error](jss_client, jss_bucket.name, jss_key)

    problem = error_shape_problem(response, ERROR_REQUIRED)
    assert response.status_code >= 400 and problem is None, f"HTTP {response.status_code}: {problem}"


@pytest.mark.clause("errors.body.sample-elements")
@pytest.mark.parametrize("error", list(ERRORS))
def test_error_response_has_the_sample_resource_and_request_id(jss_client, jss_bucket, jss_key, error):
    response = ERRORS[error](jss_client, jss_bucket.name, jss_key)

    problem = error_shape_problem(response, ERROR_SAMPLE)
    assert response.status_code >= 400 and problem is None, f"HTTP {response.status_code}: {problem}"


@pytest.mark.clause("complete.etag.s3-formula")
def test_complete_etag_is_md5_of_part_digests_and_count(jss_client, jss_bucket, jss_key, jss_expect):
    upload, etags = uploaded(
        jss_client, jss_bucket.name, jss_key, [(1, sized_part(jss_expect)), (2, small_part())]
    )

    completed = ops.complete(jss_client, jss_bucket.name, jss_key, upload.upload_id, etags)

    assert completed.etag == ops.multipart_etag(jss_client, [etag for _, etag in etags])


@pytest.mark.clause("initiate.encryption.s3-echoed")
def test_initiate_sse_header_answered_back(jss_client, jss_bucket, jss_key):
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key, encryption=True)

    assert upload.response.headers.get(ENCRYPTION_HEADER) == "AES256"
