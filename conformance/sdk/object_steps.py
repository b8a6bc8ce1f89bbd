"""The suite's side of the object steps of an SDK scenario (put-object, head, get-range, list-objects,
presign-get, presign-put, delete, abort-upload; see conformance.sdk.protocol): the step each driver is given
(its paths in the scenario's work folder), the small objects set up under the scenario's key for a listing,
what a HEAD reports, and the files the driver wrote set against the bytes they must hold."""

from __future__ import annotations

import hashlib
from pathlib import Path

from conformance import operations as ops
from conformance.sdk.data import file_md5
from conformance.sdk.scenarios import OBJECT_OPS, SIZED_OPS, Scenario

#: The user-metadata header prefix of each wire.
META_PREFIXES = {"jss": "x-jss-meta-", "s3": "x-amz-meta-"}
#: The steps this module prepares.
OBJECT_STEP_OPS = (*SIZED_OPS, *OBJECT_OPS)
#: The steps that write a file the judge checks.
FILE_OPS = ("get-range", "presign-get")


#: The folders a delimited listing's objects are spread over ("" is directly under the key).
DELIMITED_FOLDERS = ("a/", "b/", "")


def listed_keys(key: str, count: int, delimiter: str | None = None) -> list[str]:
    """The keys of the `count` objects set up under the scenario's key for a list-objects step (the key is
    their prefix, so the scenario's listing names them and no other scenario's). With a `delimiter` they are
    spread in turn over ``<key>/a/``, ``<key>/b/`` and ``<key>/`` itself (with "/" as the delimiter)."""
    if not delimiter:
        return [f"{key}/{number:03d}" for number in range(count)]
    folders = [folder.replace("/", delimiter) for folder in DELIMITED_FOLDERS]
    return [f"{key}/{folders[number % len(folders)]}{number:03d}" for number in range(count)]


def list_prefix(key: str, step: dict) -> str:
    """The prefix a list-objects step lists: the key, or ``<key>/`` when the step has a delimiter."""
    return f"{key}/" if step.get("delimiter") else key


def set_up_listed(client, bucket: str, keys: list[str]) -> None:
    """Store a few bytes at each of `keys`."""
    for key in keys:
        ops.put_object(client, bucket, key, f"listed object {key}\n".encode())


def delete_keys(client, bucket: str, keys: list[str]) -> None:
    """Delete each of `keys` (the clean-up of the objects set up for a listing)."""
    for key in keys:
        client.request("DELETE", bucket, key)


def head_facts(info, wire: str) -> dict:
    """What a HEAD of the object reports, as a driver reports it: size, ETag (unquoted), Content-Type and the
    user metadata (by name without its prefix, lowercase)."""
    prefix = META_PREFIXES[wire]
    metadata = {name.lower()[len(prefix):]: value for name, value in info.response.headers.items()
                if name.lower().startswith(prefix)}
    return {"size": info.size, "etag": info.etag, "content_type": info.response.headers.get("Content-Type"),
            "metadata": metadata}


def destination(work: Path, index: int, op: str) -> Path:
    """Where the step `index` (from 0) of `op` writes the bytes it fetched."""
    return work / f"{op}-{index + 1}.bin"


def object_step(step: dict, index: int, work: Path, source_path: Path, upload_id: str | None,
                key: str) -> dict:
    """The step as the driver gets it (protocol 1) for an object step of the scenario."""
    op = step["op"]
    given: dict = {"op": op}
    if op == "put-object":
        given.update(source=str(source_path), size=step["size"], content_type=step.get("content_type"),
                     content_md5=bool(step.get("content_md5", False)),
                     metadata=dict(step.get("metadata", {})))
    elif op == "get-range":
        given.update(start=step["start"], end=step["end"], destination=str(destination(work, index, op)))
    elif op == "list-objects":
        given.update(prefix=list_prefix(key, step), max_keys=step["max_keys"])
        if step.get("delimiter"):
            given["delimiter"] = step["delimiter"]
    elif op == "presign-get":
        given.update(expires=step["expires"], destination=str(destination(work, index, op)))
    elif op == "presign-put":
        given.update(source=str(source_path), expires=step["expires"])
    elif op == "abort-upload":
        given["upload_id"] = upload_id
    return given


def _range_md5(path: Path, start: int, end: int) -> str:
    with open(path, "rb") as handle:
        handle.seek(start)
        return hashlib.md5(handle.read(end - start + 1)).hexdigest()


def fetched_files(scenario: Scenario, work: Path, source_path: Path) -> dict[str, tuple[str | None, str]]:
    """For each step that writes a file: ``"<op> #<n>"`` -> (the MD5 of what the driver wrote, None when it
    wrote nothing; the MD5 the file must have: the range of the source, or the whole source)."""
    files = {}
    for index, step in enumerate(scenario.steps):
        if step["op"] not in FILE_OPS:
            continue
        if step["op"] == "get-range":
            wanted = _range_md5(source_path, step["start"], step["end"])
        else:
            wanted = file_md5(source_path) or ""
        files[f"{step['op']} #{index + 1}"] = (file_md5(destination(work, index, step["op"])), wanted)
    return files
