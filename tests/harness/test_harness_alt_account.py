"""The second account of a target ([alt]) and the access family around it: the profile table (names of
environment variables, never secrets), the preflight check of the account, the alt rows SKIPPED without it,
and the owner's cleanup of whatever a caller that does not own the bucket managed to create (no secret of
either account in the reports)."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness_helpers import (
    ALT_SECRET_KEY,
    NORTH_BUCKET,
    SECRET_KEY,
    clean_env,
    list_all_objects,
    reference_endpoint,
    run_cli,
)

from conformance import operations as ops
from conformance.target import ProfileError, Target, apply_environment, load_profile

PROFILE = """
name = "lab"
endpoint = "http://127.0.0.1:9"
dialect = "jss"
[credentials]
access_key_env = "LAB_AK"
secret_key_env = "LAB_SK"
[alt]
access_key_env = "LAB_ALT_AK"
secret_key_env = "LAB_ALT_SK"
[[buckets]]
name = "lab-north"
region = "cn-north-1"
"""
ENV = {"LAB_AK": "AK-lab", "LAB_SK": "SK-lab-secret", "LAB_ALT_AK": "AK-alt", "LAB_ALT_SK": "SK-alt-secret"}
WITHOUT_ALT = PROFILE.split("[alt]")[0] + "[[buckets]]" + PROFILE.split("[[buckets]]")[1]
ALT_SKIP_REASON = "names no second account ([alt])"
ACCESS_ONLY = ("--jss-family", "access", "-p", "no:cacheprovider")


def _load(tmp_path: Path, text: str = PROFILE, env: dict[str, str] = ENV) -> Target:
    path = tmp_path / "lab.toml"
    path.write_text(text, encoding="utf-8")
    return load_profile(path, env)


def test_harness_alt_account_loads_from_the_named_variables(tmp_path):
    target = _load(tmp_path)

    alt = target.alt_credentials
    assert (alt.access_key, alt.secret_key) == ("AK-alt", "SK-alt-secret")
    assert set(target.secrets) == {"SK-lab-secret", "SK-alt-secret"}
    assert "SK-alt-secret" not in repr(target)


def test_harness_alt_account_is_optional(tmp_path):
    target = _load(tmp_path, WITHOUT_ALT)

    assert target.alt_credentials is None and target.secrets == ("SK-lab-secret",)


def test_harness_alt_account_travels_to_the_workers(tmp_path):
    target = _load(tmp_path)

    assert Target.from_payload(target.to_payload()).alt_credentials == target.alt_credentials


def test_harness_alt_account_survives_the_environment_overrides(tmp_path):
    target = apply_environment(_load(tmp_path), {"JSS_ACCESS_KEY": "AK-other", "JSS_SECRET_KEY": "SK-other"})

    assert target.credentials.access_key == "AK-other" and target.alt_credentials.access_key == "AK-alt"


BAD_ALT = {
    "literal-secret": (PROFILE.replace('secret_key_env = "LAB_ALT_SK"', 'secret_key = "abc"'), "[alt]"),
    "unset-variable": (PROFILE.replace('"LAB_ALT_SK"', '"LAB_UNSET"'), "LAB_UNSET"),
    "same-account": (PROFILE.replace('"LAB_ALT_AK"', '"LAB_AK"'), "same access key"),
    "not-a-table": ('alt = "x"\n' + WITHOUT_ALT, "[alt]"),
    "embedded": ('name = "e"\ndialect = "jss"\nembedded = true\n[alt]\naccess_key_env = "A"\n'
                 'secret_key_env = "B"\n[[buckets]]\nname = "e-north"\nregion = "cn-north-1"\n', "'alt'"),
}


@pytest.mark.parametrize("text,needle", BAD_ALT.values(), ids=BAD_ALT.keys())
def test_harness_bad_alt_account_is_one_clear_line(tmp_path, text, needle):
    with pytest.raises(ProfileError) as caught:
        _load(tmp_path, text)

    assert "\n" not in str(caught.value) and needle in str(caught.value)


def test_harness_alt_account_not_required_is_none_when_its_variables_are_unset(tmp_path):
    path = tmp_path / "lab.toml"
    path.write_text(PROFILE, encoding="utf-8")
    env = {name: value for name, value in ENV.items() if not name.startswith("LAB_ALT_")}

    assert load_profile(path, env, require_alt=False).alt_credentials is None
    assert load_profile(path, ENV, require_alt=False).alt_credentials.access_key == "AK-alt"
    with pytest.raises(ProfileError, match="LAB_ALT_AK"):
        load_profile(path, env)


def test_harness_alt_account_not_required_is_still_checked(tmp_path):
    path = tmp_path / "lab.toml"
    path.write_text(BAD_ALT["literal-secret"][0], encoding="utf-8")

    with pytest.raises(ProfileError, match=r"\[alt\]"):
        load_profile(path, {"LAB_AK": "AK-lab", "LAB_SK": "SK-lab-secret"}, require_alt=False)


# -- runs of the access family against a reference endpoint with two accounts --------------------------------


def test_harness_without_alt_the_alt_rows_are_skipped_and_the_anonymous_ones_run(endpoint, tmp_path):
    profile = endpoint.profile(tmp_path, alt=False)

    run = run_cli(["run", "--target", str(profile), *ACCESS_ONLY], tmp_path)

    cases = run.results["cases"]
    alt = [case for case in cases if "-alt]" in case["id"]]
    anonymous = [case for case in cases if "-anonymous]" in case["id"]]
    assert run.status == 0, run.stdout[-2000:]
    assert len(alt) == len(anonymous) >= 12 and len(alt) + len(anonymous) == len(cases)
    assert {(case["outcome"], ALT_SKIP_REASON in case["message"]) for case in alt} == {("SKIPPED", True)}
    assert {case["outcome"] for case in anonymous} == {"PASS"}


def test_harness_unknown_alt_account_stops_the_run_with_one_line(endpoint, tmp_path):
    env = clean_env(HARNESS_ALT_ACCESS_KEY="HARNESSUNKNOWNAK")

    run = run_cli(["run", "--target", str(endpoint.profile(tmp_path)), *ACCESS_ONLY], tmp_path, env)

    lines = [line for line in (run.stdout + run.stderr).splitlines() if "HARNESSUNKNOWNAK" in line]
    assert run.status == 2 and len(lines) == 1 and "[alt]" in lines[0], run.stdout[-1500:] + run.stderr


@pytest.mark.parametrize("deviation", ["ownership-checked-after-the-write", "initiate-in-any-bucket",
                                       "complete-by-upload-id", "foreign-overwrite-allowed"])
def test_harness_owner_cleans_up_what_the_callers_created(tmp_path, deviation):
    with reference_endpoint(deviations=(deviation,)) as deviant:
        client = deviant.client()

        run = run_cli(["run", "--target", str(deviant.profile(tmp_path)), "-l", *ACCESS_ONLY], tmp_path)

        assert run.status == 1 and "FAIL" in set(run.outcomes().values()), run.stdout[-2000:]
        assert list_all_objects(client, NORTH_BUCKET) == {}
        assert ops.list_uploads(client, NORTH_BUCKET).uploads == []
    files = [path for path in (tmp_path / "reports").rglob("*") if path.is_file()]
    texts = [run.stdout, *(path.read_text(errors="replace") for path in files)]
    fragments = [part for secret in (SECRET_KEY, ALT_SECRET_KEY) for part in (secret, secret[-10:])]
    assert not [fragment for fragment in fragments if any(fragment in text for text in texts)]
