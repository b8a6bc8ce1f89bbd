"""Where the project's data lives: the fixtures folder beside the package, or JSS_CONFORMANCE_FIXTURES."""

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CASES_DIR = PACKAGE_DIR / "cases"


def fixtures_dir() -> Path:
    """Return the fixtures folder (vectors, target profiles, clause catalogue)."""
    override = os.environ.get("JSS_CONFORMANCE_FIXTURES")
    return Path(override) if override else PACKAGE_DIR.parent / "fixtures"
