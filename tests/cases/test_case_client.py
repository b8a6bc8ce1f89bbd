"""Unit tests of conformance.client against a loopback recording server: what goes on the wire, the deliberate
mis-signing options, the masked exchange and the outcomes raised (retries: test_case_client_retries.py)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from freezegun import freeze_time

from conformance import signing as signer
from conformance.client import Credentials, JssClient, SigningOptions
from conformance.outcomes import NotImplementedByTarget

AK, SK = "CASEUNITACCESSKEY", "case-unit-secret-key-never-shown"
BUCKET, KEY = "bkt", "dir/ünï cödé?.bin"


def _client(server, **kwargs) -> JssClient:
    return JssClient(server.url, Credentials(AK, SK), **kwargs)


def _header(recorded, name: str) -> str | None:
    return next((value for key, value in recorded.headers if key.lower() == name.lower()), None)


def _sent_signature(recorded) -> str:
    return signer.parse_authorization(_header(recorded, "Authorization"))[1]


def _expected_signature(recorded, resource: str, secret: str = SK, canonical: str | None = None) -> str:
    headers = recorded.headers
    sts = signer.string_to_sign(
        recorded.method,
        signer.header_value(headers, "Content-MD5"),
        signer.header_value(headers, "Content-Type"),
        signer.header_value(headers, "Date"),
        signer.canonical_headers(headers) if canonical is None else canonical,
        resource,
    )
    return signer.signature(secret, sts)


def test_credentials_repr_hides_the_secret():
    assert SK not in repr(Credentials(AK, SK))


def test_request_signed_per_rules(recording_server):
    _client(recording_server).request(
        "POST", BUCKET, KEY, query=[("uploads", None)], headers={"x-jss-a": "1"}
    )

    recorded = recording_server.requests[0]
    resource = signer.canonical_resource(BUCKET, KEY, [("uploads", None)])
    assert _sent_signature(recorded) == _expected_signature(recorded, resource)


def test_request_key_percent_encoded_utf8_and_query_order_kept(recording_server):
    query = [("uploadId", "X"), ("partNumber", "2")]

    _client(recording_server).request("PUT", BUCKET, KEY, query=query, body=b"data")

    assert (
        recording_server.requests[0].target
        == "/bkt/dir/%C3%BCn%C3%AF%20c%C3%B6d%C3%A9%3F.bin?uploadId=X&partNumber=2"
    )


def test_request_virtual_host_leaves_bucket_out_of_path(recording_server):
    _client(recording_server).request(
        "POST", BUCKET, "k", query=[("uploads", None)], host="bkt.jss.localhost:9"
    )

    recorded = recording_server.requests[0]
    assert (recorded.target, _header(recorded, "Host")) == ("/k?uploads", "bkt.jss.localhost:9")
    assert _sent_signature(recorded) == _expected_signature(recorded, "/bkt/k?uploads")


def test_request_repeated_header_sent_twice(recording_server):
    _client(recording_server).request("GET", BUCKET, headers=[("x-jss-meta-a", "1"), ("x-jss-meta-a", "2")])

    assert [v for k, v in recording_server.requests[0].headers if k.lower() == "x-jss-meta-a"] == ["1", "2"]


def test_request_date_follows_the_client_clock(recording_server):
    with freeze_time("2017-07-13 02:37:31", tick=True):
        _client(recording_server).request("GET", BUCKET)

    assert _header(recording_server.requests[0], "Date").startswith("Thu, 13 Jul 2017 02:37:3")


@pytest.mark.parametrize(
    "options, wanted",
    [
        pytest.param(SigningOptions(resource="/bkt/k"), {"resource": "/bkt/k"}, id="resource"),
        pytest.param(
            SigningOptions(canonical_headers="x-jss-b:2\nx-jss-a:1\n"),
            {"canonical": "x-jss-b:2\nx-jss-a:1\n"},
            id="canonical-headers",
        ),
        pytest.param(SigningOptions(secret_key="wrong-secret"), {"secret": "wrong-secret"}, id="secret-key"),
    ],
)
def test_signing_options_sign_the_wrong_thing(recording_server, options, wanted):
    headers = {"x-jss-a": "1", "x-jss-b": "2"}

    _client(recording_server).request(
        "POST", BUCKET, "k", query=[("uploads", None)], headers=headers, signing=options
    )

    recorded = recording_server.requests[0]
    resource = wanted.get("resource", "/bkt/k?uploads")
    expected = _expected_signature(recorded, resource, wanted.get("secret", SK), wanted.get("canonical"))
    assert _sent_signature(recorded) == expected != _expected_signature(recorded, "/bkt/k?uploads")


def test_signing_options_access_key_announced(recording_server):
    _client(recording_server).request("GET", BUCKET, signing=SigningOptions(access_key="OTHERKEY"))

    assert signer.parse_authorization(_header(recording_server.requests[0], "Authorization"))[0] == "OTHERKEY"


def test_signing_options_raw_authorization_sent(recording_server):
    _client(recording_server).request("GET", BUCKET, signing=SigningOptions(authorization="jingdong broken"))

    assert _header(recording_server.requests[0], "Authorization") == "jingdong broken"


def test_signing_options_date_sent_and_signed(recording_server):
    date = "Wed, 12 Jul 2017 07:45:27 GMT"

    _client(recording_server).request("GET", BUCKET, signing=SigningOptions(date=date))

    recorded = recording_server.requests[0]
    assert _header(recorded, "Date") == date and _sent_signature(recorded) == _expected_signature(
        recorded, "/bkt"
    )


def test_signing_options_anonymous_sends_no_authorization(recording_server):
    _client(recording_server).request("GET", signing=SigningOptions(anonymous=True))

    assert _header(recording_server.requests[0], "Authorization") is None


def test_signing_options_presigned_url(recording_server):
    expires = 1700000000

    _client(recording_server).request("GET", BUCKET, "k", signing=SigningOptions(presign_expires=expires))

    recorded = recording_server.requests[0]
    query = dict(parse_qsl(urlsplit(recorded.target).query))
    expected = signer.signature(SK, signer.string_to_sign("GET", "", "", str(expires), "", "/bkt/k"))
    assert (query, _header(recorded, "Authorization")) == (
        {"Expires": str(expires), "AccessKey": AK, "Signature": expected},
        None,
    )


def test_exchange_render_masks_signature_and_never_shows_secret(recording_server):
    recording_server.answer = (200, [], b'{"echo": "jingdong %s"}' % AK.encode())
    client = _client(recording_server)

    header_signed = client.request("POST", BUCKET, "k", query=[("uploads", None)])
    url_signed = client.request("GET", BUCKET, "k", signing=SigningOptions(presign_expires=1700000000))

    for response in (header_signed, url_signed):
        text = response.exchange.render()
        signature = dict(parse_qsl(urlsplit(response.exchange.url).query)).get(
            "Signature"
        ) or _sent_signature(recording_server.requests[0])
        assert SK not in text and signature not in text and "****" in text


def test_exchange_render_masks_authorization_as_access_key_and_stars(recording_server):
    response = _client(recording_server).request("GET", BUCKET)

    assert f"Authorization: jingdong {AK}:****" in response.exchange.render()


def test_listeners_receive_every_exchange(recording_server):
    client = _client(recording_server)
    seen = []
    client.listeners.append(seen.append)

    response = client.request("GET", BUCKET)

    assert seen == [response.exchange] and seen[0].status == 200


def test_status_501_raises_not_implemented(recording_server):
    recording_server.answer = (501, [], b"")

    with pytest.raises(NotImplementedByTarget):
        _client(recording_server).request("GET", BUCKET)


