"""What the plugin does differently when the SDK scenarios run (``--jss-sdk-driver``): the embedded endpoint
with its testbench rooms (fault route, recorder), a record file, the SDK behaviours as labels."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from conformance.paths import fixtures_dir
from conformance.target import ProfileError, Target


def no_findings_path() -> Path:
    """The findings of an SDK run given no --jss-known-deviations: none (fixtures/sdk/no-findings.toml): every
    scenario must PASS, and a step the driver answers unsupported is a finding too."""
    return fixtures_dir() / "sdk" / "no-findings.toml"


def prepare_sdk(option, target: Target) -> None:
    """The SDK scenarios need the embedded endpoint (its fault route and recorder) and a record file."""
    if not target.embedded:
        raise ProfileError(f"the SDK scenarios need the embedded reference endpoint, not {target.name}")
    if target.dialect != option.jss_sdk_wire:
        raise ProfileError(f"the SDK scenarios of the {option.jss_sdk_wire} wire need a target of that wire, "
                           f"not {target.name} ({target.dialect})")
    if not option.jss_sdk_record:
        option.jss_sdk_record = str(Path(tempfile.mkdtemp(prefix="jss-sdk-")) / "requests.jsonl")


#: The bound of the SDK run's own record (a temporary file, or --jss-sdk-record): 16 GiB, never reached by a
#: run (a request's line is well under 4 KiB).
RUN_RECORD_MAX_BYTES = 16 * 1024**3


def reference_args(option) -> tuple[str, ...]:
    """More options of the embedded endpoint: the testbench rooms for the SDK scenarios. The record is read
    back by line number while the run goes on (conformance.sdk.bench), so it is never rotated mid-run: its
    bound is RUN_RECORD_MAX_BYTES."""
    if not option.jss_sdk_driver:
        return ()
    return ("--faults", "--record", option.jss_sdk_record, "--record-max-bytes", str(RUN_RECORD_MAX_BYTES))


def sdk_behaviours(config: pytest.Config) -> dict:
    """The SDK behaviours (labelled like clauses) when the SDK scenarios run."""
    if not config.option.jss_sdk_driver:
        return {}
    from conformance.sdk.scenarios import load_behaviours

    return load_behaviours()
