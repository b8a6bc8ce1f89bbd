"""The committed known-deviations files (fixtures/expectations/<target>.toml): valid, every reason written by
hand (no draft reason left by `expectations update`), every id a case the suite has, and every profile that
names one pointing at an existing file."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conformance.known_deviations import load_known_deviations
from conformance.paths import CASES_DIR, fixtures_dir
from conformance.target import load_profile

FILES = sorted(p for p in (fixtures_dir() / "expectations").glob("*.toml") if p.name != "defaults.toml")
PROFILES = sorted((fixtures_dir() / "targets").glob("*.toml"))


@pytest.fixture(scope="module")
def case_ids() -> set[str]:
    """The results.json ids of every collected case (module::test[params])."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(CASES_DIR), "--collect-only", "-q", "-p", "no:cacheprovider"],
        capture_output=True, text=True, timeout=120, cwd=CASES_DIR.parent.parent,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    lines = [line for line in result.stdout.splitlines() if "::" in line]
    return {line.rsplit("cases/", 1)[-1] for line in lines}


def test_known_deviations_files_exist():
    assert {p.stem for p in FILES} >= {"moto", "juicefs"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_known_deviations_reasons_written_by_hand(path):
    drafts = load_known_deviations(path).drafts

    assert not drafts, f"{path.name}: review the draft reasons of {drafts} and remove their draft key"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_known_deviations_name_existing_cases(path, case_ids):
    unknown = sorted(set(load_known_deviations(path).entries) - case_ids)

    assert not unknown, f"{path.name} names cases the suite does not have: {unknown}"


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_profile_known_deviations_file_exists(path):
    target = load_profile(path, {"JSS_UNUSED": "x"} | _credentials_of(path), require_alt=False)

    assert not target.known_deviations or load_known_deviations(target.known_deviations).path


def _credentials_of(path) -> dict[str, str]:
    import tomllib

    names = tomllib.loads(path.read_text(encoding="utf-8")).get("credentials", {})
    return {name: "placeholder" for name in names.values()}
