"""The driver protocol: one JSON scenario on the driver's stdin, one JSON result on its stdout.

Input (protocol 1)::

    {"protocol": 1, "wire": "jss" | "s3", "scenario": "multipart-standard", "endpoint": "http://127.0.0.1:PORT",
     "region": "cn-north-1", "credentials": {"access_key": "...", "secret_key": "..."},
     "bucket": "jssc-north", "key": "jssc-.../multipart-standard", "work_dir": "/tmp/...",
     "steps": [{"op": "multipart-upload", "source": "/tmp/.../source.bin", "size": N, "part_size": M,
                "storage_class": "STANDARD" | null, "encryption": true | false | null},
               {"op": "resume-upload", "upload_id": "...", "source": ..., "size": N, "part_size": M},
               {"op": "download", "destination": "/tmp/.../download.bin"},
               {"op": "list-parts", "upload_id": "...", "max_parts": 1},
               {"op": "list-uploads", "prefix": "jssc-.../list-paged", "max_uploads": 1}]}

``list-parts`` and ``list-uploads`` (added within protocol 1): ListParts of the scenario's upload paged by
``max_parts`` (the next page asked with ``part-number-marker`` = the last part number seen, until a page
comes back short), and ListMultipartUploads with ``prefix`` and ``max_uploads`` (more pages by
``key-marker`` / ``upload-id-marker`` when the answer is truncated). The driver reports what it saw in its
result: ``"listed": {"parts": [1, 2, ...], "uploads": [{"key": "...", "upload_id": "..."}, ...]}``; the
judge checks it against the upload the suite set up.

The object steps (added within protocol 1; every path is prepared by the suite in ``work_dir``, the key is
the scenario's ``key``)::

    {"op": "put-object", "source": PATH, "size": N, "content_type": "text/plain" | null,
     "content_md5": true | false, "metadata": {"color": "blue", ...}}
    {"op": "head"}
    {"op": "get-range", "start": A, "end": B, "destination": PATH}
    {"op": "list-objects", "prefix": "...", "max_keys": K, "delimiter": "/"}  (delimiter optional)
    {"op": "presign-get", "expires": 300, "destination": PATH}
    {"op": "presign-put", "source": PATH, "expires": 300}
    {"op": "delete"}
    {"op": "abort-upload", "upload_id": "..."}

``put-object``: one PutObject of the file with its Content-Type, a Content-MD5 header (the body's MD5) when
``content_md5`` is true, and the user metadata (``x-jss-meta-<name>`` on JSS, ``x-amz-meta-<name>`` on S3) the
way the SDK sends them. ``head``: HeadObject; the driver reports what the SDK returned in its result,
``"head": {"size": N, "etag": "...", "content_type": "...", "metadata": {...}}``. ``get-range``: a GET with
``Range: bytes=A-B`` (inclusive), the bytes written to ``destination``. ``list-objects``: ListObjects with
``prefix`` (the suite stored a few objects under it), paged by ``marker`` in pages of ``max_keys`` (S3:
ListObjects v1 Marker; an SDK that only pages with V2 continuation tokens may use them) until not truncated;
reported as ``"listed": {"objects": ["key", ...]}``. With ``delimiter`` (the prefix is then ``<key>/``) every
page sends ``delimiter`` and the common prefixes are reported too: ``"listed": {"objects": [...],
"object_prefixes": ["<key>/a/", ...]}``. ``presign-get`` / ``presign-put``: a presigned URL made
by the SDK (valid ``expires`` seconds), fetched / uploaded to with a plain HTTP client (no SDK signing).
``delete``: DeleteObject of the key. ``abort-upload``: AbortMultipartUpload of the upload the suite set up.
A driver whose SDK cannot do a step answers ``unsupported`` listing that op.

``wire`` (added within protocol 1; a driver that ignores it speaks JSS, as before) is the API the endpoint
speaks: ``jss`` the JSS REST API, ``s3`` the S3 REST API (SigV4, path-style addressing at ``endpoint``, the
credential scope's region ``region``, service ``s3``).

Output: the last line of stdout is one JSON object
``{"status": "ok" | "failed" | "unsupported", "message": "...", "unsupported": ["step op", ...],
"listed": {...}, "head": {...}}``:
``ok`` the steps were performed, ``failed`` the SDK gave up (with its error in ``message``), ``unsupported``
the SDK cannot do a step (the scenario is NOT_IMPLEMENTED for it). Anything else on stdout before that line
and everything on stderr is kept as the driver's log.

A driver that gives no usable result (it crashed, printed no JSON line, could not start or ran over its time)
is an infrastructure failure, not the SDK's: :attr:`DriverRun.infra` is True and the scenario is INFRA_ERROR
(exit status 3) with the tail of the driver's stderr. The driver runs in a process group of its own; on
timeout the whole group (its children too) is killed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

PROTOCOL = 1
STATUSES = ("ok", "failed", "unsupported")
LOG_TAIL = 4000
#: How much of the driver's stderr an INFRA_ERROR message shows (its last lines, at most this many chars).
STDERR_TAIL_LINES, STDERR_TAIL_CHARS = 15, 1500
#: How often (seconds) the runner wakes while the driver runs, to call its `on_tick`.
TICK = 1.0


@dataclass
class DriverRun:
    """What one run of the driver gave: its result (None when it printed none), status, log, duration."""

    result: dict | None
    returncode: int | None
    log: str
    seconds: float
    problem: str = ""  # why there is no usable result
    stderr: str = ""  # the tail of the driver's stderr (LOG_TAIL characters at most)

    @property
    def infra(self) -> bool:
        """True when the driver gave no usable result (crash, no JSON, no start, timeout): not the SDK's
        verdict but an infrastructure failure."""
        return self.result is None

    def stderr_tail(self) -> str:
        """The last lines of the driver's stderr (for an INFRA_ERROR message; mask secrets before showing)."""
        lines = self.stderr.rstrip().splitlines()[-STDERR_TAIL_LINES:]
        return "\n".join(lines)[-STDERR_TAIL_CHARS:]


