"""Signature canonicalization, live: requests signed per the rules are accepted, mis-signed ones rejected.

The initiate request is the subject (its ``?uploads`` sub-resource is the seed's own signature rule); the
deliberate mistakes go through :class:`conformance.client.SigningOptions`.
"""

from __future__ import annotations

import datetime
from urllib.parse import quote

import pytest
from freezegun import freeze_time

from conformance import operations as ops
from conformance import signing as signer
from conformance.cases.support import md5_hex, params, small_part, table, virtual_host
from conformance.client import SigningOptions

SIGNATURE = table("signature")
VARIANTS = SIGNATURE["signing_variants"]


@pytest.mark.clause("signature.header.accepted")
def test_initiate_signed_per_rules_accepted(jss_client, jss_bucket, jss_key):
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key, storage_class="STANDARD", encryption=False)

    ops.assert_status(upload, 200)


@pytest.mark.clause("initiate.signature.uploads-subresource", "signature.wrong-signature")
def test_initiate_signed_without_uploads_subresource_rejected(jss_client, jss_bucket, jss_key):
    signing = SigningOptions(resource=signer.canonical_resource(jss_bucket.name, jss_key))

    answer = ops.answer_of(ops.initiate, jss_client, jss_bucket.name, jss_key, signing=signing)

    with ops.checking("initiate.signature.uploads-subresource", "signature.wrong-signature"):
        ops.assert_error(answer, 403, "SignatureDoesNotMatch")


@pytest.mark.clause("signature.wrong-signature")
@pytest.mark.parametrize("row", params(SIGNATURE["wrong_canonical_headers"]))
def test_initiate_signed_with_wrong_canonical_headers_rejected(jss_client, jss_bucket, jss_key, row):
    headers = row["headers"]
    assert row["signed"] != signer.canonical_headers(list(headers.items())), "the table row is not wrong"

    answer = ops.answer_of(
        ops.initiate,
        jss_client,
        jss_bucket.name,
        jss_key,
        headers=headers,
        signing=SigningOptions(canonical_headers=row["signed"]),
    )

    with ops.checking(row["clause"], "signature.wrong-signature"):
        ops.assert_error(answer, 403, "SignatureDoesNotMatch")


@pytest.mark.clause("signature.canonical-headers.lowercase")
def test_initiate_mixed_case_header_name_accepted(jss_client, jss_bucket, jss_key):
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key, headers={"X-JSS-Storage-Class": "STANDARD"})

    ops.assert_status(upload, 200)


@pytest.mark.clause("signature.canonical-headers.duplicates")
def test_initiate_repeated_jss_header_accepted(jss_client, jss_bucket, jss_key, jss_expect):
    name, values = VARIANTS["duplicate_header"], VARIANTS["duplicate_values"]
    joined = f"{name}:{jss_expect['duplicate_header_join'].join(values)}\n"

    response = jss_client.request(
        "POST",
        jss_bucket.name,
        jss_key,
        query=[("uploads", None)],
        headers=[(name, value) for value in values],
        signing=SigningOptions(canonical_headers=joined),
    )

    ops.assert_status(response, 200)


@pytest.mark.clause("signature.canonical-resource.virtual-host")
def test_initiate_virtual_host_signed_with_bucket_accepted(jss_client, jss_bucket, jss_key, jss_expect):
    host = virtual_host(jss_bucket.name, jss_bucket.endpoint, jss_expect)

    upload = ops.initiate(jss_client, jss_bucket.name, jss_key, host=host)

    ops.assert_status(upload, 200)


@pytest.mark.clause("signature.canonical-resource.virtual-host", "signature.wrong-signature")
def test_initiate_virtual_host_signed_without_bucket_rejected(jss_client, jss_bucket, jss_key, jss_expect):
    host = virtual_host(jss_bucket.name, jss_bucket.endpoint, jss_expect)
    without_bucket = SigningOptions(resource=f"/{jss_key}?uploads")

    answer = ops.answer_of(
        ops.initiate, jss_client, jss_bucket.name, jss_key, host=host, signing=without_bucket
    )

    with ops.checking("signature.canonical-resource.virtual-host", "signature.wrong-signature"):
        ops.assert_error(answer, 403, "SignatureDoesNotMatch")


@pytest.mark.clause("signature.canonical-resource.key-form")
def test_initiate_utf8_key_signed_in_expected_form_accepted(jss_client, jss_bucket, jss_make_key, jss_expect):
    key = jss_make_key(VARIANTS["utf8_key_suffix"])
    signed_key = key if jss_expect["resource_key_form"] == "decoded" else quote(key, safe="/")
    resource = signer.canonical_resource(jss_bucket.name, signed_key, [("uploads", None)])

    upload = ops.initiate(jss_client, jss_bucket.name, key, signing=SigningOptions(resource=resource))

    ops.assert_status(upload, 200)


@pytest.mark.clause("signature.subresource-order")
@pytest.mark.parametrize("upload_id_first", [False, True], ids=["partNumber-first", "uploadId-first"])
def test_upload_part_query_order_accepted(jss_client, jss_bucket, jss_key, jss_expect, upload_id_first):
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key)
    sent = [("partNumber", "1"), ("uploadId", upload.upload_id)][:: -1 if upload_id_first else 1]
    signed = sent if jss_expect["subresource_order"] == "as-sent" else sorted(sent)
    resource = f"/{jss_bucket.name}/{jss_key}?" + "&".join(f"{k}={v}" for k, v in signed)

    part = ops.upload_part(
        jss_client,
        jss_bucket.name,
        jss_key,
        upload.upload_id,
        1,
        small_part(),
        upload_id_first=upload_id_first,
        signing=SigningOptions(resource=resource),
    )

    ops.assert_status(part, 200)


