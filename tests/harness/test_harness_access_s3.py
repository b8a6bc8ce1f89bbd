"""The access family over the s3 wire: against a stub S3 endpoint that refuses the second account's and
anonymous requests (403 AccessDenied, an XML <Error>) every row PASSes; against the same stub letting them
through (answered as if the owner had sent them) every refusal row FAILs and the run exits 1. So every S3
access check can fail, though the embedded endpoint speaks JSS only."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness_helpers import ALT_ACCESS_KEY, ALT_PROFILE_LINES, clean_env, run_cli
from s3_stub import stub_s3

from conformance import operations as ops
from conformance.cases.support import table
from conformance.client import Credentials
from conformance.client_s3 import S3Client

BUCKET = "stub-bucket"
ACCESS_ROWS = ("--jss-family", "access", "-p", "no:cacheprovider")
CALLERS = table("access")["callers"]
OPERATIONS = [row["name"] for row in table("access")["operation"]]
INTACT = [row["name"] for row in table("access")["operation"] if row["intact"]]


def _profile(directory: Path, url: str) -> Path:
    path = directory / "stub.toml"
    path.write_text(
        f'name = "stub"\nendpoint = "{url}"\ndialect = "s3"\n[credentials]\n'
        'access_key_env = "HARNESS_ACCESS_KEY"\nsecret_key_env = "HARNESS_SECRET_KEY"\n'
        + "\n".join(ALT_PROFILE_LINES)
        + f'\n[[buckets]]\nname = "{BUCKET}"\nregion = "us-east-1"\n',
        encoding="utf-8",
    )
    return path


def _run_access(tmp_path: Path, refuse_callers: bool):
    with stub_s3(refuse_callers=refuse_callers, alt_access_key=ALT_ACCESS_KEY) as stub:
        owner = S3Client(stub.url, Credentials("STUBOWNERAK", "stub-owner-secret-0123456789"), timeout=10)
        ops.put_bucket(owner, BUCKET)
        return run_cli(["run", "--target", str(_profile(tmp_path, stub.url)), *ACCESS_ROWS], tmp_path,
                       clean_env())


@pytest.mark.parametrize("refuse_callers", [True, False], ids=["refusing", "letting-through"])
def test_harness_access_s3_rows_follow_the_store(tmp_path, refuse_callers):
    run = _run_access(tmp_path, refuse_callers)

    outcomes = run.outcomes()
    refused = {f"test_access.py::test_access_refused[{name}-{who}]" for name in OPERATIONS for who in CALLERS}
    intact = {
        f"test_access.py::test_access_refusal_leaves_owner_intact[{name}-{who}]"
        for name in INTACT for who in CALLERS
    }
    assert set(outcomes) == refused | intact, run.stdout[-2000:]
    assert run.results["run"]["dialect"] == "s3"
    if refuse_callers:
        assert set(outcomes.values()) == {"PASS"}, run.stdout[-3000:]
        assert run.status == 0
    else:
        assert {outcomes[case] for case in refused} == {"FAIL"}, run.stdout[-3000:]
        assert run.status == 1
