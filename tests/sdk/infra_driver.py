"""Drivers that fail the way infrastructure fails (or that answer without failing), for the tests of the
driver runner and of `jss-conformance sdk`'s exit status: ``python infra_driver.py MODE [FILE]``.

Modes: ``exit3`` (writes the payload's secret key to FILE and, with a line of log, to stderr; exits 3 with
no result line), ``no-json`` (prints a line that is not JSON, exits 0), ``spawn-sleep`` (starts a sleeping
child, writes its pid to FILE, then sleeps itself: a driver that hangs), ``failed`` (a valid result line with
status failed, exit status 1), ``unsupported`` (answers unsupported to every step).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path


def main(mode: str, file: str | None) -> int:
    """Act out `mode` (see the module docstring)."""
    payload = json.loads(sys.stdin.read() or "{}")
    if mode == "exit3":
        secret = payload.get("credentials", {}).get("secret_key", "")
        if file:
            Path(file).write_text(secret, encoding="utf-8")
        print(f"driver: signing with secret_key={secret}", file=sys.stderr)
        print("driver: Traceback (most recent call last): the SDK module is missing", file=sys.stderr)
        return 3
    if mode == "no-json":
        print("upload done, no JSON here")
        return 0
    if mode == "spawn-sleep":
        quiet = subprocess.DEVNULL  # the child is not on the driver's pipes: only the group kill ends it
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"],
                                 stdin=quiet, stdout=quiet, stderr=quiet)
        Path(file).write_text(str(child.pid), encoding="utf-8")
        time.sleep(300)
        return 0
    if mode == "failed":
        print(json.dumps({"status": "failed", "message": "the SDK gave up"}))
        return 1
    if mode == "unsupported":
        steps = [step.get("op", "?") for step in payload.get("steps", [])]
        print(json.dumps({"status": "unsupported", "message": "not in this SDK", "unsupported": steps}))
        return 0
    print(f"unknown mode {mode}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))
