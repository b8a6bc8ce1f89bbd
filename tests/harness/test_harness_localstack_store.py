"""The LocalStack launcher (conformance/stores/localstack.py): its runtime comes up on 127.0.0.1 with S3 as
its only service and its files under the store's temporary folder, and stops without leaving either behind;
without LocalStack, `python -m conformance.stores run localstack` is a one-line usage error (exit 2)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import requests
from harness_helpers import clean_env

from conformance.stores.launch import StoreError, start_store
from conformance.stores.localstack import HEALTH_PATH, PYTHON_ENV, localstack_python, localstack_version


def _localstack_or_skip() -> str:
    """The LocalStack version of $JSS_LOCALSTACK_PYTHON (else this interpreter); skipped without one, unless
    JSS_CONFORMANCE_REQUIRE_LOCALSTACK is set (CI), then failed."""
    try:
        return localstack_version(localstack_python())
    except StoreError as exc:
        if os.environ.get("JSS_CONFORMANCE_REQUIRE_LOCALSTACK"):
            pytest.fail(f"JSS_CONFORMANCE_REQUIRE_LOCALSTACK is set but {exc}")
        pytest.skip(str(exc))


def test_harness_localstack_serves_s3_only_on_loopback_and_stops_clean():
    version = _localstack_or_skip()

    with start_store("localstack") as store:
        health = requests.get(store.endpoint + HEALTH_PATH, timeout=10).json()
        process, folder = store.process, store.folder
        files = sorted(path.name for path in (folder / "filesystem").iterdir())

    assert store.endpoint.startswith("http://127.0.0.1:")
    assert health["version"] == version == store.version
    assert health["services"]["s3"] == "running"
    assert {state for name, state in health["services"].items() if name != "s3"} == {"disabled"}
    assert files  # LocalStack's host-mode directories live under the store's folder
    assert process.poll() is not None
    assert not folder.exists()


def test_harness_localstack_missing_is_one_line_usage_error(tmp_path):
    """The suite's own interpreter has no LocalStack (its pins cannot hold it): exit 2 and one line naming the
    variable to set, before anything is started."""
    env = clean_env(**{PYTHON_ENV: sys.executable})

    done = subprocess.run(
        [sys.executable, "-m", "conformance.stores", "run", "localstack"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )

    assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-2000:]
    assert done.stderr.count("\n") == 1 and PYTHON_ENV in done.stderr
    assert "Traceback" not in done.stderr
    assert not list(tmp_path.iterdir())
