"""Fixtures of the S3 front's tests: `serve --wire s3` (plain HTTP, and HTTPS with a test PKI), and unmodified
boto3 clients in their default configuration (only the endpoint, region and credentials are given)."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import pytest
from ref_helpers import ALICE, EAST, NORTH, USERS, RefUser

from conformance.reference.launch import ReferenceProcess, start_reference

_names = itertools.count()
WIRE_S3 = ["--wire", "s3"]


def _tls_helpers():
    """tests/harness/tls_helpers.py (the test PKI), loaded by path."""
    path = Path(__file__).resolve().parents[2] / "harness" / "tls_helpers.py"
    spec = importlib.util.spec_from_file_location("s3_tls_helpers", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def s3_reference() -> Iterator[ReferenceProcess]:
    """`--wire s3` on free loopback ports (cn-north-1, cn-east-2), users alice and bob."""
    with start_reference(users=USERS, extra_args=WIRE_S3) as process:
        yield process


BotoFactory = Callable[..., object]


def boto_factory(reference: ReferenceProcess, **extra) -> BotoFactory:
    """A maker of boto3 S3 clients for `reference`: default configuration, one region's endpoint."""

    def make(region: str = NORTH, user: RefUser = ALICE, secret: str | None = None):
        return boto3.client(
            "s3",
            endpoint_url=reference.endpoints[region],
            region_name=region,
            aws_access_key_id=user.access_key,
            aws_secret_access_key=secret if secret is not None else user.secret_key,
            **extra,
        )

    return make


@pytest.fixture(scope="session")
def s3(s3_reference) -> BotoFactory:
    """boto3 clients for the plain-HTTP `--wire s3` endpoint."""
    return boto_factory(s3_reference)


@pytest.fixture(scope="session")
def s3_north(s3) -> str:
    """Alice's bucket in cn-north-1, created with CreateBucket (LocationConstraint)."""
    name = "s3-north"
    s3(NORTH).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": NORTH})
    return name


@pytest.fixture(scope="session")
def s3_east(s3) -> str:
    """Alice's bucket in cn-east-2."""
    name = "s3-east"
    s3(EAST).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": EAST})
    return name


@pytest.fixture
def s3_key(request: pytest.FixtureRequest) -> str:
    """A key unique to the test."""
    return f"{request.node.name}/{next(_names)}"


@pytest.fixture(scope="session")
def s3_https(tmp_path_factory) -> Iterator[tuple[ReferenceProcess, Path]]:
    """`--wire s3` over HTTPS (a test PKI): (the process, the CA file boto3 verifies with)."""
    pki = _tls_helpers().make_pki(tmp_path_factory.mktemp("s3-pki"))
    tls = ["--tls-cert", str(pki.server_cert), "--tls-key", str(pki.server_key)]
    with start_reference(users=USERS, extra_args=[*WIRE_S3, *tls]) as process:
        yield process, pki.ca
