"""Signed URLs (Expires / AccessKey / Signature in the query): accepted while valid, rejected once expired
or when a part of the signature is missing."""

from __future__ import annotations

import time

import pytest

from conformance import operations as ops
from conformance import signing as signer
from conformance.cases.support import params, table
from conformance.client import SigningOptions

PRESIGNED = table("signature")["presigned"]
INCOMPLETE = table("signature")["presigned_incomplete"]


def _valid_until() -> int:
    return int(time.time()) + PRESIGNED["valid_for_seconds"]


def _expired_at() -> int:
    return int(time.time()) - PRESIGNED["expired_seconds_ago"]


@pytest.mark.clause("signature.presigned.accepted")
def test_initiate_presigned_url_accepted(jss_client, jss_bucket, jss_key):
    upload = ops.initiate(
        jss_client, jss_bucket.name, jss_key, signing=SigningOptions(presign_expires=_valid_until())
    )

    ops.assert_status(upload, 200)


@pytest.mark.clause("signature.presigned.accepted")
def test_list_uploads_presigned_url_accepted(jss_client, jss_bucket, jss_key):
    listing = ops.list_uploads(
        jss_client, jss_bucket.name, prefix=jss_key, signing=SigningOptions(presign_expires=_valid_until())
    )

    ops.assert_status(listing, 200)


@pytest.mark.clause("signature.presigned.expired")
def test_initiate_presigned_url_expired_rejected(jss_client, jss_bucket, jss_key, jss_expect):
    answer = ops.answer_of(
        ops.initiate,
        jss_client,
        jss_bucket.name,
        jss_key,
        signing=SigningOptions(presign_expires=_expired_at()),
    )

    ops.assert_error(answer, jss_expect["presigned_expired_status"], "ExpiredToken")


@pytest.mark.clause("signature.presigned.expired")
def test_list_uploads_presigned_url_expired_rejected(jss_client, jss_bucket, jss_key, jss_expect):
    answer = ops.answer_of(
        ops.list_uploads,
        jss_client,
        jss_bucket.name,
        prefix=jss_key,
        signing=SigningOptions(presign_expires=_expired_at()),
    )

    ops.assert_error(answer, jss_expect["presigned_expired_status"], "ExpiredToken")


@pytest.mark.clause("signature.presigned.incomplete")
@pytest.mark.parametrize("row", params(INCOMPLETE))
def test_initiate_presigned_url_incomplete_rejected(jss_client, jss_bucket, jss_key, jss_target, row):
    credentials = jss_target.credentials
    expires = _valid_until()
    resource = signer.canonical_resource(jss_bucket.name, jss_key, [("uploads", None)])
    signed = signer.presign("POST", resource, None, credentials.access_key, credentials.secret_key, expires)
    presigned = [
        ("Expires", str(expires)),
        ("AccessKey", credentials.access_key),
        ("Signature", signed.signature),
    ]
    query = [("uploads", None)] + [(name, value) for name, value in presigned if name != row["omit"]]

    response = jss_client.request(
        "POST", jss_bucket.name, jss_key, query=query, signing=SigningOptions(anonymous=True)
    )

    ops.assert_error(response, 400, "InvalidURI")
