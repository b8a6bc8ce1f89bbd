"""Mutation sanity: breaking one S3 SigV4 rule in conformance.sigv4 turns specific vectors red.

The expected kills (fixtures/sigv4/mutations.toml) were measured once; a mutation that kills fewer (a
vector set that cannot see the rule) or other stages fails here.
"""

from __future__ import annotations

import tomllib
from urllib.parse import unquote

import pytest
import sigv4_vectors as sv

from conformance import sigv4

EXPECTED = tomllib.loads((sv.VECTORS / "mutations.toml").read_text("utf-8"))


def _double_encoded_path(raw: str) -> str:
    return sigv4.uri_encode(sigv4.uri_encode(unquote(raw) or "/", encode_slash=False), encode_slash=False)


def _unsorted_query(pairs) -> str:
    return "&".join(f"{sigv4.uri_encode(k)}={sigv4.uri_encode(v)}" for k, v in pairs)


def _unencoded_query(pairs) -> str:
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


MUTATIONS = {
    "double-encoded-path": ("canonical_uri_from_wire", _double_encoded_path),
    "query-not-sorted": ("canonical_query", _unsorted_query),
    "query-not-encoded": ("canonical_query", _unencoded_query),
    "header-value-not-folded": ("canonical_header_value", lambda value: value.strip()),
    "header-names-not-sorted": ("signed_headers", lambda names: ";".join(n.lower() for n in names)),
}


def _failing_stages() -> list[str]:
    failing = []
    for case, stage in sv.staged_stages():
        vector = sv.load(case)
        if sv.compute_named(vector, stage) != vector.expected(stage):
            failing.append(f"{case}/{stage}")
    return failing


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_mutation_fails_exactly_the_measured_vectors(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    attribute, replacement = MUTATIONS[name]
    monkeypatch.setattr(sigv4, attribute, replacement)
    killed = _failing_stages()
    assert killed, f"mutation {name} fails no vector"
    assert killed == EXPECTED[name]["killed"]


def test_every_mutation_has_its_measured_kills() -> None:
    assert sorted(EXPECTED) == sorted(MUTATIONS)
