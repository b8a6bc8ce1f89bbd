"""The wheel carries everything a run needs, and the installed layout finds it.

The wheel is built from a copy of the source tree (so a stale build/ folder of the clone cannot lend it
files), then unpacked as an installer would lay it into site-packages, and run from an empty folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance import paths

REPO = paths.PACKAGE_DIR.parent
SOURCE_PARTS = ("pyproject.toml", "setup.py", "README.md", "conformance", "fixtures")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
TIMEOUT = 300


def _files_under(folder: Path) -> set[str]:
    """Every file below `folder`, as a POSIX path relative to it (byte-code left out)."""
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built with `pip wheel --no-deps` from a fresh copy of the source."""
    source = tmp_path_factory.mktemp("source")
    for part in SOURCE_PARTS:
        origin = REPO / part
        if origin.is_dir():
            shutil.copytree(origin, source / part, ignore=IGNORED)
        else:
            shutil.copy2(origin, source / part)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(source), "-w", str(out)],
        check=True, timeout=TIMEOUT, capture_output=True,
    )
    (built,) = out.glob("jss_conformance-*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.fixture(scope="module")
def site(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel unpacked as an installer lays a pure-Python wheel into site-packages."""
    folder = tmp_path_factory.mktemp("site-packages")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(folder)
    return folder


def _installed_env(site: Path, **extra: str) -> dict[str, str]:
    """The environment of a process that imports `conformance` from the unpacked wheel only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JSS_") and k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(site), **extra)
    return env


def test_wheel_carries_every_fixture_file(wheel_names: set[str]) -> None:
    fixtures = _files_under(REPO / "fixtures")
    missing = sorted(name for name in fixtures if f"conformance/fixtures/{name}" not in wheel_names)
    assert fixtures and not missing, f"{len(missing)} of {len(fixtures)} fixture files not in the wheel"


def test_wheel_carries_every_module_and_the_results_schema(wheel_names: set[str]) -> None:
    package = {f"conformance/{name}" for name in _files_under(paths.PACKAGE_DIR)}
    missing = sorted(package - wheel_names)
    assert "conformance/report/results.schema.json" in package and not missing, missing


def test_installed_layout_finds_the_packaged_fixtures(site: Path, tmp_path: Path) -> None:
    probe = (
        "import json, conformance, conformance.paths as p, conformance.catalogue as c, "
        "conformance.target as t, conformance.report.results as r\n"
        "print(json.dumps([conformance.__file__, str(p.fixtures_dir()), len(c.load_catalogue()), "
        "t.embedded_profile_path().is_file(), bool(r.load_schema())]))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=_installed_env(site),
        check=True, timeout=TIMEOUT, capture_output=True, text=True,
    )
    module, fixtures, clauses, profile_found, schema_read = json.loads(shown.stdout)
    assert (Path(module).parent, Path(fixtures)) == (site / "conformance", site / "conformance" / "fixtures")
    assert (clauses > 0, profile_found, schema_read) == (True, True, True)


def test_installed_layout_keeps_the_fixtures_override(site: Path, tmp_path: Path) -> None:
    probe = "import conformance.paths as p; print(p.fixtures_dir())"
    shown = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path,
        env=_installed_env(site, JSS_CONFORMANCE_FIXTURES=str(tmp_path)),
        check=True, timeout=TIMEOUT, capture_output=True, text=True,
    )
    assert Path(shown.stdout.strip()) == tmp_path


def test_installed_clause_error_names_the_catalogue_the_run_read(site: Path, tmp_path: Path) -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "run", "--jss-clause", "astrology."],
        cwd=tmp_path, env=_installed_env(site), timeout=TIMEOUT, capture_output=True, text=True,
    )
    named = re.search(r"every clause: (.+)\)$", shown.stderr.strip())
    assert shown.returncode == 2 and named, shown.stderr
    assert Path(named.group(1)) == site / "conformance" / "fixtures" / "clauses.toml"
    assert Path(named.group(1)).is_file()


@pytest.fixture
def installed_run(site: Path, tmp_path: Path) -> Iterator[subprocess.CompletedProcess]:
    """`run --jss-family encryption` from an empty folder with the unpacked wheel."""
    yield subprocess.run(
        [sys.executable, "-m", "conformance.cli", "run", "--jss-family", "encryption"],
        cwd=tmp_path, env=_installed_env(site), timeout=TIMEOUT, capture_output=True, text=True,
    )


def test_installed_run_writes_its_reports_under_the_current_folder(
    installed_run: subprocess.CompletedProcess, tmp_path: Path
) -> None:
    document = json.loads((tmp_path / "reports" / "results.json").read_text(encoding="utf-8"))
    outcomes = {
        case["outcome"] for case in document["cases"] if case.get("expected", {}).get("source") != "dialect"
    }  # the cases of S3-only clauses are NOT_IMPLEMENTED against the JSS reference, by construction
    assert (installed_run.returncode, outcomes) == (0, {"PASS"}), installed_run.stdout[-2000:]


def test_installed_compare_reads_the_results_it_wrote(
    installed_run: subprocess.CompletedProcess, site: Path, tmp_path: Path
) -> None:
    compared = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "compare", "reports/results.json", "-o", "m.html"],
        cwd=tmp_path, env=_installed_env(site), timeout=TIMEOUT, capture_output=True, text=True,
    )
    assert (compared.returncode, (tmp_path / "m.html").is_file()) == (0, True), compared.stderr


def test_the_clone_finds_the_top_level_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JSS_CONFORMANCE_FIXTURES", raising=False)
    assert paths.fixtures_dir() == REPO / "fixtures"
