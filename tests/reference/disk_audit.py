"""An audit of a reference endpoint's data dir, written apart from the server's own code (it must not
confirm the server with the server's logic): which files nothing names, and how many bytes the data holds.

Layout read (see conformance/reference/storage.py and uploads.py): buckets/<b>/objects/<hh>/<h>.json names its
data files in "data" (one name or a list); buckets/<b>/uploads/<id>/upload.json, part-NNNNN.json each naming
its "data"; tmp/ holds work in progress and nothing once a server has started and is idle.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Audit:
    """Files of a data dir nothing names (orphans), and the bytes of its files (each inode once)."""

    orphans: list[str] = field(default_factory=list)
    bytes_on_disk: int = 0  # buckets/ and tmp/ together, a file with several links counted once
    tmp_files: int = 0


def _named(folder: Path, pattern: str) -> set[str]:
    names: set[str] = set()
    for meta_path in folder.glob(pattern):
        data = json.loads(meta_path.read_bytes())["data"]
        names |= {data} if isinstance(data, str) else set(data)
    return names


def _unique_bytes(*roots: Path) -> int:
    seen, total = set(), 0
    for root in roots:
        for folder, _, files in os.walk(root):
            for name in files:
                status = os.lstat(os.path.join(folder, name))
                if status.st_ino not in seen:
                    seen.add(status.st_ino)
                    total += status.st_size
    return total


def audit(data_dir: Path) -> Audit:
    """Audit `data_dir` (no server may be writing to it)."""
    result = Audit()
    for bucket in sorted((data_dir / "buckets").iterdir()):
        if not (bucket / "bucket.json").exists():
            result.orphans.append(str(bucket))
            continue
        for shard in (bucket / "objects").iterdir():
            named = _named(shard, "*.json")
            result.orphans += [str(p) for p in shard.glob("*.data") if p.name not in named]
        for upload in (bucket / "uploads").iterdir():
            if not (upload / "upload.json").exists():
                result.orphans.append(str(upload))
                continue
            named = _named(upload, "part-*.json")
            result.orphans += [str(p) for p in upload.glob("*.data") if p.name not in named]
    result.bytes_on_disk = _unique_bytes(data_dir / "buckets", data_dir / "tmp")
    result.tmp_files = sum(len(files) for _, _, files in os.walk(data_dir / "tmp"))
    return result
