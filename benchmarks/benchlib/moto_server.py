"""moto's S3 server (`python -m moto.server`) in its own process on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free on `host` a moment ago."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class MotoServer:
    """A `python -m moto.server` child process; a context manager that always stops it.

    It runs in its own interpreter (like the reference endpoint) so that server and client never share
    a GIL. Its request log goes to a temporary file that is removed on stop; the tail is shown when the
    server fails to come up.
    """

    def __init__(self, host: str = "127.0.0.1", startup_timeout: float = 30.0) -> None:
        self.host = host
        self.port = free_port(host)
        self.endpoint = f"http://{host}:{self.port}"
        self.startup_timeout = startup_timeout
        handle, name = tempfile.mkstemp(prefix="bench-moto-", suffix=".log")
        os.close(handle)
        self._log_path = Path(name)
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The server's process id."""
        assert self._process is not None, "server not started"
        return self._process.pid

    def start(self) -> MotoServer:
        """Start the server and wait until it answers HTTP."""
        command = [sys.executable, "-m", "moto.server", "-H", self.host, "-p", str(self.port)]
        with self._log_path.open("wb") as log:
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            try:
                requests.get(f"{self.endpoint}/moto-api/", timeout=1)
                return self
            except requests.ConnectionError:
                time.sleep(0.1)
        tail = self.log_tail()
        self.stop()
        raise RuntimeError(f"moto server did not come up on {self.endpoint}; log tail:\n{tail}")

    def log_tail(self, limit: int = 2000) -> str:
        """The last `limit` characters of the server's log."""
        return self._log_path.read_text(errors="replace")[-limit:]

    def stop(self) -> None:
        """Terminate the server (kill after 10 s) and remove its log."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log_path.unlink(missing_ok=True)

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
