"""`jss-conformance serve --bucket NAME[@REGION]`: the buckets exist at start for the configured user, so the
suite runs against your own `serve` through a target profile with no hand-signed PutBucket."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness_helpers import ACCESS_KEY, SECRET_KEY, clean_env, run_cli, serve

from conformance import operations as ops
from conformance.client import Credentials, JssClient
from conformance.errorline import PREFIX
from conformance.reference.config import BUILTIN_USER

NORTH, EAST = "own-north", "own-east"
OTHER = ("somebody", "SOMEBODYELSE00001", "somebody-elses-secret-0123456789")


def _profile(folder: Path, endpoints: dict[str, str]) -> Path:
    path = folder / "own-serve.toml"
    path.write_text(
        "\n".join([
            'name = "own-serve"',
            f'endpoint = "{endpoints["cn-north-1"]}"',
            'dialect = "jss"',
            "[credentials]",
            'access_key_env = "HARNESS_ACCESS_KEY"',
            'secret_key_env = "HARNESS_SECRET_KEY"',
            "[[buckets]]",
            f'name = "{NORTH}"',
            'region = "cn-north-1"',
            "[[buckets]]",
            f'name = "{EAST}"',
            'region = "cn-east-2"',
            f'endpoint = "{endpoints["cn-east-2"]}"',
        ]) + "\n",
        encoding="utf-8",
    )
    return path


def test_harness_suite_runs_against_serve_with_start_buckets(tmp_path):
    data = tmp_path / "data"
    users = [("harness", ACCESS_KEY, SECRET_KEY), OTHER]
    with serve(tmp_path, "--data-dir", str(data), "--bucket", f"{NORTH}@cn-north-1", "--bucket",
               f"{EAST}@cn-east-2", users=users) as reference:
        profile = _profile(tmp_path, reference.endpoints)
        run = run_cli(
            ["run", "--target", str(profile), "-n", "2", "-p", "no:cacheprovider",
             "--jss-family", "storage-class", "--jss-family", "region-limit"],
            tmp_path,
        )
    outcomes = {case["outcome"] for case in run.results["cases"]}
    # the s3 rulebook's any-region case is outside a jss target: NOT_APPLICABLE, nothing asked of the store
    assert (run.status, outcomes) == (0, {"PASS", "NOT_APPLICABLE"}), run.stdout[-3000:] + run.stderr[-1000:]
    assert len(run.results["cases"]) >= 8


def test_harness_start_buckets_belong_to_the_builtin_user_in_their_region(tmp_path):
    with serve(tmp_path, "--bucket", NORTH, "--bucket", f"{EAST}@cn-east-2") as reference:
        builtin = Credentials(BUILTIN_USER.access_key, BUILTIN_USER.secret_key)
        client = JssClient(reference.endpoints["cn-north-1"], builtin, timeout=10)
        document = ops.list_buckets(client).response.json()
        listed = {bucket["Name"]: bucket["Location"] for bucket in document["Buckets"]}
    assert listed == {NORTH: "cn-north-1", EAST: "cn-east-2"}


def test_harness_start_buckets_survive_a_restart_on_the_same_data_dir(tmp_path):
    data = tmp_path / "data"
    for _ in range(2):
        with serve(tmp_path, "--data-dir", str(data), "--bucket", NORTH) as reference:
            assert reference.endpoints


@pytest.mark.parametrize("region", ["cn-north-1", "cn-east-2"])
def test_harness_a_start_bucket_of_someone_else_is_one_error_line(tmp_path, region):
    data = tmp_path / "data"
    with serve(tmp_path, "--data-dir", str(data), "--bucket", NORTH, users=[OTHER]):
        pass
    command = ["serve", "--data-dir", str(data), "--bucket", f"{NORTH}@{region}", "--port", "0"]
    run = run_cli(command, tmp_path, clean_env())
    lines = run.stderr.strip().splitlines()
    assert run.status == 2 and len(lines) == 1 and lines[0].startswith(PREFIX), run.stderr
    assert json.dumps(NORTH)[1:-1] in lines[0]
