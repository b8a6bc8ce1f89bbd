"""The catalogue lint: every case names a clause that exists, every clause has a case, the catalogue entries
are complete and valid, and the cases only read expectation keys that defaults.toml defines."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conformance.catalogue import AWS_DOCS, DIALECTS, FAMILIES, LEVELS
from conformance.paths import CASES_DIR, fixtures_dir

FIELDS = {"id", "operation", "family", "level", "source", "sentence"}
OPTIONAL_FIELDS = {"dialects", "rules"}
MINIMUM_CASES = 64
#: The first word(s) of a case name: the operation it exercises (``test_<operation>_<condition>``).
OPERATION_PREFIXES = (
    "initiate",
    "upload_part",
    "complete",
    "abort",
    "list_parts",
    "list_uploads",
    "list_buckets",
    "list_objects",
    "multipart",
    "object",
    "error",
    "access",  # the access family: one case per operation row of fixtures/cases/access.toml
)


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> list[dict]:
    """The cases as pytest collects them (node id, function name, clause ids), from a subprocess."""
    out = tmp_path_factory.mktemp("collection") / "cases.json"
    env = dict(os.environ, JSS_CASE_COLLECTION=str(out))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).parent), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(CASES_DIR),
            "--collect-only",
            "--jss-large",  # every case, the large family's (off by default) too
            "-q",
            "-p",
            "case_collector",
            "-p",
            "no:cacheprovider",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=CASES_DIR.parent.parent,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def raw_clauses() -> list[dict]:
    """The [[clause]] tables of fixtures/clauses.toml as written."""
    with open(fixtures_dir() / "clauses.toml", "rb") as handle:
        return tomllib.load(handle)["clause"]


def test_case_count_at_least_64(collected):
    assert len(collected) >= MINIMUM_CASES, len(collected)


def test_case_ids_unique(collected):
    duplicates = [nodeid for nodeid, n in Counter(c["nodeid"] for c in collected).items() if n > 1]
    assert not duplicates


def test_case_every_case_names_a_clause(collected):
    unmarked = [case["nodeid"] for case in collected if not case["clauses"]]
    assert not unmarked


def test_case_every_named_clause_exists(collected, raw_clauses):
    known = {clause["id"] for clause in raw_clauses}
    unknown = sorted({(c["nodeid"], cid) for c in collected for cid in c["clauses"] if cid not in known})
    assert not unknown


def test_case_every_clause_has_a_case(collected, raw_clauses):
    named = {cid for case in collected for cid in case["clauses"]}
    orphans = [clause["id"] for clause in raw_clauses if clause["id"] not in named]
    assert not orphans


def test_case_names_start_with_an_operation(collected):
    badly_named = sorted(
        {
            c["function"]
            for c in collected
            if not c["function"].startswith(tuple(f"test_{p}_" for p in OPERATION_PREFIXES))
        }
    )
    assert not badly_named


def test_catalogue_clause_ids_unique(raw_clauses):
    duplicates = [cid for cid, n in Counter(clause.get("id") for clause in raw_clauses).items() if n > 1]
    assert not duplicates


def test_catalogue_entries_have_exactly_the_fields(raw_clauses):
    wrong = [
        (clause.get("id"), sorted(FIELDS ^ (set(clause) - OPTIONAL_FIELDS)))
        for clause in raw_clauses
        if set(clause) - OPTIONAL_FIELDS != FIELDS
        or not all(isinstance(clause[f], str) and clause[f].strip() for f in FIELDS & set(clause))
    ]
    assert not wrong


def test_catalogue_dialects_known_and_s3_only_clauses_cite_the_s3_reference(raw_clauses):
    wrong = [
        clause["id"] for clause in raw_clauses
        if not set(clause.get("dialects", ["jss"])) <= set(DIALECTS)
        or ("jss" not in clause.get("dialects", ["jss"]) and "amazon" not in clause["source"])
    ]
    assert not wrong


def test_catalogue_every_s3_wire_clause_states_its_s3_rule(raw_clauses):
    unstated = [
        c["id"] for c in raw_clauses if "s3" in c.get("dialects", ["jss"]) and "s3" not in c.get("rules", {})
    ]
    assert not unstated


def test_catalogue_every_clause_under_s3_rules_cites_an_aws_page(raw_clauses):
    rules = [(c["id"], c.get("rules", {}).get("s3", {})) for c in raw_clauses]
    applying = [(cid, rule) for cid, rule in rules if rule and rule["level"] != "NOT_APPLICABLE"]
    uncited = [cid for cid, rule in applying if not rule.get("source", "").startswith(AWS_DOCS)]
    assert applying and not uncited
    assert all(rule["level"] in LEVELS for _, rule in applying)


def test_catalogue_each_rulebook_applies_some_clause_the_other_does_not(raw_clauses):
    s3_level = {c["id"]: c.get("rules", {}).get("s3", {}).get("level", "NOT_APPLICABLE") for c in raw_clauses}
    only_s3 = [c["id"] for c in raw_clauses if c["level"] == "NOT_APPLICABLE" != s3_level[c["id"]]]
    only_jss = [c["id"] for c in raw_clauses
                if "s3" in c.get("dialects", ["jss"]) and c["level"] != "NOT_APPLICABLE" == s3_level[c["id"]]]
    assert "initiate.storage-class.rr-any-region" in only_s3
    assert "initiate.region-limit.rr-elsewhere" in only_jss


#: The families of the rules the issue of the S3 dialect names as semantic (checked over either wire format).
SEMANTIC_FAMILIES = (
    "signature", "storage-class", "region-limit", "existing-objects", "response-fields", "encryption",
    "lifecycle",
)


def test_catalogue_every_dialect_has_a_clause_of_every_semantic_family(raw_clauses):
    missing = [
        (dialect, family) for dialect in DIALECTS for family in SEMANTIC_FAMILIES
        if not any(c["family"] == family and dialect in c.get("dialects", ["jss"]) for c in raw_clauses)
    ]
    assert set(SEMANTIC_FAMILIES) <= set(FAMILIES) and not missing


def test_catalogue_families_and_levels_valid(raw_clauses):
    invalid = [
        c["id"] for c in raw_clauses if c.get("family") not in FAMILIES or c.get("level") not in LEVELS
    ]
    assert not invalid


def test_catalogue_sources_are_urls(raw_clauses):
    def is_url(value: str) -> bool:
        parts = urlsplit(value)
        return parts.scheme == "https" and bool(parts.netloc) and bool(parts.path.strip("/"))

    not_urls = [c["id"] for c in raw_clauses if not is_url(c.get("source", ""))]
    assert not not_urls


def _expectation_keys_read_by_cases() -> set[str]:
    """Subscripts ``jss_expect["k"]`` / ``expect["k"]`` in the case modules (their helpers included)."""
    keys = set()
    for path in CASES_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Name)
                and node.value.id in ("jss_expect", "expect")
                and isinstance(node.slice, ast.Constant)
            ):
                keys.add(node.slice.value)
    return keys


def test_cases_read_only_defined_expectation_keys():
    with open(fixtures_dir() / "expectations" / "defaults.toml", "rb") as handle:
        defined = set(tomllib.load(handle))
    read = _expectation_keys_read_by_cases()
    assert read and read <= defined, sorted(read - defined)


def test_every_expectation_key_is_read_by_a_case():
    with open(fixtures_dir() / "expectations" / "defaults.toml", "rb") as handle:
        defined = set(tomllib.load(handle))
    assert defined <= _expectation_keys_read_by_cases(), sorted(defined - _expectation_keys_read_by_cases())
