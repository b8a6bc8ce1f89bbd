"""Where the project's data lives: JSS_CONFORMANCE_FIXTURES, else the fixtures the package carries.

The repository keeps one copy of the data, the top-level ``fixtures/`` folder. A wheel carries that folder
as ``conformance/fixtures/`` (setup.py maps it there as package data), so an installed package finds
it beside its modules, and a clone or an editable install finds it beside the package folder.
"""

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CASES_DIR = PACKAGE_DIR / "cases"
#: The SDK scenarios' cases (run by `jss-conformance sdk`).
SDK_CASES_DIR = PACKAGE_DIR / "sdk" / "cases"
#: The data inside an installed wheel (site-packages/conformance/fixtures).
PACKAGED_FIXTURES = PACKAGE_DIR / "fixtures"
#: The data of a clone or an editable install (the repository's top-level fixtures/).
SOURCE_FIXTURES = PACKAGE_DIR.parent / "fixtures"
#: The environment variable that replaces the data folder.
FIXTURES_VARIABLE = "JSS_CONFORMANCE_FIXTURES"


def fixtures_dir() -> Path:
    """Return the fixtures folder (vectors, target profiles, clause catalogue, expectations, case tables)."""
    override = os.environ.get(FIXTURES_VARIABLE)
    if override:
        return Path(override)
    return PACKAGED_FIXTURES if PACKAGED_FIXTURES.is_dir() else SOURCE_FIXTURES


def fixtures_override_problem() -> str | None:
    """One line when JSS_CONFORMANCE_FIXTURES names no data folder (no folder there, or one without the clause
    catalogue), else None; every command and the plugin check it before reading any data."""
    override = os.environ.get(FIXTURES_VARIABLE)
    if not override:
        return None
    if not Path(override).is_dir():
        return f"{FIXTURES_VARIABLE}={override}: no such folder (unset it to use the packaged data)"
    if not (Path(override) / "clauses.toml").is_file():
        return f"{FIXTURES_VARIABLE}={override}: not a copy of the suite's fixtures folder (no clauses.toml)"
    return None
