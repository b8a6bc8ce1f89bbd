"""Access: a caller that does not own the bucket (the profile's second account, or an anonymous client) cannot
initiate in it, list its uploads, upload parts to, list the parts of, complete or abort its uploads, nor read
or overwrite its objects; and a refused request changes nothing of the owner's upload or object.

The rows (operation × caller) are fixtures/cases/access.toml. The owner (the target's account) prepares what
the caller tries on, under the run prefix; the owner cleans up whatever the case created, the caller's
requests included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests

from conformance import operations as ops
from conformance.cases.support import md5_hex, params, payload, table, uploaded
from conformance.client import JssClient

ACCESS = table("access")
CALLERS = ACCESS["callers"]
OPERATIONS = ACCESS["operation"]
NO_SECOND_ACCOUNT = "the target's profile names no second account ([alt]): the alt rows need one"


@dataclass(frozen=True)
class Prepared:
    """What the owner prepared: the key, its bytes (part 1 of the upload, or the object), the upload."""

    key: str
    data: bytes | None = None
    upload_id: str | None = None
    etag: str | None = None


def _owner_bytes() -> bytes:
    return payload(ACCESS["owner_object_bytes"], ACCESS["owner_seed"])


def _caller_bytes() -> bytes:
    return payload(ACCESS["owner_object_bytes"], ACCESS["caller_seed"])


def _nothing(owner: JssClient, bucket: str, key: str) -> Prepared:
    return Prepared(key)


def _upload(owner: JssClient, bucket: str, key: str) -> Prepared:
    data = _owner_bytes()
    upload, [(_, etag)] = uploaded(owner, bucket, key, [(1, data)])
    return Prepared(key, data, upload.upload_id, etag)


def _object(owner: JssClient, bucket: str, key: str) -> Prepared:
    data = _owner_bytes()
    ops.put_object(owner, bucket, key, data)
    return Prepared(key, data)


#: What the owner prepares (the row's `arrange`).
ARRANGE: dict[str, Callable[[JssClient, str, str], Prepared]] = {
    "nothing": _nothing,
    "upload": _upload,
    "object": _object,
}

#: What the caller tries (the row's `name`): an operation (raising ApiError when refused).
ATTEMPTS: dict[str, Callable[[JssClient, str, Prepared], ops.Result]] = {
    "initiate": lambda caller, bucket, p: ops.initiate(caller, bucket, p.key),
    "list-uploads": lambda caller, bucket, p: ops.list_uploads(caller, bucket, prefix=p.key),
    "upload-part": lambda caller, bucket, p: ops.upload_part(
        caller, bucket, p.key, p.upload_id, 1, _caller_bytes()
    ),
    "list-parts": lambda caller, bucket, p: ops.list_parts(caller, bucket, p.key, p.upload_id),
    "complete": lambda caller, bucket, p: ops.complete(caller, bucket, p.key, p.upload_id, [(1, p.etag)]),
    "abort": lambda caller, bucket, p: ops.abort(caller, bucket, p.key, p.upload_id),
    "get-object": lambda caller, bucket, p: ops.get_object(caller, bucket, p.key),
    "put-object": lambda caller, bucket, p: ops.put_object(caller, bucket, p.key, _caller_bytes()),
}


def _caller_client(caller: str, target, client_for, bucket, owner: JssClient) -> JssClient:
    """The caller's tracked client (what it creates is undone by the owner); SKIPPED without [alt]."""
    if caller == "anonymous":
        return client_for(bucket, anonymous=True, cleanup_by=owner)
    if target.alt_credentials is None:
        pytest.skip(NO_SECOND_ACCOUNT)
    return client_for(bucket, target.alt_credentials, cleanup_by=owner)


def _owner_reads_back(owner: JssClient, bucket: str, prepared: Prepared) -> requests.Response:
    """The owner's deciding answer: its upload completed with its own part list (when that fails), else the
    object read back (of the completed upload, or the owner's existing object)."""
    if prepared.upload_id is not None:
        parts = [(1, prepared.etag)]
        completed = ops.answer_of(ops.complete, owner, bucket, prepared.key, prepared.upload_id, parts)
        if not completed.ok:
            return completed
    return ops.answer_of(ops.get_object, owner, bucket, prepared.key)


def _bytes_words(data: bytes) -> str:
    return f"its {len(data)} bytes (MD5 {md5_hex(data)})"


def _content_words(answer: requests.Response) -> str:
    """The bytes of a success answer in words, or what the server answered instead (its exact success
    status is the response-fields family's business)."""
    return _bytes_words(answer.content) if answer.ok else ops.describe(answer)


@pytest.fixture
def prepare(jss_client, jss_bucket, jss_key, jss_tracker):
    """``prepare(arrange) -> Prepared``: the owner's preparation of the case's key; whatever the case leaves
    at that key (uploads, the object) is removed by the owner at cleanup."""
    jss_tracker.clean_key(jss_client, jss_bucket.name, jss_key)
    return lambda arrange: ARRANGE[arrange](jss_client, jss_bucket.name, jss_key)


@pytest.mark.clause("access.refusal.code")
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("row", params(OPERATIONS))
def test_access_refused(jss_target, jss_client, jss_client_for, jss_bucket, jss_expect, prepare, row, caller):
    client = _caller_client(caller, jss_target, jss_client_for, jss_bucket, jss_client)
    prepared = prepare(row["arrange"])

    answer = ops.answer_of(ATTEMPTS[row["name"]], client, jss_bucket.name, prepared)

    with ops.checking(row["clause"]):
        ops.assert_error(answer, 403, None)
    with ops.checking("access.refusal.code"):
        ops.assert_error(answer, 403, jss_expect["access_denied_code"])


@pytest.mark.clause("access.refusal.no-effect")
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("row", params([row for row in OPERATIONS if row["intact"]]))
def test_access_refusal_leaves_owner_intact(
    jss_target, jss_client, jss_client_for, jss_bucket, prepare, row, caller
):
    client = _caller_client(caller, jss_target, jss_client_for, jss_bucket, jss_client)
    prepared = prepare(row["arrange"])
    ops.answer_of(ATTEMPTS[row["name"]], client, jss_bucket.name, prepared)

    answer = _owner_reads_back(jss_client, jss_bucket.name, prepared)

    what = f"after the {caller} {row['name']}, what the owner's {row['arrange']} gives back"
    with ops.checking(row["clause"], "access.refusal.no-effect"):  # an attempt that took effect was let in
        ops.assert_value(what, _content_words(answer), _bytes_words(prepared.data), decided_by=answer)
