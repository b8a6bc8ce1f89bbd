"""`jss-conformance sweep`: removes leftovers under its prefix only; refuses dangerous prefixes."""

from __future__ import annotations

import pytest
from harness_helpers import EAST_BUCKET, NORTH_BUCKET, REPO, clean_env, closed_port, list_all_objects, run_cli

from conformance import operations as ops
from conformance.errorline import INFRA_PREFIX

RUN = "jssc-20260102T030405-a1b2c3"
INSIDE = [f"{RUN}/gw0/test_a-1f2e/001", f"{RUN}/gw1/test_b-3c4d/002-é space", f"{RUN}/main/x"]
OUTSIDE = [
    "jssc-20260102T030405-a1b2c4/gw0/other-run",  # another run, one hex digit apart
    f"{RUN}",  # the run id itself, without the slash
    f"{RUN}-suffix/looks-alike",
    "customer/data.bin",
]


@pytest.fixture
def leftovers(endpoint):
    """Objects and uploads inside and outside the prefix, in both buckets; removed afterwards."""
    north, east = endpoint.client("cn-north-1"), endpoint.client("cn-east-2")
    for key in INSIDE + OUTSIDE:
        ops.put_object(north, NORTH_BUCKET, key, key.encode())
    ops.put_object(east, EAST_BUCKET, INSIDE[0], b"east")
    ops.put_object(east, EAST_BUCKET, OUTSIDE[0], b"east")
    uploads = [ops.initiate(north, NORTH_BUCKET, key) for key in (INSIDE[0], OUTSIDE[0])]
    yield north, east, uploads
    for client, bucket in ((north, NORTH_BUCKET), (east, EAST_BUCKET)):
        for upload in ops.list_uploads(client, bucket).uploads:
            ops.abort(client, bucket, upload.key, upload.upload_id)
        for key in list_all_objects(client, bucket):
            ops.delete_object(client, bucket, key)


def test_harness_sweep_removes_only_under_its_prefix(endpoint, leftovers, tmp_path):
    north, east, uploads = leftovers
    run = run_cli(["sweep", "--target", str(endpoint.profile(tmp_path)), "--prefix", f"{RUN}/"], tmp_path)
    assert run.status == 0, run.stderr
    assert set(list_all_objects(north, NORTH_BUCKET)) == set(OUTSIDE)
    assert set(list_all_objects(east, EAST_BUCKET)) == {OUTSIDE[0]}
    left = ops.list_uploads(north, NORTH_BUCKET).uploads
    assert [(u.key, u.upload_id) for u in left] == [(OUTSIDE[0], uploads[1].upload_id)]
    assert f"{NORTH_BUCKET}: aborted upload {uploads[0].upload_id} of {INSIDE[0]}" in run.stdout
    assert f"{NORTH_BUCKET}: removed 1 upload(s) and 3 object(s) under {RUN}/" in run.stdout
    assert f"{EAST_BUCKET}: removed 0 upload(s) and 1 object(s) under {RUN}/" in run.stdout


def test_harness_sweep_needs_no_alt_account_variables(endpoint, leftovers, tmp_path):
    north, _, _ = leftovers
    env = {name: value for name, value in clean_env().items() if not name.startswith("HARNESS_ALT_")}

    profile = str(endpoint.profile(tmp_path))
    run = run_cli(["sweep", "--target", profile, "--prefix", f"{RUN}/"], tmp_path, env)

    assert run.status == 0, run.stderr
    assert set(list_all_objects(north, NORTH_BUCKET)) == set(OUTSIDE)


def test_harness_sweep_dry_run_removes_nothing(endpoint, leftovers, tmp_path):
    north, _, _ = leftovers
    before = list_all_objects(north, NORTH_BUCKET)
    run = run_cli(
        ["sweep", "--target", str(endpoint.profile(tmp_path)), "--prefix", RUN, "--dry-run"], tmp_path
    )
    assert run.status == 0
    assert "would delete object" in run.stdout
    assert list_all_objects(north, NORTH_BUCKET) == before
    assert len(ops.list_uploads(north, NORTH_BUCKET).uploads) == 2


