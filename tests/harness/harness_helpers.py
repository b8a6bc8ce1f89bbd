"""Shared helpers of the harness tests: reference endpoints with known credentials, profiles, CLI runs.

Every server these tests need is started on 127.0.0.1 with `conformance.reference.launch`.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from conformance import operations as ops
from conformance.client import Credentials, JssClient
from conformance.paths import CASES_DIR

ACCESS_KEY = "HARNESSTESTAK0001"
SECRET_KEY = "hArNeSs-SeCrEt-0123456789-abcdefghijKLMNOP"
#: The endpoint's second account (owns no bucket): the profiles' [alt], for the access family.
ALT_ACCESS_KEY = "HARNESSTESTAK0002"
ALT_SECRET_KEY = "hArNeSs-AlT-SeCrEt-9876543210-zyxwvutsrqPONM"
ALT_PROFILE_LINES = (
    "[alt]", 'access_key_env = "HARNESS_ALT_ACCESS_KEY"', 'secret_key_env = "HARNESS_ALT_SECRET_KEY"'
)
NORTH_BUCKET = "harness-north"
EAST_BUCKET = "harness-east"
REPO = CASES_DIR.parent.parent
CLI_TIMEOUT = 300


@dataclass
class Endpoint:
    """A running reference endpoint with two users (the second owns nothing) and one bucket per region."""

    reference: object
    credentials: Credentials

    @property
    def endpoints(self) -> dict[str, str]:
        return self.reference.endpoints

    def client(self, region: str = "cn-north-1") -> JssClient:
        """An untracked client for the region's endpoint."""
        return JssClient(self.endpoints[region], self.credentials, timeout=10)

    def profile(self, directory: Path, name: str = "harness", alt: bool = True, **extra: str) -> Path:
        """A target profile for this endpoint (credentials by env variable names, see `clean_env()`), with
        the second account as [alt] unless `alt` is false."""
        lines = [
            f'name = "{name}"',
            f'endpoint = "{self.endpoints["cn-north-1"]}"',
            'dialect = "jss"',
            "[credentials]",
            'access_key_env = "HARNESS_ACCESS_KEY"',
            'secret_key_env = "HARNESS_SECRET_KEY"',
            *(ALT_PROFILE_LINES if alt else ()),
            "[[buckets]]",
            f'name = "{NORTH_BUCKET}"',
            'region = "cn-north-1"',
            "[[buckets]]",
            f'name = "{EAST_BUCKET}"',
            'region = "cn-east-2"',
            f'endpoint = "{self.endpoints["cn-east-2"]}"',
        ]
        path = directory / f"{name}.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without JSS_* variables, plus the harness credentials and `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JSS_")}
    env.update(HARNESS_ACCESS_KEY=ACCESS_KEY, HARNESS_SECRET_KEY=SECRET_KEY, PYTHONUNBUFFERED="1")
    env.update(HARNESS_ALT_ACCESS_KEY=ALT_ACCESS_KEY, HARNESS_ALT_SECRET_KEY=ALT_SECRET_KEY)
    env.update(extra)
    return env


HARNESS_USERS = (("harness", ACCESS_KEY, SECRET_KEY), ("harness-alt", ALT_ACCESS_KEY, ALT_SECRET_KEY))


@contextmanager
def reference_endpoint(
    deviations: tuple[str, ...] = (), users: tuple[tuple[str, str, str], ...] = HARNESS_USERS
) -> Iterator[Endpoint]:
    """Start a reference endpoint with `users` (name, access key, secret key; default the harness users: set
    the HARNESS_* variables of other users with `clean_env(...)`); the first one creates one bucket per
    region."""
    from conformance.reference.launch import start_reference

    with start_reference(users=list(users), deviations=deviations) as reference:
        endpoint = Endpoint(reference, Credentials(users[0][1], users[0][2]))
        for region, bucket in (("cn-north-1", NORTH_BUCKET), ("cn-east-2", EAST_BUCKET)):
            ops.put_bucket(endpoint.client(region), bucket)
        yield endpoint


#: How long one `npx allure generate` may take (the first one downloads the package).
NPX_TIMEOUT = 600


