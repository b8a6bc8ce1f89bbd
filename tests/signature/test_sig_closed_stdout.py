"""A reader that closes `jss-conformance`'s output early (`... | head`): the command ends quietly, status 141.

The pipe's read end is closed before the command starts, so its first write meets a closed pipe for sure.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conformance.cli import EXIT_STDOUT_CLOSED

DATE = "Thu, 13 Jul 2017 02:37:31 GMT"
SIGN = ["sign", "--method", "POST", "--resource", "/b/k?uploads", "--date", DATE, "--access-key", "AK",
        "--secret-key-env", "CLOSED_SK"]


def run_into_closed_pipe(arguments: list[str], cwd) -> subprocess.CompletedProcess:
    """Run `jss-conformance ARGUMENTS` with stdout a pipe nobody reads (its read end already closed)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "conformance.cli", *arguments], stdout=write_end, stderr=subprocess.PIPE,
            text=True, timeout=120, cwd=cwd, env={**os.environ, "CLOSED_SK": "closed-secret"},
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param(SIGN, id="sign"),
        pytest.param([*SIGN, "--explain", "--authorization", "jingdong AK:abc"], id="sign-explain"),
        pytest.param(["run", "-k", "initiate"], id="run"),
    ],
)
def test_closed_stdout_ends_quietly(arguments, tmp_path):
    result = run_into_closed_pipe(arguments, tmp_path)

    assert (result.returncode, result.stderr) == (EXIT_STDOUT_CLOSED, "")
