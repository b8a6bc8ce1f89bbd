"""Stage the S3-applicable cases of the AWS SigV4 test suite (awslabs/aws-c-auth) into fixtures/sigv4/.

Usage: python tools/sigv4/stage_aws_suite.py GIT_DIR [COMMIT]
GIT_DIR is a clone (bare or not) of https://github.com/awslabs/aws-c-auth; the case files are copied byte for
byte from tests/aws-signing-test-suite/v4/<case>/ and context.json is rewritten as context.toml. Cases that
only hold under rules S3 does not use are left out (see SKIPPED).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SUITE = "tests/aws-signing-test-suite/v4"
OUT = Path(__file__).resolve().parents[2] / "fixtures" / "sigv4"
COPIED = [
    "request.txt",
    "header-canonical-request.txt", "header-string-to-sign.txt", "header-signature.txt",
    "query-canonical-request.txt", "query-string-to-sign.txt", "query-signature.txt",
]
#: Left out: path normalization (S3 never normalizes; the -unnormalized twin is staged) and a session token
#: added after signing (a signer option, not a canonicalization rule).
SKIPPED_SUFFIX = "-normalized"
SKIPPED = {"post-sts-header-after"}


def _git(git_dir: str, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", git_dir, *args], check=True, capture_output=True).stdout


def _toml_str(value: str) -> str:
    return json.dumps(value)


def _authorization(signed_request: str) -> str:
    for line in signed_request.split("\n"):
        if line.startswith("Authorization:"):
            return line[len("Authorization:"):]
    raise SystemExit("no Authorization line")


def stage(git_dir: str, commit: str) -> list[str]:
    """Copy every applicable case; returns the staged case ids."""
    names = _git(git_dir, "ls-tree", "--name-only", f"{commit}:{SUITE}").decode().split()
    staged = []
    for name in names:
        if name.endswith(SKIPPED_SUFFIX) or name in SKIPPED:
            continue
        src = f"{commit}:{SUITE}/{name}"
        context = json.loads(_git(git_dir, "show", f"{src}/context.json"))
        case_id = f"aws-{name}"
        folder = OUT / case_id
        folder.mkdir(parents=True, exist_ok=True)
        for file in COPIED:
            (folder / file).write_bytes(_git(git_dir, "show", f"{src}/{file}"))
        signed = _git(git_dir, "show", f"{src}/header-signed-request.txt").decode()
        (folder / "header-authorization.txt").write_text(_authorization(signed), newline="\n")
        creds = context["credentials"]
        lines = [
            f"id = {_toml_str(case_id)}",
            f"source = {_toml_str(f'awslabs/aws-c-auth@{commit}:{SUITE}/{name}')}",
            'license = "Apache-2.0"',
            f"access_key = {_toml_str(creds['access_key_id'])}",
            f"secret_key = {_toml_str(creds['secret_access_key'])}",
            f"timestamp = {_toml_str(context['timestamp'])}",
            f"region = {_toml_str(context['region'])}",
            f"service = {_toml_str(context['service'])}",
            f"expires = {context['expiration_in_seconds']}",
            f"sign_body = {str(context['sign_body']).lower()}",
        ]
        if "token" in creds:
            lines.append(f"session_token = {_toml_str(creds['token'])}")
        (folder / "context.toml").write_text("\n".join(lines) + "\n", newline="\n")
        staged.append(case_id)
    return staged


if __name__ == "__main__":
    git_dir = sys.argv[1]
    commit = sys.argv[2] if len(sys.argv) > 2 else _git(git_dir, "rev-parse", "HEAD").decode().strip()
    print("\n".join(stage(git_dir, commit)))
