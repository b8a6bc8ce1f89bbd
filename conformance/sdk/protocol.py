"""The driver protocol: one JSON scenario on the driver's stdin, one JSON result on its stdout.

Input (protocol 1)::

    {"protocol": 1, "wire": "jss" | "s3", "scenario": "multipart-standard", "endpoint": "http://127.0.0.1:PORT",
     "region": "cn-north-1", "credentials": {"access_key": "...", "secret_key": "..."},
     "bucket": "jssc-north", "key": "jssc-.../multipart-standard", "work_dir": "/tmp/...",
     "steps": [{"op": "multipart-upload", "source": "/tmp/.../source.bin", "size": N, "part_size": M,
                "storage_class": "STANDARD" | null, "encryption": true | false | null},
               {"op": "resume-upload", "upload_id": "...", "source": ..., "size": N, "part_size": M},
               {"op": "download", "destination": "/tmp/.../download.bin"}]}

``wire`` (added within protocol 1; a driver that ignores it speaks JSS, as before) is the API the endpoint
speaks: ``jss`` the JSS REST API, ``s3`` the S3 REST API (SigV4, path-style addressing at ``endpoint``, the
credential scope's region ``region``, service ``s3``).

Output: the last line of stdout is one JSON object
``{"status": "ok" | "failed" | "unsupported", "message": "...", "unsupported": ["step op", ...]}``:
``ok`` the steps were performed, ``failed`` the SDK gave up (with its error in ``message``), ``unsupported``
the SDK cannot do a step (the scenario is NOT_IMPLEMENTED for it). Anything else on stdout before that line
and everything on stderr is kept as the driver's log.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import time
from dataclasses import dataclass

PROTOCOL = 1
STATUSES = ("ok", "failed", "unsupported")
LOG_TAIL = 4000


@dataclass
class DriverRun:
    """What one run of the driver gave: its result (None when it printed none), status, log, duration."""

    result: dict | None
    returncode: int | None
    log: str
    seconds: float
    problem: str = ""  # why there is no usable result


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


def run_driver(command: str, payload: dict, timeout: float, cwd: str | None = None) -> DriverRun:
    """Run the driver command (split like a shell line, no shell) with `payload` on stdin."""
    argv = shlex.split(command)
    started = time.monotonic()
    try:
        completed = subprocess.run(
            argv, input=json.dumps(payload), capture_output=True, text=True, timeout=timeout, cwd=cwd,
        )
    except subprocess.TimeoutExpired as exc:
        log = (exc.stderr or b"")[-LOG_TAIL:]
        log = log.decode("utf-8", "replace") if isinstance(log, bytes) else log
        return DriverRun(None, None, log, time.monotonic() - started, f"the driver ran over {timeout:g} s")
    except OSError as exc:
        return DriverRun(None, None, "", time.monotonic() - started, f"the driver could not start: {exc}")
    seconds = time.monotonic() - started
    log = (completed.stdout.rsplit("\n", 2)[0] if completed.stdout else "") + completed.stderr
    result, problem = parse_result(completed.stdout)
    if result is None and completed.returncode:
        problem += f" (exit status {completed.returncode})"
    return DriverRun(result, completed.returncode, log[-LOG_TAIL:], seconds, problem)
