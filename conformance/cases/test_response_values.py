"""Response values, not only their shapes: request ids that differ from answer to answer, error bodies that
name the request that failed, and the echoes of the complete and ListParts answers equal to what was sent,
for every key shape; the complete answer's ETag is the object's (what HEAD and GET report later). These are
the checks the oracle mutation run (tools/oracle_mutation/) found missing."""

from __future__ import annotations

import pytest

from conformance import operations as ops
from conformance.cases.support import padded_key, params, small_part, table, uploaded
from conformance.client import SigningOptions

LIFECYCLE = table("lifecycle")
KEY_SHAPES = params(table("keys")["key_shape"])
ANONYMOUS = SigningOptions(anonymous=True)
#: How many times each operation of the request-id round is asked (a repeated value needs two answers).
ROUNDS = 2


def _key_of(make_key, shape) -> str:
    key = make_key(shape["suffix"])
    return padded_key(key, shape["total_bytes"]) if "total_bytes" in shape else key


def _answers_of_every_operation(client, bucket: str, key: str) -> list:
    """One answer of each operation the suite leans on, an error among them, in a realistic order."""
    answers = [ops.put_object(client, bucket, key, small_part()).response]
    answers.append(ops.head_object(client, bucket, key).response)
    answers.append(ops.get_object(client, bucket, key).response)
    answers.append(ops.list_objects(client, bucket, prefix=key).response)
    upload = ops.initiate(client, bucket, key)
    part = ops.upload_part(client, bucket, key, upload.upload_id, 1, small_part(seed=3))
    etags = [(1, part.etag)]
    answers += [upload.response, part.response]
    answers.append(ops.list_parts(client, bucket, key, upload.upload_id).response)
    answers.append(ops.list_uploads(client, bucket, prefix=key).response)
    answers.append(ops.complete(client, bucket, key, upload.upload_id, etags).response)
    answers.append(ops.abort(client, bucket, key, ops.initiate(client, bucket, key).upload_id).response)
    answers.append(ops.delete_object(client, bucket, key).response)
    answers.append(client.request("GET", bucket, key, query=[("uploadId", LIFECYCLE["unknown_upload_id"])]))
    answers.append(ops.list_buckets(client).response)
    return answers


@pytest.mark.clause("multipart.response.request-id.distinct")
def test_multipart_answers_have_distinct_request_ids(jss_client, jss_bucket, jss_make_key):
    header = ops.request_id_header(jss_client)
    answers = []
    for round_number in range(ROUNDS):
        answers += _answers_of_every_operation(jss_client, jss_bucket.name, jss_make_key(f"r{round_number}"))

    ids = [answer.headers.get(header, "") for answer in answers]
    repeated = sorted({i for i in ids if [j.lower() for j in ids].count(i.lower()) > 1})
    assert all(ids) and not repeated, f"{header} repeated across {len(ids)} answers: {repeated or ids}"


def _list_parts_error(client, bucket, key):
    return client.request("GET", bucket, key, query=[("uploadId", LIFECYCLE["unknown_upload_id"])])


def _upload_part_error(client, bucket, key):
    query = [("partNumber", "1"), ("uploadId", LIFECYCLE["unknown_upload_id"])]
    return client.request("PUT", bucket, key, query=query, body=small_part())


def _complete_error(client, bucket, key):
    query, body = [("uploadId", LIFECYCLE["unknown_upload_id"])], ops.complete_body([(1, "0" * 32)])
    return client.request("POST", bucket, key, query=query, body=body)


def _abort_error(client, bucket, key):
    return client.request("DELETE", bucket, key, query=[("uploadId", LIFECYCLE["unknown_upload_id"])])


def _get_error(client, bucket, key):
    return client.request("GET", bucket, key)


def _anonymous_initiate(client, bucket, key):
    return client.request("POST", bucket, key, query=[("uploads", None)], signing=ANONYMOUS)


def _anonymous_put(client, bucket, key):
    return client.request("PUT", bucket, key, body=small_part(), signing=ANONYMOUS)


def _anonymous_list_uploads(client, bucket, key):
    return client.request("GET", bucket, None, query=[("uploads", None), ("prefix", key)], signing=ANONYMOUS)


def _anonymous_list_buckets(client, bucket, key):
    return client.request("GET", signing=ANONYMOUS)


