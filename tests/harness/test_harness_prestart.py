"""The embedded endpoint spawned early (`jss-conformance run` before pytest starts): taken by the session when
it is the endpoint asked for, stopped otherwise, never left running."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness_helpers import clean_env, run_cli

from conformance.harness import embedded
from conformance.target import ProfileError, resolve_target


@pytest.fixture
def target():
    resolved = resolve_target(None, {})
    assert resolved.embedded
    return resolved


@pytest.fixture(autouse=True)
def nothing_prestarted_after():
    yield
    embedded.discard_prestarted()


def _prestarted():
    [pending] = embedded._PRESTARTED
    return pending


def test_the_session_takes_the_prestarted_endpoint_it_asks_for(target):
    embedded.prestart_embedded(target)
    pending = _prestarted()
    filled, reference = embedded.start_embedded(target)
    try:
        assert reference is pending.reference and embedded._PRESTARTED == []
        assert filled.credentials == pending.credentials and filled.alt_credentials == pending.alt
        assert reference.endpoints and filled.endpoint in reference.endpoints.values()
    finally:
        reference.stop()
    assert reference.process.returncode == 0


def test_another_endpoint_asked_for_stops_the_prestarted_one(target):
    embedded.prestart_embedded(target, ["accept-any-signature"])
    pending = _prestarted()
    filled, reference = embedded.start_embedded(target)
    try:
        assert reference is not pending.reference
        assert pending.reference.process.returncode is not None
        assert not pending.reference.work_dir.exists() and not pending.reference.data_dir.exists()
        assert filled.credentials != pending.credentials
    finally:
        reference.stop()


def test_discard_stops_an_endpoint_nobody_took(target):
    embedded.prestart_embedded(target)
    pending = _prestarted()
    embedded.discard_prestarted()
    assert embedded._PRESTARTED == []
    assert pending.reference.process.returncode is not None
    assert not pending.reference.work_dir.exists() and not pending.reference.data_dir.exists()


def test_an_unknown_deviation_prestarts_nothing(target):
    with pytest.raises(ProfileError):
        embedded.prestart_embedded(target, ["no-such-deviation"])
    assert embedded._PRESTARTED == []


@pytest.mark.parametrize(
    "args", [["--co", "-q"], ["-q", "-k", "no_case_has_this_name"], ["-q", "--jss-family", "no-such-family"]]
)
def test_a_run_that_runs_no_case_leaves_no_endpoint_behind(tmp_path, args):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    run = run_cli(["run", *args], cwd=tmp_path, env=clean_env(TMPDIR=str(temporary)))
    assert run.status in (0, 2), run.stderr
    assert [p.name for p in temporary.iterdir() if p.name.startswith("jss-reference")] == []
    assert not any(_endpoint_with_files_in(temporary))


def _endpoint_with_files_in(directory: Path):
    """Processes whose command line names a path under `directory` (a reference endpoint left running)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if str(directory) in command:
            yield proc.name
