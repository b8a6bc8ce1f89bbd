"""Response JSON fields: exactly the documented fields and types per operation, Bucket/Key echoed exactly,
UploadId unique (also under concurrency), the JSON content type, x-jss-request-id, and error bodies with the
four lowercase keys."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from conformance import operations as ops
from conformance.cases.support import padded_key, params, small_part, table
from conformance.outcomes import NonStrict

RESPONSE_FIELDS = table("response_fields")
JSON_BODIES = RESPONSE_FIELDS["json_body"]
LIFECYCLE = table("lifecycle")
JSON_TYPES = {
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "list": lambda value: isinstance(value, list),
    "string-or-null": lambda value: value is None or isinstance(value, str),
}


def _assert_documented_fields(document, spec, tolerated) -> None:
    """Every documented field present with its type (FAIL otherwise); undocumented ones are NON_STRICT. A
    field of the row's `field_clauses` is a soft check of its own clause; the others are the row's clause."""
    own = spec.get("field_clauses", {})
    checks = ops.Observations()
    for name, clause in own.items():
        with checks.check(clause):
            _assert_field(document, name, spec["fields"][name], "field")
    with checks.check(spec["clause"]):
        _assert_other_fields(document, spec, tolerated, set(own))
    checks.settle()


def _assert_field(document, name: str, kind: str, what: str) -> None:
    assert isinstance(document, dict), f"the body is not a JSON object: {document!r}"
    assert name in document, f"{what} {name!r} is missing (fields: {sorted(document)})"
    assert JSON_TYPES[kind](document[name]), f"{what} {name!r} is not a {kind}: {document[name]!r}"


def _assert_other_fields(document, spec, tolerated, apart: set[str]) -> None:
    assert isinstance(document, dict), f"the body is not a JSON object: {document!r}"
    extra: set[str] = set()
    for name, kind in spec["fields"].items():
        if name not in apart:
            _assert_field(document, name, kind, "field")
    extra |= set(document) - set(spec["fields"])
    for item in next((document[name] for name, kind in spec["fields"].items() if kind == "list"), []):
        assert isinstance(item, dict), f"a list item is not a JSON object: {item!r}"
        for name, kind in spec.get("items", {}).items():
            _assert_field(item, name, kind, "item field")
        extra |= set(item) - set(spec.get("items", {}))
    undocumented = sorted(extra - set(tolerated))
    if undocumented:
        raise NonStrict(f"undocumented fields {undocumented} (not in the target's extra_response_fields)")


def _initiate(client, bucket, key):
    return ops.initiate(client, bucket, key).response


def _upload_part(client, bucket, key):
    upload = ops.initiate(client, bucket, key)
    return ops.upload_part(client, bucket, key, upload.upload_id, 1, small_part()).response


def _complete(client, bucket, key):
    upload = ops.initiate(client, bucket, key)
    part = ops.upload_part(client, bucket, key, upload.upload_id, 1, small_part())
    return ops.complete(client, bucket, key, upload.upload_id, [(1, part.etag)]).response


def _abort(client, bucket, key):
    return ops.abort(client, bucket, key, ops.initiate(client, bucket, key).upload_id).response


def _list_parts(client, bucket, key):
    upload = ops.initiate(client, bucket, key)
    ops.upload_part(client, bucket, key, upload.upload_id, 1, small_part())
    return ops.list_parts(client, bucket, key, upload.upload_id).response


def _list_uploads(client, bucket, key):
    ops.initiate(client, bucket, key)
    return ops.list_uploads(client, bucket, prefix=key).response


def _error(client, bucket, key):
    return client.request("GET", bucket, key, query=[("uploadId", LIFECYCLE["unknown_upload_id"])])


#: One exchange of each operation, arranged so that its answer has something to show.
EXCHANGES = {
    "initiate": _initiate,
    "upload-part": _upload_part,
    "complete": _complete,
    "abort": _abort,
    "list-parts": _list_parts,
    "list-uploads": _list_uploads,
    "error": _error,
}


def _put_object(client, bucket, key):
    return ops.put_object(client, bucket, key, small_part()).response


def _get_object(client, bucket, key):
    ops.put_object(client, bucket, key, small_part())
    return ops.get_object(client, bucket, key).response


def _head_object(client, bucket, key):
    ops.put_object(client, bucket, key, small_part())
    return ops.head_object(client, bucket, key).response


def _delete_object(client, bucket, key):
    ops.put_object(client, bucket, key, small_part())
    return ops.delete_object(client, bucket, key).response


def _list_objects(client, bucket, key):
    ops.put_object(client, bucket, key, small_part())
    return ops.list_objects(client, bucket, prefix=key).response


def _list_buckets(client, bucket, key):
    return ops.list_buckets(client).response


#: The same for the object and bucket operations the suite leans on.
OBJECT_EXCHANGES = {
    "put-object": _put_object,
    "get-object": _get_object,
    "head-object": _head_object,
    "delete-object": _delete_object,
    "list-objects": _list_objects,
    "list-buckets": _list_buckets,
}


@pytest.mark.parametrize("row", params(RESPONSE_FIELDS["multipart_status"]))
def test_multipart_answer_has_documented_success_status(jss_client, jss_bucket, jss_key, row):
    response = EXCHANGES[row["name"]](jss_client, jss_bucket.name, jss_key)

    ops.assert_status(response, row["status"])


@pytest.mark.parametrize("row", params(RESPONSE_FIELDS["object_status"]))
def test_object_and_bucket_answers_have_documented_success_status(jss_client, jss_bucket, jss_key, row):
    response = OBJECT_EXCHANGES[row["name"]](jss_client, jss_bucket.name, jss_key)

    ops.assert_status(response, row["status"])


@pytest.mark.parametrize("body", params(JSON_BODIES))
def test_multipart_response_has_documented_fields(jss_client, jss_bucket, jss_key, jss_expect, body):
    response = EXCHANGES[body["name"]](jss_client, jss_bucket.name, jss_key)

    _assert_documented_fields(response.json(), body, jss_expect["extra_response_fields"])


@pytest.mark.clause("upload-part.response.fields")
def test_upload_part_response_is_empty_with_etag(jss_client, jss_bucket, jss_key):
    response = _upload_part(jss_client, jss_bucket.name, jss_key)

    observed = (response.status_code, response.content, "ETag" in response.headers)
    ops.assert_value("(status, body, has an ETag)", observed, (200, b"", True), decided_by=response)


@pytest.mark.clause("abort.response.fields")
def test_abort_response_is_204_without_body(jss_client, jss_bucket, jss_key):
    response = _abort(jss_client, jss_bucket.name, jss_key)

    ops.assert_value(
        "(status, body)", (response.status_code, response.content), (204, b""), decided_by=response
    )


@pytest.mark.clause("initiate.response.echo")
@pytest.mark.parametrize("shape", params(table("keys")["key_shape"]))
def test_initiate_response_echoes_bucket_and_key(jss_client, jss_bucket, jss_make_key, shape):
    key = jss_make_key(shape["suffix"])
    if "total_bytes" in shape:
        key = padded_key(key, shape["total_bytes"])

    upload = ops.initiate(jss_client, jss_bucket.name, key)

    ops.assert_value(
        "the echoed (Bucket, Key)", (upload.bucket, upload.key), (jss_bucket.name, key), decided_by=upload
    )


@pytest.mark.clause("initiate.upload-id.unique")
def test_initiate_upload_ids_distinct(jss_client, jss_bucket, jss_key):
    count = LIFECYCLE["distinct_upload_count"]

    ids = [ops.initiate(jss_client, jss_bucket.name, jss_key).upload_id for _ in range(count)]

    assert all(isinstance(upload_id, str) and upload_id for upload_id in ids) and len(set(ids)) == count, ids


@pytest.mark.clause("initiate.upload-id.unique")
def test_initiate_concurrent_upload_ids_distinct(jss_client_for, jss_bucket, jss_key):
    count, threads = LIFECYCLE["distinct_upload_count"], LIFECYCLE["concurrent_threads"]
    clients = [jss_client_for(jss_bucket) for _ in range(threads)]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        uploads = pool.map(
            lambda index: ops.initiate(clients[index % threads], jss_bucket.name, jss_key), range(count)
        )
        ids = [upload.upload_id for upload in uploads]

    assert all(isinstance(upload_id, str) and upload_id for upload_id in ids) and len(set(ids)) == count, ids


@pytest.mark.clause("multipart.response.content-type")
@pytest.mark.parametrize("operation", [body["name"] for body in JSON_BODIES])
def test_multipart_response_content_type_is_json(jss_client, jss_bucket, jss_key, operation):
    response = EXCHANGES[operation](jss_client, jss_bucket.name, jss_key)

    media_type, *parameters = [part.strip() for part in response.headers.get("Content-Type", "").split(";")]
    charset = dict(p.lower().split("=", 1) for p in parameters if "=" in p).get("charset")
    sent = response.headers.get("Content-Type")
    assert (media_type.lower(), charset) == ("application/json", "utf-8"), f"Content-Type: {sent}"


@pytest.mark.clause("multipart.response.request-id")
@pytest.mark.parametrize("operation", list(EXCHANGES))
def test_multipart_response_has_request_id(jss_client, jss_bucket, jss_key, operation):
    response = EXCHANGES[operation](jss_client, jss_bucket.name, jss_key)

    header = ops.request_id_header(jss_client)
    assert response.headers.get(header, "").strip(), f"no {header} header"


def _part_request(client, bucket, key, part_number, upload_id):
    query = [("partNumber", str(part_number)), ("uploadId", upload_id)]
    return client.request("PUT", bucket, key, query=query, body=small_part())


def _blank_upload_id(client, bucket, key):
    return _part_request(client, bucket, key, 1, "")


def _too_many_parts(client, bucket, key):
    upload = ops.initiate(client, bucket, key)
    return _part_request(client, bucket, key, LIFECYCLE["rejected_part_numbers"][0], upload.upload_id)


#: Error answers whose bodies are inspected (none depends on the signature rules).
ERRORS = {"no-such-upload": _error, "blank-upload-id": _blank_upload_id, "too-many-parts": _too_many_parts}


@pytest.mark.clause("errors.body.shape")
@pytest.mark.parametrize("error", list(ERRORS))
def test_error_response_body_has_four_lowercase_keys(jss_client, jss_bucket, jss_key, error):
    response = ERRORS[error](jss_client, jss_bucket.name, jss_key)

    document = ops.json_body(response)
    keys = set(document) if isinstance(document, dict) else set()
    assert response.status_code >= 400 and keys >= ops.ERROR_KEYS, f"HTTP {response.status_code}, keys {keys}"
