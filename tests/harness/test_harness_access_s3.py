"""The access family over the s3 wire: against a stub S3 endpoint that refuses anonymous requests (403
AccessDenied, an XML <Error>) its anonymous rows PASS; against the same stub letting them through (answered
200, as if the owner had sent them) each of them FAILs and the run exits 1. So every S3 access check can
fail, though the embedded endpoint speaks JSS only."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness_helpers import clean_env, run_cli
from s3_stub import stub_s3

from conformance import operations as ops
from conformance.cases.support import table
from conformance.client import Credentials
from conformance.client_s3 import S3Client

BUCKET = "stub-bucket"
ANONYMOUS_ROWS = ("--jss-family", "access", "-k", "anonymous", "-p", "no:cacheprovider")
OPERATIONS = [row["name"] for row in table("access")["operation"]]
INTACT = [row["name"] for row in table("access")["operation"] if row["intact"]]


def _profile(directory: Path, url: str) -> Path:
    path = directory / "stub.toml"
    path.write_text(
        f'name = "stub"\nendpoint = "{url}"\ndialect = "s3"\n[credentials]\n'
        'access_key_env = "HARNESS_ACCESS_KEY"\nsecret_key_env = "HARNESS_SECRET_KEY"\n'
        f'[[buckets]]\nname = "{BUCKET}"\nregion = "us-east-1"\n',
        encoding="utf-8",
    )
    return path


def _run_access(tmp_path: Path, refuse_anonymous: bool):
    with stub_s3(refuse_anonymous=refuse_anonymous) as stub:
        owner = S3Client(stub.url, Credentials("STUBOWNERAK", "stub-owner-secret-0123456789"), timeout=10)
        ops.put_bucket(owner, BUCKET)
        return run_cli(["run", "--target", str(_profile(tmp_path, stub.url)), *ANONYMOUS_ROWS], tmp_path,
                       clean_env())


@pytest.mark.parametrize("refuse_anonymous", [True, False], ids=["refusing", "answering-200"])
def test_harness_access_s3_anonymous_rows_follow_the_store(tmp_path, refuse_anonymous):
    run = _run_access(tmp_path, refuse_anonymous)

    outcomes = run.outcomes()
    refused = {f"test_access.py::test_access_refused[{name}-anonymous]" for name in OPERATIONS}
    intact = {f"test_access.py::test_access_refusal_leaves_owner_intact[{name}-anonymous]" for name in INTACT}
    assert set(outcomes) == refused | intact, run.stdout[-2000:]
    assert run.results["run"]["dialect"] == "s3"
    if refuse_anonymous:
        assert set(outcomes.values()) == {"PASS"}, run.stdout[-3000:]
        assert run.status == 0
    else:
        assert {outcomes[case] for case in refused} == {"FAIL"}, run.stdout[-3000:]
        assert run.status == 1
