"""Target profiles: validation (one clear line per problem), expectations, JSS_* overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.catalogue import CatalogueError, load_catalogue
from conformance.paths import fixtures_dir
from conformance.target import (
    ProfileError,
    Target,
    apply_environment,
    load_default_expectations,
    load_profile,
    resolve_target,
)

GOOD = """
name = "lab"
endpoint = "http://127.0.0.1:9"
dialect = "jss"
[credentials]
access_key_env = "LAB_AK"
secret_key_env = "LAB_SK"
[[buckets]]
name = "lab-north"
region = "cn-north-1"
[[buckets]]
name = "lab-east"
region = "cn-east-2"
endpoint = "http://127.0.0.2:9"
[expect]
min_part_size = 1024
"""
ENV = {"LAB_AK": "AK-lab", "LAB_SK": "SK-lab-secret"}


def write(tmp_path: Path, text: str, name: str = "profile.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_harness_good_profile_loads(tmp_path):
    target = load_profile(write(tmp_path, GOOD), ENV)
    assert (target.name, target.dialect, target.endpoint) == ("lab", "jss", "http://127.0.0.1:9")
    assert target.credentials.access_key == "AK-lab"
    assert target.credentials.secret_key == "SK-lab-secret"
    assert [(b.name, b.region, b.endpoint) for b in target.buckets] == [
        ("lab-north", "cn-north-1", "http://127.0.0.1:9"),
        ("lab-east", "cn-east-2", "http://127.0.0.2:9"),
    ]
    assert target.regions == ["cn-north-1", "cn-east-2"]
    assert target.bucket_in_region("cn-east-2").name == "lab-east"
    assert target.bucket_outside_region("cn-north-1").name == "lab-east"
    assert target.bucket_in_region("cn-south-1") is None
    assert target.primary_bucket.name == "lab-north"


def test_harness_expect_overrides_defaults_and_keeps_the_rest(tmp_path):
    defaults = load_default_expectations()
    target = load_profile(write(tmp_path, GOOD), ENV)
    assert target.expect["min_part_size"] == 1024
    assert set(target.expect) == set(defaults)
    untouched = next(key for key in defaults if key != "min_part_size")
    assert target.expect[untouched] == defaults[untouched]
    with pytest.raises(TypeError):
        target.expect["min_part_size"] = 1  # read-only for the cases


def test_harness_secret_not_in_repr(tmp_path):
    target = load_profile(write(tmp_path, GOOD), ENV)
    assert "SK-lab-secret" not in repr(target)


BAD_PROFILES = {
    "bad-toml": ("endpoint = [", "not valid TOML"),
    "missing-endpoint": (GOOD.replace('endpoint = "http://127.0.0.1:9"\n', "", 1), "endpoint"),
    "unknown-dialect": (GOOD.replace('dialect = "jss"', 'dialect = "s3v4"'), "dialect"),
    "signature-of-another-dialect": (GOOD.replace('dialect = "jss"', 'dialect = "jss"\nsignature = "v4"'),
                                     "signature"),
    "literal-secret": (GOOD.replace('secret_key_env = "LAB_SK"', 'secret_key = "abc"'), "secret"),
    "literal-in-env-field": (GOOD.replace('"LAB_SK"', '"x9/Lq+secretvalue"'), "environment variable"),
    "env-unset": (GOOD.replace('"LAB_SK"', '"LAB_UNSET_SECRET"'), "LAB_UNSET_SECRET"),
    "unknown-expect-key": (GOOD + "no_such_expectation = 1\n", "no_such_expectation"),
    "wrong-expect-type": (GOOD.replace("min_part_size = 1024", 'min_part_size = "big"'), "min_part_size"),
    "no-buckets": (GOOD.split("[[buckets]]")[0], "buckets"),
    "bucket-without-region": (GOOD.replace('region = "cn-east-2"\n', ""), "region"),
    "bad-bucket-name": (GOOD.replace('"lab-north"', '"Lab_North"'), "bucket name"),
    "unknown-top-level-key": ("colour = 1\n" + GOOD, "colour"),
    "bad-endpoint": (GOOD.replace('"http://127.0.0.1:9"', '"127.0.0.1:9"', 1), "endpoint"),
}


@pytest.mark.parametrize("text,needle", BAD_PROFILES.values(), ids=BAD_PROFILES.keys())
def test_harness_bad_profile_is_one_clear_line(tmp_path, text, needle):
    path = write(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        load_profile(path, ENV)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert needle in message


def test_harness_missing_profile_file(tmp_path):
    with pytest.raises(ProfileError, match="no such file"):
        load_profile(tmp_path / "absent.toml", ENV)


def test_harness_shipped_profiles_load():
    targets = fixtures_dir() / "targets"
    embedded = load_profile(targets / "embedded.toml", {})
    assert embedded.embedded and embedded.regions == ["cn-north-1", "cn-east-2"]
    staging = load_profile(
        targets / "staging.example.toml", {"JSS_STAGING_ACCESS_KEY": "a", "JSS_STAGING_SECRET_KEY": "b"}
    )
    assert not staging.embedded and len(staging.buckets) == 2
    assert staging.buckets[1].endpoint != staging.endpoint


def test_harness_no_target_is_the_embedded_profile():
    target = resolve_target(None, {"JSS_ACCESS_KEY": "ignored", "JSS_SECRET_KEY": "ignored"})
    assert target.embedded and target.name == "embedded"


ONE_BUCKET = {
    "JSS_ENDPOINT": "https://oss.example.test",
    "JSS_ACCESS_KEY": "AK1",
    "JSS_SECRET_KEY": "SK1",
    "JSS_BUCKET": "solo-bucket",
    "JSS_REGION": "cn-east-2",
}


def test_harness_env_one_bucket_run():
    target = resolve_target(None, ONE_BUCKET)
    assert target.endpoint == "https://oss.example.test"
    assert [(b.name, b.region, b.endpoint) for b in target.buckets] == [
        ("solo-bucket", "cn-east-2", "https://oss.example.test")
    ]
    assert target.credentials.secret_key == "SK1"
    assert set(target.expect) == set(load_default_expectations())


@pytest.mark.parametrize("missing", ["JSS_ACCESS_KEY", "JSS_SECRET_KEY", "JSS_BUCKET", "JSS_REGION"])
def test_harness_env_one_bucket_run_needs_every_variable(missing):
    env = {k: v for k, v in ONE_BUCKET.items() if k != missing}
    with pytest.raises(ProfileError, match=missing):
        resolve_target(None, env)


def test_harness_env_overrides_profile(tmp_path):
    env = dict(ENV, JSS_ENDPOINT="http://10.0.0.1:80", JSS_ACCESS_KEY="AK2", JSS_SECRET_KEY="SK2")
    target = resolve_target(write(tmp_path, GOOD), env)
    assert target.endpoint == "http://10.0.0.1:80"
    assert {b.endpoint for b in target.buckets} == {"http://10.0.0.1:80"}
    assert target.credentials.access_key == "AK2"
    narrowed = apply_environment(target, {"JSS_BUCKET": "lab-east"})
    assert [(b.name, b.region) for b in narrowed.buckets] == [("lab-east", "cn-east-2")]


def test_harness_env_bucket_without_target_is_an_error():
    with pytest.raises(ProfileError, match="JSS_ENDPOINT"):
        resolve_target(None, {"JSS_BUCKET": "solo-bucket", "JSS_REGION": "cn-north-1"})


def test_harness_payload_round_trip(tmp_path):
    target = load_profile(write(tmp_path, GOOD), ENV)
    again = Target.from_payload(target.to_payload())
    assert again.buckets == target.buckets and again.credentials == target.credentials
    assert dict(again.expect) == dict(target.expect)


def test_harness_catalogue_loads_and_rejects_malformed(tmp_path):
    catalogue = load_catalogue()
    assert catalogue and all(clause.id == key for key, clause in catalogue.items())
    broken = write(tmp_path, '[[clause]]\nid = "x"\nfamily = "nope"\n', "clauses.toml")
    with pytest.raises(CatalogueError, match="lacks the field"):
        load_catalogue(broken)
