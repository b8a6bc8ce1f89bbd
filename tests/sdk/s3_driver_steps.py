"""Shared by the step tests of the three third-party S3 drivers (tests/sdk/test_sdk_s3_driver_*.py): the
embedded endpoint on the S3 wire behind a request capture, the drivers' commands, and running one driver
on a protocol-1 scenario made of the given steps."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from request_capture import RequestCapture

from conformance import operations as ops
from conformance.client import Credentials
from conformance.client_s3 import S3Client
from conformance.reference.launch import start_reference
from conformance.sdk.protocol import PROTOCOL, run_driver

USER = ("alice", "AKH1BSTEPS", "h1b-steps-secret-key-0123456789abcdef")
BUCKET = "h1b-steps"
REGION = "cn-north-1"
ROOT = Path(__file__).resolve().parents[2]
JS_DIR = ROOT / "tools" / "sdk-drivers" / "aws-sdk-js"
DRIVERS = {
    "boto3": f"{sys.executable} -m conformance.sdk.drivers.s3_boto3",
    "minio": f"{sys.executable} -m conformance.sdk.drivers.s3_minio",
    "aws-sdk-js": f"node {JS_DIR / 'driver.mjs'}",
}
#: The steps each SDK cannot do (answered "unsupported"); minio: no public AbortMultipartUpload, and no way
#: to send Content-MD5 with put_object over plain HTTP (it sends x-amz-content-sha256 there instead).
UNSUPPORTED = {"minio": {"abort-upload", "put-object with content_md5"}}


def supports(driver: str, what: str) -> bool:
    """Whether the driver's SDK can do `what` (a step op, or a named variant of one)."""
    return what not in UNSUPPORTED.get(driver, set())


class Bench:
    """The endpoint (behind the capture), the suite's own S3 client on it, and a driver runner."""

    def __init__(self, endpoint: str, capture: RequestCapture) -> None:
        self.capture = capture
        self.client = S3Client(endpoint, Credentials(USER[1], USER[2]), region=REGION)

    def drive(self, driver: str, key: str, steps: list[dict], work_dir: Path) -> dict:
        """Run `driver` on a scenario of `steps` for `key` (through the capture); its result line."""
        self.capture.clear()
        payload = {"protocol": PROTOCOL, "wire": "s3", "scenario": "driver-steps", "endpoint":
                   self.capture.endpoint, "region": REGION,
                   "credentials": {"access_key": USER[1], "secret_key": USER[2]}, "bucket": BUCKET,
                   "key": key, "work_dir": str(work_dir), "steps": steps}
        run = run_driver(DRIVERS[driver], payload, timeout=120, cwd=str(ROOT))
        assert not run.infra, f"{run.problem}\n{run.stderr_tail()}"
        return run.result

    def put(self, key: str, body: bytes) -> None:
        """Store an object with the suite's own client."""
        ops.put_object(self.client, BUCKET, key, body)


def bench_for_module():
    """The module fixture's body: the S3 wire started with its bucket, behind a request capture."""
    with start_reference(users=[USER], extra_args=["--wire", "s3"]) as ref:
        endpoint = ref.endpoints[REGION]
        ops.put_bucket(S3Client(endpoint, Credentials(USER[1], USER[2]), region=REGION), BUCKET)
        with RequestCapture(int(endpoint.rsplit(":", 1)[1])) as capture:
            yield Bench(endpoint, capture)


def install_aws_sdk_js(lock_dir: Path) -> None:
    """`npm ci` in the aws-sdk-js driver's folder unless its packages are there (one xdist worker at a time:
    a lock file in `lock_dir`, a folder all workers share); skipped without node / npm unless
    JSS_CONFORMANCE_REQUIRE_NPX is set (CI), where it fails."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        if os.environ.get("JSS_CONFORMANCE_REQUIRE_NPX"):
            pytest.fail("node and npm are required (JSS_CONFORMANCE_REQUIRE_NPX is set)")
        pytest.skip("node / npm not installed: the aws-sdk-js driver cannot run")
    with open(lock_dir / "aws-sdk-js-npm-ci.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (JS_DIR / "node_modules" / "@aws-sdk" / "s3-request-presigner").is_dir():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=JS_DIR, check=True,
                           timeout=300)