@pytest.mark.clause("signature.canonical-resource.documented-subresources", "signature.wrong-signature")
def test_list_parts_unsigned_query_left_out_of_the_signature(jss_client, jss_bucket, jss_key):
    arguments = SIGNATURE["unsigned_query"]["list_parts"]
    bucket = jss_bucket.name
    upload_id = ops.initiate(jss_client, bucket, jss_key).upload_id
    sent = [("uploadId", upload_id), *((k.replace("_", "-"), str(v)) for k, v in arguments.items())]
    everything_signed = signer.canonical_resource(bucket, jss_key) + "?" + "&".join(
        f"{k}={v}" for k, v in sorted(sent)
    )

    refused = ops.answer_of(
        ops.list_parts, jss_client, bucket, jss_key, upload_id, **arguments,
        signing=SigningOptions(resource=everything_signed),
    )

    with ops.checking("signature.canonical-resource.documented-subresources"):
        ops.list_parts(jss_client, bucket, jss_key, upload_id, **arguments)  # signed without them: any 2xx
    with ops.checking("signature.canonical-resource.documented-subresources", "signature.wrong-signature"):
        ops.assert_error(refused, 403, "SignatureDoesNotMatch")


@pytest.mark.clause("signature.wrong-signature")
def test_initiate_signed_with_wrong_secret_rejected(jss_client, jss_bucket, jss_key, jss_target):
    wrong_secret = jss_target.credentials.secret_key[::-1] + "x"

    answer = ops.answer_of(
        ops.initiate, jss_client, jss_bucket.name, jss_key, signing=SigningOptions(secret_key=wrong_secret)
    )

    ops.assert_error(answer, 403, "SignatureDoesNotMatch")


@pytest.mark.clause("signature.unknown-access-key")
def test_initiate_unknown_access_key_rejected(jss_client, jss_bucket, jss_key, jss_target):
    unknown = "UNKNOWN" + jss_target.credentials.access_key[::-1]

    answer = ops.answer_of(
        ops.initiate, jss_client, jss_bucket.name, jss_key, signing=SigningOptions(access_key=unknown)
    )

    ops.assert_error(answer, 403, "InvalidAccessKey")


@pytest.mark.clause("signature.malformed-authorization")
@pytest.mark.parametrize("row", params(SIGNATURE["malformed_authorization"]))
def test_initiate_malformed_authorization_rejected(jss_client, jss_bucket, jss_key, jss_target, row):
    value = row["value"].format(access_key=jss_target.credentials.access_key)

    answer = ops.answer_of(
        ops.initiate, jss_client, jss_bucket.name, jss_key, signing=SigningOptions(authorization=value)
    )

    ops.assert_error(answer, 400, "InvalidToken")


@pytest.mark.clause("signature.date-skew")
@pytest.mark.parametrize("minutes", SIGNATURE["date_skew"]["accepted_minutes"], ids=lambda m: f"{m:+d}min")
def test_initiate_date_within_15_minutes_accepted(jss_client, jss_bucket, jss_key, minutes):
    with freeze_time(datetime.timedelta(minutes=minutes), tick=True):
        upload = ops.initiate(jss_client, jss_bucket.name, jss_key)

    ops.assert_status(upload, 200)


@pytest.mark.clause("signature.date-skew")
@pytest.mark.parametrize("minutes", SIGNATURE["date_skew"]["rejected_minutes"], ids=lambda m: f"{m:+d}min")
def test_initiate_date_beyond_15_minutes_rejected(jss_client, jss_bucket, jss_key, minutes):
    with freeze_time(datetime.timedelta(minutes=minutes), tick=True):
        answer = ops.answer_of(ops.initiate, jss_client, jss_bucket.name, jss_key)

    ops.assert_error(answer, 403, "RequestTimeTooSkewed")


@pytest.mark.clause("signature.date-required")
def test_initiate_signed_without_date_rejected(jss_client, jss_bucket, jss_key, jss_expect):
    answer = ops.answer_of(
        ops.initiate, jss_client, jss_bucket.name, jss_key, signing=SigningOptions(omit_date=True)
    )

    ops.assert_error(answer, jss_expect["missing_date_status"], jss_expect["missing_date_code"])


@pytest.mark.clause("signature.content-md5.hex")
def test_upload_part_signed_hex_content_md5_accepted(jss_client, jss_bucket, jss_key):
    upload = ops.initiate(jss_client, jss_bucket.name, jss_key)
    data = small_part()
    headers = {"Content-MD5": md5_hex(data)}

    part = ops.upload_part(jss_client, jss_bucket.name, jss_key, upload.upload_id, 1, data, headers=headers)

    ops.assert_status(part, 200)


@pytest.mark.clause("service.anonymous-denied")
def test_list_buckets_anonymous_rejected(jss_client):
    response = jss_client.request("GET", signing=SigningOptions(anonymous=True))

    ops.assert_error(response, 403, "AccessDenied")