def parse_result(stdout: str) -> tuple[dict | None, str]:
    """The driver's result from its stdout (the last non-empty line), or (None, why not)."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        return None, "the driver printed no result line"
    try:
        result = json.loads(lines[-1])
    except ValueError:
        return None, f"the driver's last line is not JSON: {lines[-1][:200]!r}"
    if not isinstance(result, dict) or result.get("status") not in STATUSES:
        return None, f"the driver's result has no status of {', '.join(STATUSES)}: {lines[-1][:200]!r}"
    return result, ""


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the process group of `process` (it leads one: started with start_new_session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _text(data: str | bytes | None) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data or ""


def _communicate(process: subprocess.Popen, stdin: str, timeout: float,
                 on_tick: Callable[[], None] | None) -> tuple[str, str, bool]:
    """Feed `stdin`, collect stdout and stderr until the driver exits: (stdout, stderr, timed out). Wakes
    every TICK seconds to call `on_tick`; on timeout kills the driver's whole process group."""
    deadline = time.monotonic() + timeout
    pending: str | None = stdin
    while True:
        wait = max(0.0, min(TICK, deadline - time.monotonic()))
        try:
            stdout, stderr = process.communicate(pending, timeout=wait)
            return stdout, stderr, False
        except subprocess.TimeoutExpired:
            pending = None  # communicate keeps what it read and what it still has to send
            if process.poll() is not None:  # the driver is gone; a child of it still holds its pipes
                kill_group(process)
                stdout, stderr = process.communicate()
                return _text(stdout), _text(stderr), False
            if time.monotonic() >= deadline:
                kill_group(process)
                stdout, stderr = process.communicate()
                return _text(stdout), _text(stderr), True
            if on_tick is not None:
                on_tick()


def run_driver(command: str, payload: dict, timeout: float, cwd: str | None = None,
               on_tick: Callable[[], None] | None = None) -> DriverRun:
    """Run the driver command (split like a shell line, no shell) with `payload` on stdin, in a process group
    of its own (killed whole on timeout; what it left running is killed when it exits). `on_tick` is called
    about every TICK seconds while it runs (progress)."""
    argv = shlex.split(command)
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd,
            start_new_session=True,
        )
    except OSError as exc:
        return DriverRun(None, None, "", time.monotonic() - started, f"the driver could not start: {exc}")
    try:
        stdout, stderr, timed_out = _communicate(process, json.dumps(payload), timeout, on_tick)
    finally:
        kill_group(process)  # no child of the driver outlives its run
    seconds = time.monotonic() - started
    stderr_tail = stderr[-LOG_TAIL:]
    if timed_out:
        return DriverRun(None, None, (stdout + stderr)[-LOG_TAIL:], seconds,
                         f"the driver ran over {timeout:g} s (its process group was killed)", stderr_tail)
    log = (stdout.rsplit("\n", 2)[0] if stdout else "") + stderr
    result, problem = parse_result(stdout)
    if result is None and process.returncode:
        problem += f" (exit status {process.returncode})"
    return DriverRun(result, process.returncode, log[-LOG_TAIL:], seconds, problem, stderr_tail)