@pytest.mark.parametrize("prefix", ["", "   ", "jssc-", "jssc-2026", "customer/", f"{RUN}x/"])
def test_harness_sweep_refuses_prefixes_not_of_a_run(endpoint, tmp_path, prefix):
    run = run_cli(["sweep", "--target", str(endpoint.profile(tmp_path)), "--prefix", prefix], tmp_path)
    assert run.status == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("jss-conformance: error: ")


def test_harness_sweep_force_accepts_another_prefix(endpoint, leftovers, tmp_path):
    north, _, _ = leftovers
    run = run_cli(
        ["sweep", "--target", str(endpoint.profile(tmp_path)), "--prefix", "customer/", "--force"], tmp_path
    )
    assert run.status == 0
    assert "customer/data.bin" not in list_all_objects(north, NORTH_BUCKET)
    assert set(INSIDE) <= set(list_all_objects(north, NORTH_BUCKET))


def test_harness_sweep_needs_a_real_target(tmp_path):
    assert run_cli(["sweep", "--prefix", f"{RUN}/"], tmp_path, clean_env()).status == 2
    profile = REPO / "fixtures" / "targets" / "embedded.toml"
    embedded = run_cli(["sweep", "--target", str(profile), "--prefix", f"{RUN}/"], tmp_path)
    assert embedded.status == 2


LOOKALIKE_OBJECTS = [f"{RUN}1", f"{RUN}x/foreign.bin"]  # share the run's first characters, not its folder
LOOKALIKE_UPLOAD = f"{RUN}x/foreign-upload.bin"


@pytest.fixture
def lookalikes(endpoint, leftovers):
    """Besides `leftovers`: objects and a foreign upload whose keys merely start with the run id."""
    north, _, uploads = leftovers
    for key in LOOKALIKE_OBJECTS:
        ops.put_object(north, NORTH_BUCKET, key, b"not the suite's")
    foreign = ops.initiate(north, NORTH_BUCKET, LOOKALIKE_UPLOAD)
    return north, uploads[0], foreign


def _named_keys(stdout: str) -> set[str]:
    """The keys the sweep's per-key lines name ('... object KEY', '... upload ID of KEY')."""
    keys = set()
    for line in stdout.splitlines():
        _, _, rest = line.partition(": ")
        if " object " in rest:
            keys.add(rest.split(" object ", 1)[1])
        elif " upload " in rest and " of " in rest:
            keys.add(rest.split(" of ", 1)[1])
    return keys


@pytest.mark.parametrize("prefix", [RUN, f"{RUN}/"], ids=["without-slash", "with-slash"])
def test_harness_sweep_never_touches_keys_that_only_share_the_run_ids_characters(
    endpoint, lookalikes, tmp_path, prefix
):
    north, own_upload, foreign_upload = lookalikes
    profile = str(endpoint.profile(tmp_path))
    dry = run_cli(["sweep", "--target", profile, "--prefix", prefix, "--dry-run"], tmp_path)
    real = run_cli(["sweep", "--target", profile, "--prefix", prefix], tmp_path)
    left = set(list_all_objects(north, NORTH_BUCKET))
    uploads_left = {(u.key, u.upload_id) for u in ops.list_uploads(north, NORTH_BUCKET).uploads}
    assert (dry.status, real.status) == (0, 0), dry.stderr + real.stderr
    assert _named_keys(dry.stdout) == _named_keys(real.stdout) == set(INSIDE)
    assert set(LOOKALIKE_OBJECTS) <= left and not set(INSIDE) & left
    assert (LOOKALIKE_UPLOAD, foreign_upload.upload_id) in uploads_left
    assert (INSIDE[0], own_upload.upload_id) not in uploads_left


def test_harness_sweep_of_an_unreachable_endpoint_is_one_infra_error_line(tmp_path):
    profile = tmp_path / "closed.toml"
    profile.write_text(
        f'endpoint = "http://127.0.0.1:{closed_port()}"\ndialect = "jss"\n[credentials]\n'
        'access_key_env = "HARNESS_ACCESS_KEY"\nsecret_key_env = "HARNESS_SECRET_KEY"\n'
        '[[buckets]]\nname = "some-bucket"\nregion = "cn-north-1"\n',
        encoding="utf-8",
    )
    run = run_cli(["sweep", "--target", str(profile), "--prefix", f"{RUN}/"], tmp_path)
    lines = run.stderr.strip().splitlines()
    assert run.status == 3 and len(lines) == 1 and lines[0].startswith(INFRA_PREFIX), run.stderr
