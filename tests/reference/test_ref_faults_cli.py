"""``jss-conformance faults``: arms, lists, shows and deletes fault scripts with requests signed by the
target's credentials; a refused request is one line and exit status 2, an unreachable endpoint 3."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

from ref_helpers import ALICE, BOB, USERS, Api

from conformance.reference.launch import start_reference


def _run(env: dict, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "conformance.cli", "faults", *args], input=stdin,
                          capture_output=True, text=True, timeout=120, env={**os.environ, **env})


def _env(url: str, bucket: str, user=ALICE) -> dict:
    return {"JSS_ENDPOINT": url, "JSS_ACCESS_KEY": user.access_key, "JSS_SECRET_KEY": user.secret_key,
            "JSS_BUCKET": bucket, "JSS_REGION": "cn-north-1"}


def test_faults_command_signs_as_the_owner(tmp_path):
    with start_reference(users=USERS, extra_args=["--faults"]) as process:
        api = Api(process)
        bucket = api.create_bucket()
        env = _env(api.url(), bucket)
        script = json.dumps({"bucket": bucket, "key_prefix": "k", "instructions": {"put": ["return-503"]}})
        armed = _run(env, "arm", "-", stdin=script)
        assert armed.returncode == 0, armed.stderr
        script_id = json.loads(armed.stdout)["id"]
        listed = _run(env, "list")
        assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == [script_id]
        refused = _run(_env(api.url(), bucket, BOB), "show", script_id)  # bob does not own it
        assert refused.returncode == 2 and refused.stderr.count("\n") == 1
        assert "403 AccessDenied" in refused.stderr and "Traceback" not in refused.stderr
        assert _run(env, "delete", script_id).returncode == 0
        assert api.admin("GET").json()["scripts"] == []
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    assert _run(_env(f"http://127.0.0.1:{port}", bucket), "list").returncode == 3
