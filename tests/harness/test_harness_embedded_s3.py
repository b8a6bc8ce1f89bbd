"""The embedded S3 target (fixtures/targets/embedded-s3.toml: the S3 wire under the jss rules): `run --target`
starts `conformance.reference --wire s3` by itself; the suite's S3 dialect passes there, and a deviation of
the shared rules (RR accepted everywhere) turns the S3 region-limit case red; `jss-conformance serve
--wire s3` answers boto3."""

from __future__ import annotations

import boto3
from harness_helpers import REPO, run_cli, serve

PROFILE = str(REPO / "fixtures" / "targets" / "embedded-s3.toml")
RR_ELSEWHERE = "test_region_limit.py::test_initiate_rr_outside_north_china_never_rr"


def test_harness_embedded_s3_target_passes_the_s3_dialect(tmp_path):
    run = run_cli(["run", "--target", PROFILE, "-n", "2", "-p", "no:cacheprovider", "-q"], tmp_path)
    assert run.status == 0, run.stdout[-2000:] + run.stderr[-2000:]
    results = run.results
    assert (results["run"]["dialect"], results["run"]["rules"]) == ("s3", "jss")
    outcomes = [case["outcome"] for case in results["cases"]]
    assert set(outcomes) == {"PASS", "NOT_APPLICABLE"}
    assert outcomes.count("PASS") >= 100
    assert run.outcomes()[RR_ELSEWHERE] == "PASS"


def test_harness_embedded_s3_target_is_failed_by_a_deviation(tmp_path):
    args = ["run", "--target", PROFILE, "--jss-deviate", "rr-everywhere", "-k", "region_limit", "-p",
            "no:cacheprovider", "-q"]
    run = run_cli(args, tmp_path)
    assert run.status == 1, run.stdout[-2000:] + run.stderr[-2000:]
    assert run.outcomes()[RR_ELSEWHERE] == "FAIL"


def test_harness_serve_wire_s3_answers_boto3(tmp_path):
    user = ("alice", "AKALICE0000000001", "alice-secret")
    with serve(tmp_path, "--wire", "s3", "--bucket", "served-north@cn-north-1", users=[user]) as reference:
        client = boto3.client(
            "s3", endpoint_url=reference.endpoints["cn-north-1"], region_name="cn-north-1",
            aws_access_key_id=user[1], aws_secret_access_key=user[2],
        )
        listed = client.list_buckets()["Buckets"]
        assert [(b["Name"], b["BucketRegion"]) for b in listed] == [("served-north", "cn-north-1")]


def test_harness_serve_unknown_wire_is_one_line_exit_2(tmp_path):
    run = run_cli(["serve", "--wire", "ftp"], tmp_path)
    assert run.status == 2
    assert "--wire" in run.stderr
    assert "Traceback" not in run.stderr


def _profile_with_signature(tmp_path, signature: str) -> str:
    profile = tmp_path / f"{signature}.toml"
    text = (REPO / "fixtures" / "targets" / "embedded-s3.toml").read_text(encoding="utf-8")
    text = text.replace("embedded = true", f'embedded = true\nsignature = "{signature}"')
    profile.write_text(text, encoding="utf-8")
    return str(profile)


def test_harness_embedded_s3_with_signature_v2_passes_the_s3_dialect(tmp_path):
    profile = _profile_with_signature(tmp_path, "v2")
    run = run_cli(["run", "--target", profile, "-p", "no:cacheprovider", "-q"], tmp_path)
    assert run.status == 0, run.stdout[-2000:] + run.stderr[-2000:]
    outcomes = [case["outcome"] for case in run.results["cases"]]
    assert set(outcomes) == {"PASS", "NOT_APPLICABLE"}
    assert outcomes.count("PASS") >= 100


def test_harness_embedded_s3_with_an_unknown_signature_is_one_line_exit_2(tmp_path):
    profile = _profile_with_signature(tmp_path, "v3")
    run = run_cli(["run", "--target", profile, "-p", "no:cacheprovider", "-q"], tmp_path)
    assert run.status == 2
    assert "signature 'v3'" in run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
