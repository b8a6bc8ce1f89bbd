"""LocalStack (PyPI localstack-core) as an S3 store: its runtime started directly in a process (host mode, no
Docker), S3 only, on a free 127.0.0.1 port, its files under the store's temporary folder.

LocalStack cannot live in the suite's own environment (its runtime extra pins an older botocore than
constraints.txt, and its code needs Python 3.12 or newer): it runs from the interpreter named by
``JSS_LOCALSTACK_PYTHON`` (a virtualenv made from constraints-localstack.txt, see the README), else from this
interpreter when it has LocalStack."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conformance.stores.launch import START_TIMEOUT, LocalStore, StoreError, free_port, spawn, wait_until_up

#: The variable naming the Python interpreter that has localstack-core[base-runtime].
PYTHON_ENV = "JSS_LOCALSTACK_PYTHON"

#: LocalStack's default credentials (its presigned-URL validation accepts only the secret "test"); the access
#: key maps to its default account (000000000000).
ACCESS_KEY = SECRET_KEY = "test"

#: LocalStack's orderly shutdown takes about 13 s here (most of it after its runtime said it stopped), more
#: than the other stores' grace period.
STOP_GRACE = 30.0

HEALTH_PATH = "/_localstack/health"


def localstack_python() -> str:
    """The interpreter to run LocalStack with: $JSS_LOCALSTACK_PYTHON, else this one."""
    return os.environ.get(PYTHON_ENV) or sys.executable


def localstack_version(python: str) -> str:
    """The localstack-core version `python` has; StoreError (saying how to get one) when it has none."""
    try:
        found = subprocess.run(
            [python, "-c", "from localstack import version; print(version.__version__)"],
            capture_output=True, text=True, timeout=60,
        )
    except OSError as exc:
        found = subprocess.CompletedProcess([], 1, "", str(exc))
    if found.returncode != 0 or not found.stdout.strip():
        raise StoreError(
            f"LocalStack not found for {python}: set {PYTHON_ENV} to the python of a virtualenv made with "
            "constraints-localstack.txt (README, 'LocalStack')"
        )
    return found.stdout.strip()


def runtime_environment(folder: Path, port: int) -> dict[str, str]:
    """LocalStack's settings: S3 only, on 127.0.0.1:`port`, its files under `folder`, nothing sent out."""
    return {
        "SERVICES": "s3",
        "EAGER_SERVICE_LOADING": "1",  # S3 loaded before the health check answers, not on the first request
        "GATEWAY_LISTEN": f"127.0.0.1:{port}",
        "LOCALSTACK_HOST": f"127.0.0.1:{port}",
        # host mode even inside a container: the host-mode directories, all under FILESYSTEM_ROOT
        "OVERRIDE_IN_DOCKER": "0",
        "FILESYSTEM_ROOT": str(folder / "filesystem"),
        "DNS_ADDRESS": "0",  # no DNS server of its own
        "SKIP_SSL_CERT_DOWNLOAD": "1",  # its self-signed certificate, nothing downloaded
        "DISABLE_EVENTS": "1",  # no analytics sent
        # LocalStack's documented switch to validate presigned URLs (signature and expiry; default: skipped).
        # It checks no header-signed request whatever this says.
        "S3_SKIP_SIGNATURE_VALIDATION": "0",
    }


def start_localstack(folder: Path, timeout: float = START_TIMEOUT) -> LocalStore:
    """``python -m localstack.runtime.main`` (what ``localstack start --host`` runs) with S3 only; ready when
    its health endpoint answers 200."""
    python = localstack_python()
    version = localstack_version(python)
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    store = LocalStore(
        "localstack", endpoint, ACCESS_KEY, SECRET_KEY, folder=folder, stop_grace=STOP_GRACE, version=version
    )
    command = [python, "-m", "localstack.runtime.main"]
    store.process = spawn(command, folder, runtime_environment(folder, port))
    wait_until_up(store, timeout, path=HEALTH_PATH, status=200)
    return store
