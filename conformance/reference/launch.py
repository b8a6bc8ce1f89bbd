"""Start the reference endpoint as a subprocess from Python (tests, the pytest plugin, benchmarks).

with start_reference(users=[("alice", "AK1", "SK1")]) as ref:
    ref.endpoints["cn-north-1"]   # "http://127.0.0.1:PORT"

with start_reference(extra_args=["--wire", "jss,s3"]) as ref:   # both wires over one data dir
    ref.wire_endpoints["s3"]["cn-north-1"]   # the S3 wire's socket of cn-north-1
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

READY_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class ReferenceStartError(RuntimeError):
    """The reference endpoint did not print its ready line (its stderr tail is in the message)."""


def _toml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string


def write_credentials(path: Path, users: Iterable[tuple[str, str, str]]) -> None:
    """Write a credentials file (``[[users]]`` name / access_key / secret_key), readable by its owner only."""
    lines = []
    for name, access_key, secret_key in users:
        lines += [
            "[[users]]",
            f"name = {_toml_string(name)}",
            f"access_key = {_toml_string(access_key)}",
            f"secret_key = {_toml_string(secret_key)}",
            "",
        ]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))


class ReferenceProcess:
    """A running reference endpoint. Use as a context manager, or call `stop()`."""

    def __init__(
        self,
        process: subprocess.Popen,
        work_dir: Path,
        data_dir: Path,
        remove_data_dir: bool,
        credentials_file: Path | None,
        log_path: Path,
    ) -> None:
        self.process = process
        self.work_dir = work_dir
        self.data_dir = data_dir
        self.credentials_file = credentials_file
        self.log_path = log_path
        self.endpoints: dict[str, str] = {}  # the first (or only) wire's base URL of each region
        self.wire_endpoints: dict[str, dict[str, str]] = {}  # every wire's: {wire: {region: url}}
        self.pid = process.pid
        self._remove_data_dir = remove_data_dir

    def stderr_tail(self, lines: int = 40) -> str:
        """The last `lines` lines the server logged."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, timeout: float) -> None:
        """Read the ready line (once; later calls return at once); ReferenceStartError on timeout, early exit
        or a malformed line."""
        if self.endpoints:
            return
        deadline = time.monotonic() + timeout
        buffer = b""
        fd = self.process.stdout.fileno()
        while b"\n" not in buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._fail(f"no ready line within {timeout:.0f} s")
            readable, _, _ = select.select([fd], [], [], min(remaining, 0.5))
            if readable:
                chunk = os.read(fd, 65536)
                if not chunk:
                    self.process.wait(timeout=STOP_TIMEOUT)
                    self._fail(f"exited with status {self.process.returncode} before it was ready")
                buffer += chunk
        try:
            ready = json.loads(buffer.split(b"\n", 1)[0])
            self.endpoints = dict(ready["endpoints"])
            self.wire_endpoints = {wire: dict(urls) for wire, urls in ready.get("wires", {}).items()}
        except (ValueError, KeyError, TypeError):
            self._fail(f"printed a malformed ready line: {buffer[:200]!r}")

    def _fail(self, why: str) -> None:
        tail = self.stderr_tail()
        self.stop()
        raise ReferenceStartError(f"reference endpoint {why}; stderr tail:\n{tail}")

    def stop(self) -> None:
        """Terminate the server (SIGTERM, SIGKILL after 10 s); remove what `start_reference` created."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        if self._remove_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        shutil.rmtree(self.work_dir, ignore_errors=True)

    def __enter__(self) -> ReferenceProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_reference(
    regions: Sequence[str] = ("cn-north-1", "cn-east-2"),
    users: Iterable[tuple[str, str, str]] | None = None,
    data_dir: str | os.PathLike | None = None,
    deviations: Sequence[str] = (),
    min_part_size: int | None = None,
    extra_args: Sequence[str] = (),
    ready_timeout: float = READY_TIMEOUT,
) -> ReferenceProcess:
    """Start ``python -m conformance.reference`` on free loopback ports and wait until it is ready.

    `users` are (name, access_key, secret_key) tuples, written to a temporary credentials file (0600); None
    uses the server's built-in test user (``conformance.reference.config.BUILTIN_USER``). Without `data_dir`,
    a temporary one is created and removed by `stop()`. The server's stderr goes to a log file in a temporary
    folder (``.log_path``, ``.stderr_tail()``), removed by `stop()` too.
    """
    reference = spawn_reference(regions, users, data_dir, deviations, min_part_size, extra_args)
    try:
        reference.wait_ready(ready_timeout)
    except BaseException:  # an interrupt while waiting leaves nothing running either
        reference.stop()
        raise
    return reference


def spawn_reference(
    regions: Sequence[str] = ("cn-north-1", "cn-east-2"),
    users: Iterable[tuple[str, str, str]] | None = None,
    data_dir: str | os.PathLike | None = None,
    deviations: Sequence[str] = (),
    min_part_size: int | None = None,
    extra_args: Sequence[str] = (),
) -> ReferenceProcess:
    """Like `start_reference`, without waiting: the server starts while the caller goes on; call
    ``wait_ready(timeout)`` before using ``.endpoints`` (or `stop()` it)."""
    work_dir = Path(tempfile.mkdtemp(prefix="jss-reference-run-"))
    remove_data_dir = data_dir is None
    data_path = Path(tempfile.mkdtemp(prefix="jss-reference-data-")) if remove_data_dir else Path(data_dir)
    command = [
        sys.executable,
        "-m",
        "conformance.reference",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--data-dir",
        str(data_path),
    ]
    for region in regions:
        command += ["--region", region]
    credentials_file = None
    if users is not None:
        credentials_file = work_dir / "credentials.toml"
        write_credentials(credentials_file, users)
        command += ["--credentials", str(credentials_file)]
    for name in deviations:
        command += ["--deviate", name]
    if min_part_size is not None:
        command += ["--min-part-size", str(int(min_part_size))]
    command += list(extra_args)
    log_path = work_dir / "reference.log"
    try:
        with open(log_path, "wb") as log_file:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log_file
            )
    except BaseException:
        if remove_data_dir:
            shutil.rmtree(data_path, ignore_errors=True)
        shutil.rmtree(work_dir, ignore_errors=True)
        raise
    return ReferenceProcess(process, work_dir, data_path, remove_data_dir, credentials_file, log_path)
