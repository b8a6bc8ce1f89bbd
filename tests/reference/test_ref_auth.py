"""Authentication of the reference endpoint: header signatures, presigned URLs, users and ownership."""

from __future__ import annotations

import time

import requests
from ref_helpers import ALICE, BOB, NORTH, RefUser, assert_error, target_of

from conformance import signing


def test_signed_request_is_accepted(api, north_bucket, key):
    api.put(north_bucket, key, b"hello")
    assert api.call("GET", north_bucket, key).content == b"hello"


def test_wrong_secret_is_signature_does_not_match(api, north_bucket):
    impostor = RefUser(ALICE.name, ALICE.access_key, "not-the-secret")
    assert_error(api.call("GET", north_bucket, user=impostor), 403, "SignatureDoesNotMatch")


def test_signature_covers_x_jss_headers(api, north_bucket, key):
    target = target_of(north_bucket, key)
    signed_headers = {"Date": signing.http_date(), "x-jss-storage-class": "STANDARD"}
    signed = signing.sign_request(
        "PUT", signing.resource_from_target(target), signed_headers, ALICE.access_key, ALICE.secret_key
    )
    sent = {
        **signed_headers,
        "x-jss-storage-class": "REDUCED_REDUNDANCY",
        "Authorization": signed.authorization,
    }
    response = requests.put(api.url() + target, headers=sent, data=b"x")
    assert_error(response, 403, "SignatureDoesNotMatch")


def test_unknown_access_key_is_invalid_access_key(api, north_bucket):
    stranger = RefUser("nobody", "AKUNKNOWN", "whatever")
    assert_error(api.call("GET", north_bucket, user=stranger), 403, "InvalidAccessKey")


def test_malformed_authorization_is_invalid_token(api, north_bucket):
    for value in (
        "jingdong",
        "jingdong AK-without-colon",
        "AWS AKALICE:sig",
        "jingdong :sig",
        "jingdong a:b c",
    ):
        response = requests.get(
            api.url() + f"/{north_bucket}", headers={"Date": signing.http_date(), "Authorization": value}
        )
        assert_error(response, 400, "InvalidToken")


def test_date_16_minutes_off_is_request_time_too_skewed(api, north_bucket):
    for offset in (16 * 60, -16 * 60):
        response = api.call("GET", north_bucket, date=signing.http_date(time.time() + offset))
        assert_error(response, 403, "RequestTimeTooSkewed")


def test_date_14_minutes_off_is_accepted(api, north_bucket):
    for offset in (14 * 60, -14 * 60):
        response = api.call("GET", north_bucket, date=signing.http_date(time.time() + offset))
        assert response.status_code == 200, response.text


def test_missing_or_unparsable_date_is_access_denied(api, north_bucket):
    assert_error(api.call("GET", north_bucket, date="yesterday"), 403, "AccessDenied")


def test_signed_request_without_date_is_access_denied(api, north_bucket):
    # signed over an empty Date line, and sent without any Date header
    resource = signing.resource_from_target(target_of(north_bucket, None))
    signed = signing.sign_request("GET", resource, {}, ALICE.access_key, ALICE.secret_key, date="")
    headers = {"Authorization": signed.authorization}
    response = requests.get(api.url() + target_of(north_bucket, None), headers=headers)
    assert_error(response, 403, "AccessDenied")


def test_anonymous_list_buckets_is_access_denied(api):
    response = requests.get(api.url() + "/")
    assert_error(response, 403, "AccessDenied")


def test_anonymous_object_read_is_access_denied(api, north_bucket, key):
    api.put(north_bucket, key, b"private")
    assert_error(requests.get(api.url() + target_of(north_bucket, key)), 403, "AccessDenied")


def test_another_users_bucket_is_access_denied(api, north_bucket, key):
    api.put(north_bucket, key, b"alice's")
    assert_error(api.call("GET", north_bucket, key, user=BOB), 403, "AccessDenied")
    assert_error(api.call("PUT", north_bucket, key, data=b"bob's", user=BOB), 403, "AccessDenied")
    assert_error(api.call("POST", north_bucket, key, "uploads", user=BOB), 403, "AccessDenied")
    assert_error(api.call("GET", north_bucket, query="uploads", user=BOB), 403, "AccessDenied")


