"""`jss-conformance serve --help` lists every deviation with its description (README: "shown by
jss-conformance serve --help")."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conformance.reference.deviations import DEVIATIONS


@pytest.mark.parametrize("command", [["conformance.cli", "serve"], ["conformance.reference"]],
                         ids=["jss-conformance-serve", "python-m-reference"])
def test_serve_help_shows_every_deviation_with_its_description(command):
    shown = subprocess.run([sys.executable, "-m", *command, "--help"], capture_output=True, text=True,
                           timeout=60, check=True).stdout
    lines = {line.split(None, 1)[0]: line.split(None, 1)[1] for line in shown.splitlines()
             if line.startswith("  ") and len(line.split(None, 1)) == 2}
    missing = [name for name, description in DEVIATIONS.items() if lines.get(name) != description]
    assert missing == [], missing[:5]
