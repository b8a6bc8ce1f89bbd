"""The mutation run's equivalent mutants (tools/mutation/equivalents.py and equivalents.toml)."""

from __future__ import annotations

import sys
from itertools import pairwise
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools" / "mutation"))
import equivalents  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
KNOWN = equivalents.load()
SIGNING = 'method.upper(), header_value(headers, "Content-MD5"), header_value(headers, "Content-Type"),'
UNLINK = "        path.unlink(missing_ok=True)"


@pytest.mark.parametrize(
    ("module", "original", "mutated", "previous"),
    [
        ("conformance/signing.py", SIGNING, SIGNING.replace("Content-MD5", "content-md5"), ""),
        ("conformance/signing.py", SIGNING, SIGNING.replace("Content-Type", "CONTENT-TYPE"), ""),
        ("conformance/reference/complete.py", UNLINK, UNLINK.replace("True", "False"),
         "    for path in data if isinstance(data, list) else [data]:"),
        ("conformance/reference/multipart.py", 'temp = storage.temp_path("part")',
         'temp = storage.temp_path("XXpartXX")', ""),
    ],
)
def test_known_equivalent_mutants_match_with_a_reason(module, original, mutated, previous):
    assert equivalents.reason_for(KNOWN, module, original, mutated, previous)


@pytest.mark.parametrize(
    ("module", "original", "mutated", "previous"),
    [
        ("conformance/signing.py", SIGNING, SIGNING.replace("Content-MD5", "XXContent-MD5XX"), ""),
        ("conformance/signing.py", SIGNING, SIGNING.replace("upper", "lower"), ""),
        ("conformance/reference/auth.py", SIGNING, SIGNING.replace("Content-MD5", "content-md5"), ""),
        ("conformance/reference/complete.py", UNLINK, UNLINK.replace("True", "False"), "other line"),
        ("conformance/reference/multipart.py", 'temp = storage.temp_path("part")', "temp = None", ""),
    ],
)
def test_other_mutants_are_not_equivalent(module, original, mutated, previous):
    assert equivalents.reason_for(KNOWN, module, original, mutated, previous) is None


def test_every_entry_names_a_line_of_its_module():
    for entry in KNOWN:
        lines = [line.strip() for line in (ROOT / entry.module).read_text().splitlines()]
        assert entry.original in lines, entry
        if entry.after is not None:
            assert any(a == entry.after and b == entry.original for a, b in pairwise(lines)), entry
        assert entry.reason.strip()
