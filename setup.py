"""What pyproject.toml cannot say: the package list, computed, so a new sub-package or fixtures folder needs
no edit here. Every package under conformance/, plus the repository's top-level fixtures/ folder carried as
the data package ``conformance.fixtures`` (conformance/paths.py finds it there when installed)."""

from setuptools import find_namespace_packages, find_packages, setup

FIXTURES = "conformance.fixtures"
fixture_packages = [
    f"{FIXTURES}.{name}"
    for name in find_namespace_packages(where="fixtures")
    if all(part.isidentifier() for part in name.split("."))
]

setup(
    packages=[*find_packages(include=["conformance", "conformance.*"]), FIXTURES, *fixture_packages],
    package_dir={FIXTURES: "fixtures"},
    package_data={FIXTURES: ["**/*", "**/.*"], "conformance.report": ["*.json"]},
)
