"""A module that does not collect is never a green run: with the plugin loaded, pytest (serial or under
xdist) and ``jss-conformance run`` exit non-zero when a test module fails to import, even when every test
that did collect passed. (Under xdist the controller once mapped such a run to the verdict of the passing
tests alone: exit 0.)"""

from __future__ import annotations

import pytest
from harness_helpers import run_cli, run_pytest

BROKEN = "import module_that_does_not_exist_anywhere\n\n\ndef test_never_collected():\n    pass\n"
PASSING = "def test_passes():\n    assert 1 + 1 == 2\n"

WORKERS = {"serial": [], "xdist": ["-n", "2"]}


@pytest.mark.parametrize("workers", WORKERS.values(), ids=WORKERS.keys())
def test_harness_collection_error_fails_a_project_test_run(tmp_path, workers):
    (tmp_path / "test_broken.py").write_text(BROKEN, encoding="utf-8")
    (tmp_path / "test_passing.py").write_text(PASSING, encoding="utf-8")

    run = run_pytest([*workers, "test_broken.py", "test_passing.py"], cwd=tmp_path)

    assert run.status == pytest.ExitCode.INTERRUPTED, run.stdout[-2000:]


@pytest.mark.parametrize("workers", WORKERS.values(), ids=WORKERS.keys())
def test_harness_collection_error_fails_a_conformance_run(tmp_path, workers):
    (tmp_path / "test_broken.py").write_text(BROKEN, encoding="utf-8")

    run = run_cli(["run", *workers, "--jss-embedded", "--pyargs", "conformance.cases.test_abort",
                   str(tmp_path / "test_broken.py")], cwd=tmp_path)

    assert run.status == 2, run.stdout[-2000:]
