"""conformance.sigv2 against the examples of AWS's "Signing and authenticating REST requests" page, staged in
fixtures/sigv2/aws-examples.toml: the string to sign and the signature, stage by stage."""

from __future__ import annotations

import tomllib

import pytest

from conformance import sigv2
from conformance.paths import fixtures_dir

EXAMPLES = tomllib.loads((fixtures_dir() / "sigv2" / "aws-examples.toml").read_text(encoding="utf-8"))
CASES = EXAMPLES["case"]


def _string_to_sign(case: dict) -> str:
    resource = sigv2.canonical_resource(case["path"], sigv2.parse_query(case["query"]), case["bucket"])
    headers = [tuple(pair) for pair in case["headers"]]
    return sigv2.string_to_sign(case["method"], headers, resource, case.get("expires"))


def test_sigv2_examples_cover_header_and_presigned():
    assert len(CASES) >= 6
    assert any("expires" in case for case in CASES) and any("expires" not in case for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_sigv2_string_to_sign_is_the_pages(case):
    assert _string_to_sign(case) == case["string_to_sign"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_sigv2_signature_is_the_pages(case):
    assert sigv2.signature(EXAMPLES["secret_key"], _string_to_sign(case)) == case["signature"]


def test_sigv2_authorization_header_round_trips():
    value = sigv2.authorization_header(EXAMPLES["access_key"], CASES[0]["signature"])
    assert value == f"AWS {EXAMPLES['access_key']}:{CASES[0]['signature']}"
    assert sigv2.parse_authorization(value) == (EXAMPLES["access_key"], CASES[0]["signature"])


@pytest.mark.parametrize(
    "value", ["AWS4-HMAC-SHA256 x", "AWS nocolon", "AWS :sig", "AWS key:", "jingdong a:b"]
)
def test_sigv2_parse_authorization_refuses_other_forms(value):
    with pytest.raises(ValueError):
        sigv2.parse_authorization(value)


def test_sigv2_presigned_query_encodes_the_signature():
    query = sigv2.presigned_query("AKID", 1175139620, "NpgCjnDzrM+WFzoENXmpNDUsSn8=")
    assert query == "AWSAccessKeyId=AKID&Expires=1175139620&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D"
