"""The suite's side of the testbench: arm a fault script on the reference endpoint's admin route, read it
back, and read the recorder's lines about one key. The admin route takes only requests signed by the owner of
the script's bucket: each call here goes through a signing client (JSS or S3, the wire the endpoint speaks)
of that owner, the resource signed being ``/_testbench/faults[/<id>]``."""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import parse_qs

from conformance.client import JssClient

ADMIN = "/_testbench/faults"
#: The admin route as a signing client addresses it: a "bucket" and a "key" (no bucket name starts with _).
ADMIN_BUCKET, ADMIN_KEY = "_testbench", "faults"


class BenchError(RuntimeError):
    """The testbench did not do what the suite asked (an infrastructure problem, not the SDK's)."""


def admin_request(client: JssClient, method: str, script_id: str = "", body: bytes = b""):
    """One signed request to the admin route (`client` signs it as its wire does)."""
    key = ADMIN_KEY + (f"/{script_id}" if script_id else "")
    headers = {"Content-Type": "application/json"} if body else None
    return client.request(method, ADMIN_BUCKET, key, headers=headers, body=body)


def arm(client: JssClient, bucket: str, key: str, instructions: dict[str, list[str]]) -> str:
    """Create a script bound to exactly `key` (as key prefix) in `bucket` (of `client`'s account), its
    listings too (by their prefix parameter: other scenarios' listings of the bucket do not consume its
    instructions); returns its id."""
    script = {"bucket": bucket, "key_prefix": key, "listings": "prefix", "instructions": instructions}
    response = admin_request(client, "POST", body=json.dumps(script).encode())
    if response.status_code != 201:
        raise BenchError(f"the fault script was refused: {response.status_code} {response.text[:200]}")
    return response.json()["id"]


def read_back(client: JssClient, script_id: str) -> dict:
    """The script's read-back (fired, remaining, completed)."""
    response = admin_request(client, "GET", script_id)
    if response.status_code != 200:
        raise BenchError(f"the fault script {script_id} could not be read back: {response.status_code}")
    return response.json()


def disarm(client: JssClient, script_id: str) -> None:
    """Delete the script (what did not fire will not fire later)."""
    admin_request(client, "DELETE", script_id)


def records_for(path: Path, bucket: str, key: str, since: int = 0, until: int | None = None) -> list[dict]:
    """The recorder's lines `since` <= n < `until` about `key` in `bucket`: its own requests and the bucket's
    listings that name it (see `names_key`); other scenarios running at the same time write the same file."""
    if not path.exists():
        return []
    found = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if until is not None and number >= until:
                break
            if not line.endswith("\n"):
                break  # a line still being written (another scenario's answer, the recorder writes on)
            if number < since or not line.strip():
                continue
            record = json.loads(line)
            if record.get("bucket") == bucket and (record.get("key") == key or names_key(record, key)):
                found.append(record)
    return found


def names_key(record: dict, key: str) -> bool:
    """True when `record` is a bucket-level request (a listing) whose ``prefix`` names `key`: `key` starts
    with it and it is at least `key`'s folder (the part up to its last "/", the scenario's own folder), or it
    is `key` + "/" (a delimited listing of the objects under the key). A listing with a shorter prefix, or
    none, sees every scenario's keys and is no one scenario's."""
    if record.get("key") is not None:
        return False
    query = record.get("target", "").partition("?")[2]
    prefix = parse_qs(query, keep_blank_values=True).get("prefix", [""])[0]
    if prefix == f"{key}/":
        return True
    return bool(prefix) and key.startswith(prefix) and len(prefix) >= key.rfind("/") + 1


def settled_line_count(path: Path, quiet: float = 0.1, limit: float = 3.0) -> int:
    """The line count once the recorder has not written for `quiet` seconds (it writes a line just after the
    response is sent, so the last request of a driver that just exited may still be on its way)."""
    deadline = time.monotonic() + limit
    count = line_count(path)
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = line_count(path)
        if now == count:
            return count
        count = now
    return count


def line_count(path: Path) -> int:
    """How many lines the record file has now."""
    if not path.exists():
        return 0
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


class ReceivedBytes:
    """The request body bytes the endpoint received for one key, read from the record file as it grows
    (progress of a driver, which is a black box): only lines written after it was made count."""

    def __init__(self, path: Path, bucket: str, key: str) -> None:
        self.path, self.bucket, self.key = path, bucket, key
        self.offset = path.stat().st_size if path.exists() else 0
        self.total = 0

    def read(self) -> int:
        """The bytes received so far (the requests answered and recorded since this counter was made)."""
        if not self.path.exists():
            return self.total
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            chunk = handle.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]  # a line still being written waits for the next read
        self.offset += len(complete)
        for line in complete.splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            if record.get("bucket") == self.bucket and record.get("key") == self.key:
                self.total += int(record.get("body_bytes") or 0)
        return self.total
