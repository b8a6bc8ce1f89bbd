"""A bad setup is exit status 2 with one line naming the bucket and what the endpoint answered, before any
case runs, and results.json says the run stopped at setup (issue 7, item 2).

The four conditions, against a reference endpoint with two accounts started here: a wrong secret key, an
unknown access key, a bucket that belongs to the other account, a bucket in another region than the profile
says. The line must carry the status and error code the endpoint answered (for the region, the Location
ListBuckets gave), never the secret.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from harness_helpers import (
    ACCESS_KEY,
    EAST_BUCKET,
    NORTH_BUCKET,
    SECRET_KEY,
    clean_env,
    run_cli,
)

from conformance import operations as ops
from conformance.client import Credentials, JssClient

OTHER_USER = ("someone-else", "OTHERACCOUNTAK01", "0ther-Acc0unt-Secret-abcdefghijklmnop")
FOREIGN_BUCKET = "harness-foreign"
WRONG_SECRET = "not-the-right-secret-key-0123456789"
UNKNOWN_ACCESS_KEY = "NOSUCHACCESSKEY99"

PROFILE = """name = "bad-setup"
endpoint = "{north}"
dialect = "jss"
[credentials]
access_key_env = "HARNESS_ACCESS_KEY"
secret_key_env = "HARNESS_SECRET_KEY"
{buckets}
"""
BUCKET = '[[buckets]]\nname = "{name}"\nregion = "{region}"\nendpoint = "{endpoint}"\n'

#: condition -> (buckets as (name, region claimed by the profile, endpoint region), env overrides,
#:               the bucket the line must name, what the line must quote of the endpoint's answer)
CONDITIONS = {
    "wrong-secret-key": (
        [(NORTH_BUCKET, "cn-north-1", "cn-north-1"), (EAST_BUCKET, "cn-east-2", "cn-east-2")],
        {"HARNESS_SECRET_KEY": WRONG_SECRET},
        NORTH_BUCKET,
        "answered 403 SignatureDoesNotMatch",
    ),
    "unknown-access-key": (
        [(NORTH_BUCKET, "cn-north-1", "cn-north-1"), (EAST_BUCKET, "cn-east-2", "cn-east-2")],
        {"HARNESS_ACCESS_KEY": UNKNOWN_ACCESS_KEY},
        NORTH_BUCKET,
        "answered 403 InvalidAccessKey",
    ),
    "bucket-of-another-account": (
        [(NORTH_BUCKET, "cn-north-1", "cn-north-1"), (FOREIGN_BUCKET, "cn-north-1", "cn-north-1")],
        {},
        FOREIGN_BUCKET,
        "answered 403 AccessDenied",
    ),
    "bucket-in-another-region": (
        [(NORTH_BUCKET, "cn-north-1", "cn-north-1"), (EAST_BUCKET, "cn-north-1", "cn-north-1")],
        {},
        EAST_BUCKET,
        "answered 200 with Location cn-east-2, but the profile says region cn-north-1",
    ),
}


@pytest.fixture(scope="module")
def two_accounts() -> Iterator[dict[str, str]]:
    """A reference endpoint with the harness user (a bucket per region) and another account owning
    FOREIGN_BUCKET; yields region -> endpoint URL."""
    from conformance.reference.launch import start_reference

    users = [("harness", ACCESS_KEY, SECRET_KEY), OTHER_USER]
    with start_reference(users=users) as reference:
        mine = Credentials(ACCESS_KEY, SECRET_KEY)
        for region, bucket in (("cn-north-1", NORTH_BUCKET), ("cn-east-2", EAST_BUCKET)):
            ops.put_bucket(JssClient(reference.endpoints[region], mine, timeout=10), bucket)
        theirs = Credentials(OTHER_USER[1], OTHER_USER[2])
        ops.put_bucket(JssClient(reference.endpoints["cn-north-1"], theirs, timeout=10), FOREIGN_BUCKET)
        yield dict(reference.endpoints)


def _profile(tmp_path, endpoints: dict[str, str], buckets) -> str:
    tables = "".join(
        BUCKET.format(name=name, region=claimed, endpoint=endpoints[served])
        for name, claimed, served in buckets
    )
    path = tmp_path / "bad-setup.toml"
    path.write_text(PROFILE.format(north=endpoints["cn-north-1"], buckets=tables), encoding="utf-8")
    return str(path)


def _stale_reports(tmp_path) -> None:
    """What a previous run left: a results.json and an Allure result that must not survive."""
    allure = tmp_path / "reports" / "allure-results"
    allure.mkdir(parents=True)
    (allure / "old-result.json").write_text("{}", encoding="utf-8")
    (tmp_path / "reports" / "results.json").write_text('{"stale": true}', encoding="utf-8")


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
@pytest.mark.parametrize("condition", CONDITIONS.values(), ids=CONDITIONS.keys())
def test_harness_bad_setup_exits_2_with_one_line_before_any_case(two_accounts, tmp_path, condition, workers):
    buckets, env_overrides, named_bucket, answer = condition
    _stale_reports(tmp_path)
    profile = _profile(tmp_path, two_accounts, buckets)

    run = run_cli(["run", "--target", profile, "-p", "no:cacheprovider", *workers], tmp_path,
                  clean_env(**env_overrides))

    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert run.status == 2, run.stdout + run.stderr
    assert len(lines) == 1, run.stderr
    assert f"bucket {named_bucket} " in lines[0] and answer in lines[0], lines[0]
    assert run.stdout == ""  # no session header, no case
    assert SECRET_KEY not in run.stderr + run.stdout and WRONG_SECRET not in run.stderr + run.stdout
    results = run.results
    assert results["cases"] == []
    assert results["run"]["status"] == "stopped" and results["run"]["stopped_at"] == "setup"
    assert answer in results["run"]["reason"] and named_bucket in results["run"]["reason"]
    allure = sorted(p.name for p in (tmp_path / "reports" / "allure-results").iterdir())
    assert "old-result.json" not in allure
    setup_results = [
        json.loads((tmp_path / "reports" / "allure-results" / name).read_text())
        for name in allure if name.endswith("-result.json")
    ]
    assert [(r["name"], r["status"]) for r in setup_results] == [("setup", "broken")]
