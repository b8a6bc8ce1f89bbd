"""The README's `sign --explain` examples, run exactly as written: each diagnoses a client mistake and prints
what the README shows it printing.

The block between `<!-- MARKER:begin -->` and `<!-- MARKER:end -->` holds the command (its first line and
every line continued by a backslash), then the lines it prints. `sign-explain` is the JSS example,
`sign-explain-s3` the SigV4 one (the key encoded twice).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MISTAKE_LINE = re.compile(r"^  mistake (\S+): ")


def readme_example(marker: str) -> tuple[str, list[str]]:
    """(the command text, the printed lines) of the README's example between the `marker` comments."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split(f"<!-- {marker}:begin -->", 1)[1].split(f"<!-- {marker}:end -->", 1)[0]
    lines = [line for line in block.strip().splitlines() if not line.startswith("```")]
    end = next(number for number, line in enumerate(lines) if not line.endswith("\\"))
    return "\n".join(lines[: end + 1]), lines[end + 1:]


@pytest.mark.parametrize(
    ("marker", "mistake"), [("sign-explain", None), ("sign-explain-s3", "path-encoded-twice")]
)
def test_readme_explain_example_as_written_names_a_mistake(marker, mistake):
    command, shown = readme_example(marker)
    environment = {key: value for key, value in os.environ.items() if not key.startswith("JSS_")}
    environment["PATH"] = os.path.dirname(sys.executable) + os.pathsep + environment.get("PATH", "")

    result = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=60, env=environment
    )

    assert result.returncode == 1, result.stderr
    mistakes = [match.group(1) for line in result.stdout.splitlines() if (match := MISTAKE_LINE.match(line))]
    assert mistakes and (mistake is None or mistakes == [mistake]), result.stdout
    assert result.stdout.splitlines() == shown
    assert "example-secret" not in result.stdout
