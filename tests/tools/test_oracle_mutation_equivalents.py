"""The equivalent response mutations (tools/oracle_mutation/equivalents.toml): each has a reason and covers
at least one mutant of the enumeration (tools/oracle_mutation/mutants.txt, rewritten by ``run.py
--enumerate-only``); a stale entry fails here."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parents[2] / "tools" / "oracle_mutation"
sys.path.insert(0, str(HERE))
import oracle_equivalents  # noqa: E402

ENTRIES = oracle_equivalents.load()
MUTANTS = (HERE / "mutants.txt").read_text(encoding="utf-8").split("\n")


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: f"{entry.op} {entry.field} {entry.mutation}")
def test_every_equivalent_covers_an_enumerated_mutant(entry):
    assert not oracle_equivalents.stale([entry], [name for name in MUTANTS if name])


def test_an_entry_that_covers_no_mutant_is_flagged():
    entry = oracle_equivalents.Equivalent("initiate", "json:NoSuchField", "*", "a field no answer has")
    assert oracle_equivalents.stale([entry], ["initiate json:Key drop"]) == [entry]


def test_an_entry_without_a_reason_is_refused(tmp_path):
    path = tmp_path / "equivalents.toml"
    path.write_text('[[equivalent]]\nop = "*"\nfield = "*"\nreason = " "\n', encoding="utf-8")
    with pytest.raises(ValueError, match="no reason"):
        oracle_equivalents.load(path)


def test_only_the_star_is_special_in_a_pattern():
    entry = oracle_equivalents.Equivalent("list-buckets", ("json:Buckets[].maxAge",), "*", "OPEN")
    assert entry.covers("list-buckets", "json:Buckets[].maxAge", "drop")
    assert not entry.covers("list-buckets", "json:Buckets[].Name", "drop")
    assert oracle_equivalents.matches("*:error", "abort:error")
    assert not oracle_equivalents.matches("*:error", "abort")