def npx_or_skip() -> str:
    """The path of node's npx; without it the calling test is skipped, unless JSS_CONFORMANCE_REQUIRE_NPX is
    set (CI sets it: there the Allure report tests must run), then it fails."""
    import pytest

    npx = shutil.which("npx")
    if npx is None:
        if os.environ.get("JSS_CONFORMANCE_REQUIRE_NPX"):
            pytest.fail("JSS_CONFORMANCE_REQUIRE_NPX is set but npx (node) is not on PATH")
        pytest.skip("npx (node) is not installed: cannot generate an Allure 3 report")
    return npx


def allure_generate(npx: str, folder: Path, output: Path) -> subprocess.CompletedProcess:
    """``npx <ALLURE_NPM> generate`` of `folder`/reports/allure-results with the run's allurerc.json, run in
    `folder` (as the run's render hint says), into `output`."""
    from conformance.harness.allure_config import ALLURE3_CONFIG, ALLURE_NPM

    results = Path("reports") / "allure-results"
    return subprocess.run(
        [npx, "--yes", ALLURE_NPM, "generate", "--config", str(results / ALLURE3_CONFIG), str(results),
         "-o", str(output)],
        cwd=folder, env=clean_env(), capture_output=True, text=True, timeout=NPX_TIMEOUT,
    )


@contextmanager
def serve(folder: Path, *args: str, users=None) -> Iterator[object]:
    """`jss-conformance serve ARGS` on free loopback ports, until the block ends (a ReferenceProcess)."""
    from conformance.reference.launch import ReferenceProcess, write_credentials

    work = folder / "serve"
    work.mkdir(exist_ok=True)
    command = [sys.executable, "-m", "conformance.cli", "serve", "--port", "0", *args]
    credentials = None
    if users is not None:
        credentials = work / "users.toml"
        write_credentials(credentials, users)
        command += ["--credentials", str(credentials)]
    log = work / "serve.log"
    with open(log, "wb") as handle:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=handle)
    reference = ReferenceProcess(process, work, folder / "data", False, credentials, log)
    try:
        reference.wait_ready(60)
        yield reference
    finally:
        reference.stop()


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class CliRun:
    """A finished `jss-conformance` subprocess."""

    status: int
    stdout: str
    stderr: str
    cwd: Path

    @property
    def results(self) -> dict:
        return json.loads((self.cwd / "reports" / "results.json").read_text(encoding="utf-8"))

    def outcomes(self) -> dict[str, str]:
        """case id -> outcome, from results.json (the cases outside the target's wire or rulebook,
        NOT_APPLICABLE by construction, left out)."""
        return {
            case["id"]: case["outcome"] for case in self.results["cases"]
            if case["outcome"] != "NOT_APPLICABLE" and case.get("expected", {}).get("source") != "dialect"
        }


def run_cli(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = CLI_TIMEOUT
) -> CliRun:
    """Run ``python -m conformance.cli ARGS`` in `cwd` and capture its output."""
    completed = subprocess.run(
        [sys.executable, "-m", "conformance.cli", *args],
        cwd=cwd, env=env or clean_env(), capture_output=True, text=True, timeout=timeout,
    )
    return CliRun(completed.returncode, completed.stdout, completed.stderr, cwd)


def run_pytest(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> CliRun:
    """Run ``python -m pytest ARGS`` in `cwd` (without the cache provider) and capture its output."""
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd, env=env or clean_env(), capture_output=True, text=True, timeout=CLI_TIMEOUT,
    )
    return CliRun(completed.returncode, completed.stdout, completed.stderr, cwd)


def list_all_objects(client: JssClient, bucket: str) -> dict[str, tuple[str, int]]:
    """key -> (etag, size) of every object in `bucket`."""
    found, marker = {}, None
    while True:
        listing = ops.list_objects(client, bucket, marker=marker, max_keys=1000)
        for entry in listing.entries:
            found[entry.key] = (entry.etag, entry.size)
        if not listing.has_next or not listing.entries:
            return found
        marker = listing.next_marker or listing.entries[-1].key
