"""The README's `sign --explain` example, run exactly as written: it diagnoses a mistake and prints what the
README shows it printing.

The block between `<!-- sign-explain:begin -->` and `<!-- sign-explain:end -->` holds the command (its first
line and every line continued by a backslash), then the lines it prints.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MISTAKE_LINE = re.compile(r"^  mistake (\S+): ")


def readme_example() -> tuple[str, list[str]]:
    """(the command text, the printed lines) of the README's sign --explain example."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- sign-explain:begin -->", 1)[1].split("<!-- sign-explain:end -->", 1)[0]
    lines = [line for line in block.strip().splitlines() if not line.startswith("```")]
    end = next(number for number, line in enumerate(lines) if not line.endswith("\\"))
    return "\n".join(lines[: end + 1]), lines[end + 1:]


def test_readme_explain_example_as_written_names_a_mistake():
    command, shown = readme_example()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("JSS_")}
    environment["PATH"] = os.path.dirname(sys.executable) + os.pathsep + environment.get("PATH", "")

    result = subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, timeout=60, env=environment
    )

    assert result.returncode == 1, result.stderr
    mistakes = [match.group(1) for line in result.stdout.splitlines() if (match := MISTAKE_LINE.match(line))]
    assert mistakes, result.stdout
    assert result.stdout.splitlines() == shown
