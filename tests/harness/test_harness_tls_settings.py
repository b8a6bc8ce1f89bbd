"""conformance.tls without a server: which CA verifies an endpoint (profile, then REQUESTS_CA_BUNDLE,
CURL_CA_BUNDLE, SSL_CERT_FILE, SSL_CERT_DIR, then certifi), the client certificate, the [tls] table's paths
and the settings' way to the workers; and how an exchange without an answer reads in a failure report."""

from __future__ import annotations

import pytest
import requests

from conformance.exchange import Exchange
from conformance.harness.explain import exchange_line
from conformance.target import ProfileError, Target, load_profile
from conformance.tls import CA_VARIABLES, TlsSettings, new_session, verify_setting

PROFILE = """name = "t"
endpoint = "https://127.0.0.1:9"
dialect = "jss"
[credentials]
access_key_env = "T_AK"
secret_key_env = "T_SK"
[[buckets]]
name = "bkt-one"
region = "cn-north-1"
"""
ENV = {"T_AK": "AK", "T_SK": "SK"}


@pytest.fixture
def no_ca_variables(monkeypatch):
    for name in CA_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("winner", CA_VARIABLES)
def test_harness_the_first_ca_variable_set_wins(no_ca_variables, tmp_path, winner):
    later = CA_VARIABLES[CA_VARIABLES.index(winner):]
    for name in later:
        no_ca_variables.setenv(name, str(tmp_path / f"{name}.pem"))

    assert new_session().verify == str(tmp_path / f"{winner}.pem")


def test_harness_the_profiles_ca_beats_the_variables(no_ca_variables, tmp_path):
    no_ca_variables.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "env.pem"))

    session = new_session(TlsSettings(ca_bundle=str(tmp_path / "profile.pem")))

    assert session.verify == str(tmp_path / "profile.pem")


def test_harness_without_a_ca_certifi_verifies_and_no_environment_is_read_when_told_so(no_ca_variables):
    assert new_session().verify is True
    session = requests.Session()
    session.trust_env = False
    no_ca_variables.setenv("REQUESTS_CA_BUNDLE", "/somewhere.pem")
    no_ca_variables.setenv("SSL_CERT_FILE", "/elsewhere.pem")
    assert verify_setting(TlsSettings(), session) is True


def test_harness_client_certificate_as_requests_takes_it():
    assert TlsSettings().cert is None
    assert TlsSettings(client_cert="/c.pem").cert == "/c.pem"
    assert new_session(TlsSettings(client_cert="/c.pem", client_key="/k.pem")).cert == ("/c.pem", "/k.pem")


def test_harness_tls_paths_are_taken_from_the_profiles_folder_and_reach_the_workers(tmp_path):
    (tmp_path / "certs").mkdir()
    for name in ("ca.pem", "client.pem", "client-key.pem"):
        (tmp_path / "certs" / name).write_text("pem\n", encoding="utf-8")
    path = tmp_path / "t.toml"
    tls = ["[tls]", 'ca_bundle = "certs/ca.pem"', 'client_cert = "certs/client.pem"',
           'client_key = "certs/client-key.pem"']
    path.write_text(PROFILE + "\n".join(tls) + "\n", encoding="utf-8")

    target = load_profile(path, ENV)

    folder = (tmp_path / "certs").resolve()
    files = (str(folder / name) for name in ("ca.pem", "client.pem", "client-key.pem"))
    assert target.tls == TlsSettings(*files)
    assert Target.from_payload(target.to_payload()).tls == target.tls


def test_harness_an_embedded_profile_has_no_tls_table(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text('dialect = "jss"\nembedded = true\n[[buckets]]\nname = "bkt-one"\nregion = "cn-north-1"\n'
                    '[tls]\nca_bundle = "ca.pem"\n', encoding="utf-8")

    with pytest.raises(ProfileError, match="'tls'"):
        load_profile(path, ENV)


def test_harness_an_exchange_without_an_answer_says_why_and_whether_it_was_sent_again():
    request = {"method": "POST", "url": "http://h/b/k?uploads", "request_headers": [], "request_body_size": 0,
               "string_to_sign": None}
    lost = Exchange(**request, error="ConnectionError: reset", resent=True)
    answered = Exchange(**request, status=200)

    assert exchange_line(lost) == (
        "POST /b/k?uploads -> no response: ConnectionError: reset (a stale keep-alive connection: sent again)"
    )
    assert exchange_line(answered) == "POST /b/k?uploads -> 200 OK"
    assert "--- response: no response: ConnectionError: reset (a stale" in lost.render()
