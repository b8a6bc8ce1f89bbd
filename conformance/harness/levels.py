"""A failed check judged at the level its rulebook gives its clause.

A documented sample is an EXAMPLE, not a MUST: when every clause a case names is EXAMPLE under the target's
rulebook (fixtures/clauses.toml: ``level`` for jss, ``rules.s3.level`` for s3), a FAIL of the case's call
is NON_STRICT (a pass, unless --jss-strict fails the run on it), its message saying why. MUST and OPEN
clauses keep their FAIL; a failing setup or teardown is never about a clause and keeps it too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from conformance import outcomes as oc
from conformance.catalogue import Clause
from conformance.harness.classify import PhaseOutcome

EXAMPLE = "EXAMPLE"


def example_only(clause_ids: Sequence[str], catalogue: Mapping[str, Clause], rulebook: str) -> list[str]:
    """The clauses of `clause_ids` when each is EXAMPLE under `rulebook` (an empty list otherwise)."""
    clauses = [catalogue.get(identifier) for identifier in clause_ids]
    if not clauses or any(c is None or c.rule(rulebook).level != EXAMPLE for c in clauses):
        return []
    return list(clause_ids)


def judged_at_level(
    phase: PhaseOutcome, when: str, clause_ids: Sequence[str], catalogue: Mapping[str, Clause] | None,
    rulebook: str,
) -> PhaseOutcome:
    """`phase`, a FAIL of the call turned NON_STRICT when every clause of the case is EXAMPLE under
    `rulebook`."""
    if phase.outcome != oc.FAIL or when != "call" or not catalogue:
        return phase
    examples = example_only(clause_ids, catalogue, rulebook)
    if not examples:
        return phase
    why = f"{', '.join(examples)} {'is' if len(examples) == 1 else 'are'} EXAMPLE under the {rulebook} rules"
    return dataclasses.replace(
        phase, outcome=oc.NON_STRICT, message=f"{why} (a documented sample, not a MUST): {phase.message}"
    )