def test_presigned_get_is_accepted(api, north_bucket, key):
    api.put(north_bucket, key, b"shared")
    response = requests.get(api.presigned_url("GET", north_bucket, key, int(time.time()) + 300))
    assert response.status_code == 200
    assert response.content == b"shared"


def test_presigned_put_is_accepted(api, north_bucket, key):
    response = requests.put(api.presigned_url("PUT", north_bucket, key, int(time.time()) + 300), data=b"up")
    assert response.status_code == 200, response.text
    assert api.call("GET", north_bucket, key).content == b"up"


def test_presigned_url_past_expires_is_expired_token(api, north_bucket, key):
    response = requests.get(api.presigned_url("GET", north_bucket, key, int(time.time()) - 5))
    assert_error(response, 400, "ExpiredToken")


def test_presigned_url_with_wrong_signature_is_signature_does_not_match(api, north_bucket, key):
    api.put(north_bucket, key, b"x")
    url = api.presigned_url("GET", north_bucket, key, int(time.time()) + 300)
    assert_error(requests.get(url.replace("Signature=", "Signature=AA")), 403, "SignatureDoesNotMatch")


def test_presigned_url_without_signature_or_access_key_is_invalid_uri(api, north_bucket, key):
    url = api.url() + target_of(north_bucket, key)
    expires = int(time.time()) + 300
    assert_error(requests.get(f"{url}?Expires={expires}&AccessKey={ALICE.access_key}"), 400, "InvalidURI")
    assert_error(requests.get(f"{url}?Expires={expires}&Signature=abc"), 400, "InvalidURI")
    assert_error(requests.get(f"{url}?AccessKey={ALICE.access_key}&Signature=abc"), 400, "InvalidURI")


def test_presigned_url_with_a_non_numeric_expires_is_invalid_uri(api, north_bucket, key):
    url = api.url() + target_of(north_bucket, key)
    for expires in ("soon", "12x"):
        response = requests.get(f"{url}?Expires={expires}&AccessKey={ALICE.access_key}&Signature=abc")
        assert_error(response, 400, "InvalidURI")


def test_presigned_url_with_unknown_access_key_is_invalid_access_key(api, north_bucket, key):
    url = api.url() + target_of(north_bucket, key)
    response = requests.get(f"{url}?Expires={int(time.time()) + 300}&AccessKey=AKNOPE&Signature=abc")
    assert_error(response, 403, "InvalidAccessKey")


def test_header_and_url_signature_together_are_refused(api, north_bucket, key):
    url = api.presigned_url("GET", north_bucket, key, int(time.time()) + 300)
    response = requests.get(url, headers={"Authorization": "jingdong AKALICE0000000001:abc"})
    assert_error(response, 400, "InvalidArgument")


def test_subresources_are_signed_sorted_whatever_the_sent_order(api, north_bucket, key):
    upload_id = api.initiate(north_bucket, key)
    response = api.call("PUT", north_bucket, key, f"uploadId={upload_id}&partNumber=1", data=b"part")
    assert response.status_code == 200, response.text


def test_virtual_host_request_signs_bucket_in_resource(api, north_bucket, key):
    response = api.call("PUT", north_bucket, key, data=b"vhost", virtual_host=True)
    assert response.status_code == 200, response.text
    assert api.call("GET", north_bucket, key).content == b"vhost"
    listing = api.call("GET", north_bucket, virtual_host=True, query="prefix=" + key)
    assert [c["Key"] for c in listing.json()["Contents"]] == [key]


def test_user_from_credentials_file_sees_only_own_buckets(api, north_bucket):
    bobs = api.create_bucket(NORTH, user=BOB)
    alice_names = {b["Name"] for b in api.call("GET").json()["Buckets"]}
    bob_names = {b["Name"] for b in api.call("GET", user=BOB).json()["Buckets"]}
    assert north_bucket in alice_names and bobs not in alice_names
    assert bobs in bob_names and north_bucket not in bob_names
