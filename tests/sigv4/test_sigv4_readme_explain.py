"""The README's S3 `sign --explain` example, run exactly as written: it names the SigV4 mistake the client
made and prints what the README shows it printing (block between `<!-- sign-explain-s3:begin -->` and
`<!-- sign-explain-s3:end -->`: the command, its first line and every line continued by a backslash, then
the lines it prints)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_example() -> tuple[str, list[str]]:
    """(the command text, the printed lines) of the README's S3 sign --explain example."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- sign-explain-s3:begin -->", 1)[1].split("<!-- sign-explain-s3:end -->", 1)[0]
    lines = [line for line in block.strip().splitlines() if not line.startswith("```")]
    end = next(number for number, line in enumerate(lines) if not line.endswith("\\"))
    return "\n".join(lines[: end + 1]), lines[end + 1:]


def test_readme_s3_explain_example_as_written():
    command, shown = readme_example()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("JSS_")}
    environment["PATH"] = os.path.dirname(sys.executable) + os.pathsep + environment.get("PATH", "")

    result = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=60, env=environment
    )

    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == shown
    assert shown[-1].startswith("  mistake path-encoded-twice: ")
    assert "example-secret" not in result.stdout
