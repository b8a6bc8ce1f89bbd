"""Start the servers an upload benchmark compares, each ready with an empty bucket."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import requests

from .moto_server import MotoServer
from .wire import UploadWire
from .wire_jss import JssWire
from .wire_s3 import S3Wire

BUCKET = "bench-upload"
REFERENCE_REGION = "cn-north-1"


@dataclass
class Server:
    """A started server: its display name, its process id (for RSS) and a wire bound to its bucket."""

    name: str
    pid: int
    wire: UploadWire


def reference_pid(handle: object) -> int:
    """The server pid of a `ReferenceProcess` (`.pid`, else its Popen's pid)."""
    pid = getattr(handle, "pid", None)
    if pid is None:
        process = getattr(handle, "process", None) or getattr(handle, "_process", None)
        pid = getattr(process, "pid", None)
    if pid is None:
        raise RuntimeError("the reference handle exposes no pid (expected .pid or .process.pid)")
    return int(pid)


@contextmanager
def reference_server(
    session: requests.Session, min_part_size: int | None, timeout: float
) -> Iterator[Server]:
    """The embedded reference endpoint (one region, one throwaway user) via `start_reference`."""
    from conformance.reference.launch import start_reference

    access_key, secret_key = f"BENCH{secrets.token_hex(6).upper()}", secrets.token_urlsafe(30)
    with start_reference(
        regions=(REFERENCE_REGION,), users=[("bench", access_key, secret_key)], min_part_size=min_part_size
    ) as handle:
        wire = JssWire(handle.endpoints[REFERENCE_REGION], BUCKET, session, access_key, secret_key, timeout)
        wire.create_bucket()
        try:
            yield Server("reference", reference_pid(handle), wire)
        finally:
            _quietly(wire.delete_bucket)


@contextmanager
def moto_server(session: requests.Session, timeout: float) -> Iterator[Server]:
    """moto's S3 server in its own process."""
    with MotoServer() as moto:
        wire = S3Wire(moto.endpoint, BUCKET, session, timeout=timeout)
        wire.create_bucket()
        try:
            yield Server("moto", moto.pid, wire)
        finally:
            _quietly(wire.delete_bucket)


@contextmanager
def juicefs_server(session: requests.Session, timeout: float) -> Iterator[Server]:
    """The JuiceFS S3 gateway (sqlite metadata, local data folder) via `conformance.stores`; SigV4 checked.

    Started with ``--keep-etag``: without it the gateway answers HEAD with an empty ETag, which the
    benchmark's verification refuses."""
    import tempfile
    from pathlib import Path

    from conformance.stores.launch import start_juicefs

    folder = Path(tempfile.mkdtemp(prefix="bench-juicefs-"))
    with start_juicefs(folder, gateway_args=("--keep-etag",)) as store:
        wire = S3Wire(store.endpoint, BUCKET, session, store.access_key, store.secret_key, timeout=timeout)
        wire.create_bucket()
        try:
            yield Server("juicefs", store.process.pid, wire)
        finally:
            _quietly(wire.delete_bucket)


def _quietly(action) -> None:
    with suppress(requests.RequestException, RuntimeError):
        action()