#: Errors of the operations, each asked twice (two keys) so that a repeated value shows: the request, and the
#: resource it names (the key's /bucket/key unless said: a bucket's /bucket, the service's /). The anonymous
#: ones are refused as the documentation's AccessDenied sample is (the resources are private).
KEY_ERRORS = {
    "list-parts": _list_parts_error, "upload-part": _upload_part_error, "complete": _complete_error,
    "abort": _abort_error, "get-missing-key": _get_error, "initiate-anonymous": _anonymous_initiate,
    "put-anonymous": _anonymous_put, "list-uploads-anonymous": _anonymous_list_uploads,
    "list-buckets-anonymous": _anonymous_list_buckets,
}
RESOURCES = {"list-uploads-anonymous": "/{bucket}", "list-buckets-anonymous": "/"}


@pytest.mark.clause("errors.body.names-request")
@pytest.mark.parametrize("error", list(KEY_ERRORS))
def test_error_body_names_the_request_that_failed(jss_client, jss_bucket, jss_make_key, error):
    header = ops.request_id_header(jss_client)
    named = []
    for suffix in ("first", "second"):
        key = jss_make_key(suffix)
        response = KEY_ERRORS[error](jss_client, jss_bucket.name, key)
        document = ops.json_body(response)
        document = document if isinstance(document, dict) else {}
        assert response.status_code >= 400, f"expected an error, got HTTP {response.status_code}"
        resource = RESOURCES.get(error, "/{bucket}/{key}").format(bucket=jss_bucket.name, key=key)
        observed = (document.get("requestId"), document.get("resource"))
        named.append((observed, (response.headers.get(header), resource)))

    for observed, expected in named:
        ops.assert_value("the error body's (requestId, resource)", observed, expected)


def _media_type(response) -> str:
    """The media type of an answer's Content-Type, lowercase, without its parameters ("" when none)."""
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


@pytest.mark.clause("errors.body.content-type")
@pytest.mark.parametrize("error", list(KEY_ERRORS))
def test_error_body_is_labelled_json(jss_client, jss_bucket, jss_key, error):
    response = KEY_ERRORS[error](jss_client, jss_bucket.name, jss_key)

    media_type = _media_type(response)
    ops.assert_value("(an error status, the media type)", (response.status_code >= 400, media_type),
                     (True, "application/json"), response)


#: The listings whose JSON bodies are checked for their label.
LISTINGS = {
    "list-objects": lambda client, bucket, key: ops.list_objects(client, bucket, prefix=key).response,
    "list-buckets": lambda client, bucket, key: ops.list_buckets(client).response,
}


@pytest.mark.clause("listing.response.content-type")
@pytest.mark.parametrize("listing", list(LISTINGS))
def test_list_buckets_and_objects_label_their_json(jss_client, jss_bucket, jss_key, listing):
    response = LISTINGS[listing](jss_client, jss_bucket.name, jss_key)

    media_type = _media_type(response)
    ops.assert_value("the media type", media_type, "application/json", response)


@pytest.mark.clause("complete.response.echo", "complete.response.etag-is-object-etag")
@pytest.mark.parametrize("shape", KEY_SHAPES)
def test_complete_answer_echoes_the_upload_and_names_the_objects_etag(
    jss_client, jss_bucket, jss_make_key, shape
):
    key = _key_of(jss_make_key, shape)
    upload, etags = uploaded(jss_client, jss_bucket.name, key, [(1, small_part(seed=5))])

    completed = ops.complete(jss_client, jss_bucket.name, key, upload.upload_id, etags)

    with ops.checking("complete.response.echo"):
        ops.assert_value(
            "the echoed (Bucket, Key)", (completed.bucket, completed.key), (jss_bucket.name, key), completed
        )
    with ops.checking("complete.response.etag-is-object-etag"):
        head = ops.head_object(jss_client, jss_bucket.name, key)
        read = ops.get_object(jss_client, jss_bucket.name, key)
        ops.assert_value(
            "the ETag of the object (HEAD, GET)", (head.etag, read.etag), (completed.etag, completed.etag),
            completed,
        )


@pytest.mark.clause("list-parts.response.echo")
@pytest.mark.parametrize("shape", KEY_SHAPES)
def test_list_parts_answer_echoes_the_upload(jss_client, jss_bucket, jss_make_key, shape):
    key = _key_of(jss_make_key, shape)
    upload, _ = uploaded(jss_client, jss_bucket.name, key, [(1, small_part(seed=6))])

    listing = ops.list_parts(jss_client, jss_bucket.name, key, upload.upload_id)

    ops.assert_value(
        "the echoed (Bucket, Key, UploadId)", (listing.bucket, listing.key, listing.upload_id),
        (jss_bucket.name, key, upload.upload_id), listing,
    )
