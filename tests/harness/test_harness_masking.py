"""Masking never mangles: a secret is masked only as a whole value or token (a message, a header value, a URL
query, an Allure attachment), a secret shorter than 8 characters only in credential fields, with a warning at
run start; an emulator's `test` / `test` credentials leave every "test" word of the output intact."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from harness_helpers import clean_env, reference_endpoint, run_cli, run_pytest

from conformance.catalogue import load_catalogue
from conformance.client import Credentials
from conformance.masking import MASK, mask_secrets, short_secret_warnings

LONG = "LoNg/SeCrEt+0123456789-abcdefghijKLMNOP"
#: pytest's truncated repr keeps a head and a tail of a long string: masked too.
FRAGMENTS = (LONG, quote(LONG, safe=""), quote(LONG, safe="/"), LONG[:8], LONG[-8:])


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"the endpoint refused {LONG}", f"the endpoint refused {MASK}"),
        (f"x-jss-meta-note: token={LONG};v=1", f"x-jss-meta-note: token={MASK};v=1"),
        (f"PUT /b/k?note={quote(LONG, safe='')}&x=1", f"PUT /b/k?note={MASK}&x=1"),
        (f"PUT /b/k?note={quote(LONG, safe='/')}", f"PUT /b/k?note={MASK}"),
        (f"/b/k?a=b%2F{LONG}", f"/b/k?a=b%2F{MASK}"),  # after a percent escape
        ('{"k": "' + LONG.replace("/", "\\/") + '"}', '{"k": "' + MASK + '"}'),
        (f"assert '{LONG[:12]}...{LONG[-12:]}' == 'x'", f"assert '{MASK}...{MASK}' == 'x'"),
        (f"glued x{LONG}y", f"glued x{LONG}y"),  # not a whole token: another word
    ],
    ids=[
        "message", "header-value", "query-encoded", "query-raw", "after-escape", "json", "truncated", "glued",
    ],
)
def test_harness_long_secret_masked_as_a_whole_token(text, masked):
    assert mask_secrets(text, [LONG]) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("@pytest.mark.clause test_complete.py testing", "@pytest.mark.clause test_complete.py testing"),
        ("secret = 'test'", f"secret = '{MASK}'"),
        ("secret_key='test', name='test'", f"secret_key='{MASK}', name='test'"),
        ('{"SecretAccessKey": "test", "user": "test"}', f'{{"SecretAccessKey": "{MASK}", "user": "test"}}'),
        ("HARNESS_SECRET_KEY=test tested", f"HARNESS_SECRET_KEY={MASK} tested"),
        ("secret = 'testing'", "secret = 'testing'"),
    ],
    ids=["words", "local", "repr-field", "json-field", "environment", "longer-value"],
)
def test_harness_short_secret_masked_only_in_credential_fields(text, masked):
    assert mask_secrets(text, ["test"]) == masked


def test_harness_short_secret_warning_names_the_account():
    class Accounts:
        credentials = Credentials("test", "test")
        alt_credentials = Credentials("ALTKEY", LONG)

    assert short_secret_warnings(Accounts()) == [
        "the secret key of account test ([credentials]) is shorter than 8 characters: it is masked only in "
        "the credential fields"
    ]


def _texts(folder: Path) -> dict[str, str]:
    """Every report file under folder/reports, by path."""
    files = [p for p in (folder / "reports").rglob("*") if p.is_file()]
    return {str(p): p.read_text(encoding="utf-8", errors="replace") for p in files}


EMULATOR_USERS = (("emulator", "test", "test"), ("emulator-alt", "test-alt", "test"))
EMULATOR_ENV = {
    "HARNESS_ACCESS_KEY": "test", "HARNESS_SECRET_KEY": "test",
    "HARNESS_ALT_ACCESS_KEY": "test-alt", "HARNESS_ALT_SECRET_KEY": "test",
}
#: Any **** that is not a signature mask (``jingdong test:****``, ``Signature=****``).
NOT_A_SIGNATURE_MASK = re.compile(r"(?<![:=])\*\*\*\*")


@pytest.fixture(scope="module")
def emulator():
    """A reference endpoint whose accounts have an emulator's default secret, `test`, and a deviation that
    fails the abort case (a MUST: its FAIL shows the case's source, @pytest.mark.clause included)."""
    with reference_endpoint(deviations=("abort-returns-200",), users=EMULATOR_USERS) as running:
        yield running


def test_harness_test_credentials_leave_test_words_intact(emulator, tmp_path):
    profile = emulator.profile(tmp_path)

    run = run_cli(
        ["run", "--target", str(profile), "--jss-clause", "abort.response", "-p", "no:cacheprovider"],
        tmp_path, env=clean_env(**EMULATOR_ENV),
    )

    assert run.status == 1, run.stdout[-3000:]
    warnings = [line for line in run.stdout.splitlines() if "shorter than 8 characters" in line]
    assert warnings == [
        f"the secret key of account {key} ({table}) is shorter than 8 characters: it is masked only in the "
        "credential fields" for key, table in (("test", "[credentials]"), ("test-alt", "[alt]"))
    ]
    failed = "test_response_fields.py::test_abort_response_is_204_without_body"
    assert f"FAILED {failed}" in run.stdout and "@pytest.mark.clause" in run.stdout
    assert failed in [case["id"] for case in run.results["cases"]]
    texts = {"stdout": run.stdout, **_texts(tmp_path)}
    assert any("Authorization: jingdong test:****" in text for text in texts.values())  # the attachment
    for where, text in texts.items():
        assert not NOT_A_SIGNATURE_MASK.search(text), (where, NOT_A_SIGNATURE_MASK.search(text))


SHORT_FIELD_CASE = '''
import pytest


@pytest.mark.clause("{clause}")
def test_shows_its_locals(jss_target):
    secret = jss_target.credentials.secret_key
    assert secret == "something else", "the test words of this message stay: test, testing"
'''


def test_harness_short_secret_masked_in_a_shown_local(emulator, tmp_path):
    clause = next(iter(load_catalogue()))
    (tmp_path / "test_short_field.py").write_text(SHORT_FIELD_CASE.format(clause=clause), encoding="utf-8")

    run = run_pytest(
        ["test_short_field.py", "-l", "--jss-target", str(emulator.profile(tmp_path)),
         "--jss-results", "reports/results.json"],
        tmp_path, env=clean_env(**EMULATOR_ENV),
    )

    assert run.status == 1, run.stdout[-3000:]
    assert re.search(r"secret\s+= '\*\*\*\*'", run.stdout), run.stdout[-3000:]
    assert not re.search(r"secret\s+= 'test'", run.stdout)
    assert "the test words of this message stay: test, testing" in run.results["cases"][0]["message"]


LONG_SECRET_CASE = '''
import pytest


@pytest.mark.clause("{clause}")
def test_sends_the_secret(jss_target, jss_client, jss_bucket, jss_key):
    secret = jss_target.credentials.secret_key
    jss_client.request(
        "PUT", jss_bucket.name, jss_key, query=[("note", secret)],
        headers={{"x-jss-meta-note": f"token={{secret}};v=1"}}, body=b"x",
    )
    raise AssertionError(f"the endpoint refused {{secret}}: see the exchange")
'''


def test_harness_long_secret_masked_in_message_header_query_and_attachment(tmp_path):
    users = (("long", "LONGSECRETAK01", LONG), ("long-alt", "LONGSECRETAK02", LONG[::-1]))
    env = clean_env(HARNESS_ACCESS_KEY="LONGSECRETAK01", HARNESS_SECRET_KEY=LONG,
                    HARNESS_ALT_ACCESS_KEY="LONGSECRETAK02", HARNESS_ALT_SECRET_KEY=LONG[::-1])
    clause = next(iter(load_catalogue()))
    (tmp_path / "test_long_secret.py").write_text(LONG_SECRET_CASE.format(clause=clause), encoding="utf-8")
    with reference_endpoint(users=users) as endpoint:
        run = run_pytest(
            ["test_long_secret.py", "-l", "--jss-target", str(endpoint.profile(tmp_path)),
             "--alluredir", "reports/allure-results", "--jss-results", "reports/results.json"],
            tmp_path, env=env,
        )

    assert run.status == 1, run.stdout[-3000:]
    [case] = run.results["cases"]
    assert case["message"].startswith(f"AssertionError: the endpoint refused {MASK}: see the exchange")
    assert f"the endpoint refused {MASK}" in run.stdout
    allure = tmp_path / "reports" / "allure-results"
    [result] = [json.loads(p.read_text()) for p in allure.glob("*-result.json")]
    assert f"the endpoint refused {MASK}" in result["statusDetails"]["message"]
    [attachment] = [a for a in result["attachments"] if a["name"].startswith("exchange ")]
    exchange = (allure / attachment["source"]).read_text(encoding="utf-8")
    assert f"x-jss-meta-note: token={MASK};v=1" in exchange
    assert re.search(rf"^PUT \S+\?note={re.escape(MASK)}$", exchange, re.MULTILINE), exchange[:500]
    for where, text in {"stdout": run.stdout, **_texts(tmp_path)}.items():
        assert not any(fragment in text for fragment in FRAGMENTS), where
