"""The pins of what tests and CI install (constraints.txt), and the ranges of what the package needs
(pyproject.toml): every package a test extra, tox or CI names is pinned to one exact version, every pip
install of the quick start and of .ci/run goes through the pin file, and the package's own dependencies
stay ranges so a user's environment is not forced."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(file: str = "constraints.txt") -> dict[str, str]:
    pins = {}
    for line in (ROOT / file).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"{file}: {line!r} is not an exact pin"
            pins[_canonical(name)] = version
    return pins


def _requirement_name(requirement: str) -> str:
    return _canonical(_NAME.match(requirement.strip()).group(1))


def test_every_extra_and_tool_is_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    named = [req for extra in project["optional-dependencies"].values() for req in extra]
    named += [*project["dependencies"], "mutmut", "tox", "pip", "jss-upload"]
    pins = _pins()
    missing = sorted({_requirement_name(req) for req in named} - set(pins))
    assert not missing, f"named by pyproject, tox or CI but not pinned in constraints.txt: {missing}"


def test_the_package_dependencies_stay_ranges():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = [req for extra in project["optional-dependencies"].values() for req in extra]
    requirements = [*project["dependencies"], *extras]
    exact = [req for req in requirements if "==" in req]
    assert not exact, f"pyproject.toml pins exact versions (belongs in constraints.txt): {exact}"


def _pip_installs(text: str) -> list[str]:
    lines = [line.lstrip() for line in text.splitlines() if not line.lstrip().startswith(("#", "echo"))]
    return [line for line in lines if re.search(r"\bpip install\b", line)]


def test_ci_and_quick_start_install_through_the_pins():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("<!-- quickstart:begin -->", 1)[1].split("<!-- quickstart:end -->", 1)[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    installs = _pip_installs(quick_start) + _pip_installs(ci)
    assert len(installs) >= 5, installs
    # LocalStack's own virtualenv installs through its own pin file (it cannot share constraints.txt)
    pinned = ("-c constraints.txt", '-c "$constraints"', "-c constraints-localstack.txt")
    unpinned = [line for line in installs if not any(flag in line for flag in pinned)]
    assert not unpinned, f"pip installs that bypass constraints.txt: {unpinned}"


def test_localstack_virtualenv_is_pinned_apart():
    """constraints-localstack.txt pins, one exact version each, LocalStack and everything .ci/run installs
    into its virtualenv, including the bounds LocalStack's own metadata misses (cbor2, pyOpenSSL)."""
    pins = _pins("constraints-localstack.txt")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")

    assert "-c constraints-localstack.txt 'localstack-core[base-runtime]' service-identity" in " ".join(
        ci.replace("\\\n", " ").split()
    )
    assert {"localstack-core", "service-identity", "cbor2", "pyopenssl", "pip"} <= set(pins)
    assert int(pins["cbor2"].split(".")[0]) < 6 and int(pins["pyopenssl"].split(".")[0]) < 26


def test_tox_installs_through_the_pins():
    tox = (ROOT / "tox.ini").read_text(encoding="utf-8")
    assert "PIP_CONSTRAINT = {toxinidir}/constraints.txt" in tox
    assert not re.search(r"^deps = .*==", tox, flags=re.M), "a tox deps line pins its own version"


def test_the_venv_is_not_tracked_and_is_ignored():
    if (ROOT / ".git").exists():
        listed = subprocess.run(["git", "ls-files", ".venv"], cwd=ROOT, capture_output=True, text=True)
        tracked = listed.stdout
        assert not tracked.strip(), ".venv is tracked"
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".venv" in ignored, "a .venv file or folder must be ignored (not only a .venv/ folder)"
