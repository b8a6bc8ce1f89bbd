"""Shared helpers of the conformance cases: parameter tables, deterministic payloads, small arrangements.

Nothing here asserts: the cases do, one behaviour each.
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance import operations as ops
from conformance.client import JssClient
from conformance.paths import fixtures_dir

STANDARD = "STANDARD"
REDUCED_REDUNDANCY = "REDUCED_REDUNDANCY"


@functools.cache
def table(name: str) -> dict[str, Any]:
    """The parameter table fixtures/cases/<name>.toml."""
    with open(fixtures_dir() / "cases" / f"{name}.toml", "rb") as handle:
        return tomllib.load(handle)


#: The only region where REDUCED_REDUNDANCY is accepted (North China).
RR_REGION: str = table("storage_class")["rr_region"]


def params(rows: list[Mapping[str, Any]]) -> list[Any]:
    """pytest params of table rows: the row's `name` is the id, a `clause` it names marks the param as the
    row's own clause (``row=True``: reported first, before the clauses of the case's decorator), and the
    clauses of its `field_clauses` (fields checked as clauses of their own) follow it."""
    return [pytest.param(row, id=row["name"], marks=_clause_marks(row)) for row in rows]


def _clause_marks(row: Mapping[str, Any]) -> list[Any]:
    own = [row["clause"]] if "clause" in row else []
    own += list(dict.fromkeys(row.get("field_clauses", {}).values()))
    return [pytest.mark.clause(*own, row=True)] if own else []


@functools.lru_cache(maxsize=16)
def payload(size: int, seed: int = 0) -> bytes:
    """`size` deterministic pseudo-random bytes for `seed` (never stored in the repository): SHAKE-128's
    output for the seed and size, about 1.6 times as fast as `random.randbytes` (a run makes some 40 MB)."""
    return hashlib.shake_128(f"jss-conformance/{seed}/{size}".encode()).digest(size)


def md5_hex(data: bytes) -> str:
    """Lowercase hex MD5 of `data`."""
    return hashlib.md5(data).hexdigest()


def multipart_etag(part_etags: list[str]) -> str:
    """The documented final ETag: MD5 of the concatenated lowercase hex part ETags, in part order."""
    return md5_hex("".join(etag.lower() for etag in part_etags).encode("ascii"))


def small_part(seed: int = 0) -> bytes:
    """A small part (the final part of an upload, or one never completed)."""
    return payload(table("lifecycle")["small_part_bytes"], seed)


def sized_part(expect: Mapping[str, Any], offset: int = 0, seed: int = 0) -> bytes:
    """A part of the target's minimum part size plus `offset` bytes."""
    return payload(int(expect["min_part_size"]) + offset, seed)


def padded_key(base: str, total_bytes: int, filler: str = "x") -> str:
    """`base` padded with `filler` to exactly `total_bytes` UTF-8 bytes."""
    missing = total_bytes - len(base.encode("utf-8"))
    if missing < 0:
        raise ValueError(f"the key is already longer than {total_bytes} bytes")
    return base + filler * missing


def require_paging(expect: Mapping[str, Any]) -> None:
    """NOT_IMPLEMENTED when the target's profile says it does not honour the paging parameters."""
    from conformance.outcomes import NotImplementedByTarget

    if not expect["paging_parameters"]:
        raise NotImplementedByTarget("the target's profile says paging parameters are not honoured")


def require_expected(expected: bool, feature: str) -> None:
    """NOT_IMPLEMENTED when the target's profile says (a boolean expectation, `expected`) that it does not do
    `feature`."""
    from conformance.outcomes import NotImplementedByTarget

    if not expected:
        raise NotImplementedByTarget(f"the target's profile says it has no {feature}")


def virtual_host(bucket: str, endpoint: str, expect: Mapping[str, Any]) -> str:
    """The Host header of a virtual-host request for `bucket` (service domain from the expectations)."""
    parts = urlsplit(endpoint)
    domain = expect["virtual_host_domain"] or parts.hostname
    return f"{bucket}.{domain}" + (f":{parts.port}" if parts.port else "")


def uploaded(client: JssClient, bucket: str, key: str, parts: list[tuple[int, bytes]], **initiate_args: Any):
    """Initiate an upload of `key` and upload `parts` ((number, bytes) in that order).

    Returns (upload, [(number, etag), ...]) with the ETags the target returned.
    """
    upload = ops.initiate(client, bucket, key, **initiate_args)
    etags = [
        (number, ops.upload_part(client, bucket, key, upload.upload_id, number, data).etag)
        for number, data in parts
    ]
    return upload, etags


def listed_upload(client: JssClient, bucket: str, key: str, upload_id: str) -> ops.UploadInfo | None:
    """The ListMultipartUploads entry of `upload_id` (listing with the key as prefix), or None."""
    listing = ops.list_uploads(client, bucket, prefix=key)
    return next((u for u in listing.uploads if u.upload_id == upload_id and u.key == key), None)
