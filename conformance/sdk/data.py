"""The source bytes of a scenario: written to a file (deterministic per scenario id), with the MD5 and the
final ETag their multipart upload must end with: on the JSS wire the md5 of the concatenated hex part MD5s,
no "-N" (complete.etag.formula); on the S3 wire the md5 of the concatenated binary part digests, "-N"
(complete.etag.s3-formula)."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from conformance.sdk.judge import Source

CHUNK = 4 * 1024 * 1024


#: The clause that states the multipart ETag formula of each wire.
ETAG_CLAUSES = {"jss": "complete.etag.formula", "s3": "complete.etag.s3-formula"}


def multipart_etag(part_digests: list[str], wire: str = "jss") -> str:
    """The ETag of an object completed from parts of these hex MD5s, by the formula of `wire`."""
    if wire == "s3":
        joined = b"".join(bytes.fromhex(digest) for digest in part_digests)
        return f"{hashlib.md5(joined).hexdigest()}-{len(part_digests)}"
    return hashlib.md5("".join(part_digests).encode("ascii")).hexdigest()


def write_source(path: Path, size: int, seed: str, part_size: int | None, wire: str = "jss") -> Source:
    """Write `size` pseudo-random bytes (seeded by `seed`) to `path`; their Source (the ETag of a multipart
    upload in parts of `part_size` on `wire`)."""
    generator = random.Random(seed)
    whole = hashlib.md5()
    part_digests: list[str] = []
    part = hashlib.md5()
    in_part = 0
    with open(path, "wb") as handle:
        written = 0
        while written < size:
            chunk = generator.randbytes(min(CHUNK, size - written))
            handle.write(chunk)
            whole.update(chunk)
            written += len(chunk)
            while part_size and chunk:
                take = chunk[: part_size - in_part]
                part.update(take)
                in_part += len(take)
                chunk = chunk[len(take):]
                if in_part == part_size:
                    part_digests.append(part.hexdigest())
                    part, in_part = hashlib.md5(), 0
    if part_size and in_part:
        part_digests.append(part.hexdigest())
    etag = multipart_etag(part_digests, wire) if part_size else None
    return Source(whole.hexdigest(), size, etag, ETAG_CLAUSES[wire])


def file_md5(path: Path) -> str | None:
    """The MD5 of a file, None when it does not exist."""
    if not path.is_file():
        return None
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
