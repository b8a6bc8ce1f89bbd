"""Known deviations of a target, kept as data: the cases expected to end other than PASS, each with a reason.

A file (``fixtures/expectations/<target>.toml``, named by a profile's ``known_deviations``) has one line
per case in its ``[expected]`` table: ``"<results.json case id>" = { outcome = "FAIL", reason = "..." }``
(outcome FAIL, NON_STRICT, NOT_IMPLEMENTED or SKIPPED; the reason says what was observed and why it is
accepted). A run compares every case outcome with its
expectation (the file's entry, else PASS) and fails only on an unexpected one, an expected failure that now
passes included, so the file cannot rot. ``jss-conformance expectations update`` rewrites a file from the
outcomes of a run; new entries get :data:`PLACEHOLDER_REASON`, which a project test refuses in a
committed file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from conformance import outcomes as oc
from conformance.tomlfile import read_toml

#: The outcomes an entry may expect (an INFRA_ERROR is never a property of the target).
EXPECTABLE = (oc.FAIL, oc.NON_STRICT, oc.NOT_IMPLEMENTED, oc.SKIPPED)
PLACEHOLDER_REASON = "TODO: explain the observed outcome"
_KEYS = {"outcome", "reason"}


class KnownDeviationsError(ValueError):
    """A known-deviations file is unusable; the message is one line."""


@dataclass(frozen=True)
class Expectation:
    """The outcome expected of one case and why (`source`: "file", "dialect" or "default")."""

    outcome: str
    reason: str = ""
    source: str = "default"

    @property
    def is_deviation(self) -> bool:
        """True when something other than PASS is expected."""
        return self.outcome != oc.PASS


PASS_EXPECTED = Expectation(oc.PASS)


@dataclass(frozen=True)
class KnownDeviations:
    """The entries of one file (case id -> Expectation), and the file they came from."""

    entries: Mapping[str, Expectation]
    path: str = ""

    def expectation(self, case_id: str) -> Expectation:
        """The case's entry, or PASS."""
        return self.entries.get(case_id, PASS_EXPECTED)

    @property
    def placeholders(self) -> list[str]:
        """The ids of the entries whose reason is still the placeholder."""
        return sorted(i for i, e in self.entries.items() if e.reason.startswith(PLACEHOLDER_REASON))

    def to_payload(self) -> dict:
        """A JSON-able form for the xdist workers."""
        return {"path": self.path, "entries": {i: [e.outcome, e.reason] for i, e in self.entries.items()}}

    @classmethod
    def from_payload(cls, payload: Mapping) -> KnownDeviations:
        """The inverse of :meth:`to_payload`."""
        entries = {i: Expectation(o, r, "file") for i, (o, r) in payload["entries"].items()}
        return cls(entries, payload["path"])


NONE = KnownDeviations({})


def load_known_deviations(path: str | Path) -> KnownDeviations:
    """Read and validate a known-deviations file: one line per case in its ``[expected]`` table,
    ``"<case id>" = { outcome = "...", reason = "..." }`` (an unknown outcome, an empty reason or an unknown
    key is a KnownDeviationsError; TOML itself refuses a case listed twice)."""
    path = Path(path)
    document = read_toml(path, KnownDeviationsError)
    unknown = sorted(set(document) - {"expected"})
    if unknown:
        raise KnownDeviationsError(f"{path}: unknown top-level key {unknown[0]!r} (only [expected])")
    table = document.get("expected", {})
    if not isinstance(table, Mapping):
        raise KnownDeviationsError(f"{path}: 'expected' must be a table of case id = {{outcome, reason}}")
    entries: dict[str, Expectation] = {}
    for case_id, entry in table.items():
        where = f"{path}: case {case_id}"
        if not isinstance(entry, Mapping):
            raise KnownDeviationsError(f"{where} must be {{ outcome = ..., reason = ... }}")
        extra = sorted(set(entry) - _KEYS)
        if extra:
            raise KnownDeviationsError(f"{where} has unknown key {extra[0]!r} (allowed: outcome, reason)")
        for key in sorted(_KEYS):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise KnownDeviationsError(f"{where} needs a non-empty string {key!r}")
        outcome = entry["outcome"].strip()
        if outcome not in EXPECTABLE:
            raise KnownDeviationsError(f"{where}: outcome {outcome!r} is not one of {', '.join(EXPECTABLE)}")
        entries[case_id] = Expectation(outcome, entry["reason"].strip(), "file")
    return KnownDeviations(entries, str(path))


def is_unexpected(outcome: str, expected: Expectation, *, judged: bool, strict: bool = False) -> bool:
    """Whether `outcome` fails the run against `expected`. `judged`: the run has a known-deviations file, so
    every outcome must be the expected one; otherwise (no file) only a FAIL (a NON_STRICT with `strict`) that
    is not expected counts, as before expectations existed. An INFRA_ERROR or INTERRUPTED is never judged
    here (neither is a property of the target)."""
    if outcome in (oc.INFRA_ERROR, oc.INTERRUPTED) or outcome == expected.outcome:
        return False
    if judged:
        return True
    return outcome == oc.FAIL or (strict and outcome == oc.NON_STRICT) or expected.outcome == oc.FAIL


def updated_entries(
    previous: KnownDeviations, cases: Iterable[Mapping], *, placeholder: str = PLACEHOLDER_REASON
) -> dict[str, Expectation]:
    """The entries a file should hold after a run whose results.json `cases` are given: every non-PASS
    outcome that the dialect does not already explain; an unchanged entry keeps its reason, a new or changed
    one gets `placeholder` (with the old entry quoted); entries of cases the run did not have are kept."""
    entries = dict(previous.entries)
    for case in cases:
        case_id, outcome = case["id"], case["outcome"]
        expected = case.get("expected") or {}
        if outcome in (oc.PASS, oc.INFRA_ERROR, oc.INTERRUPTED) or expected.get("source") == "dialect":
            entries.pop(case_id, None)
            continue
        old = entries.get(case_id)
        if old is not None and old.outcome == outcome:
            continue
        reason = placeholder if old is None else f"{placeholder} (was {old.outcome}: {old.reason})"
        entries[case_id] = Expectation(outcome, reason, "file")
    return dict(sorted(entries.items()))


def render_file(entries: Mapping[str, Expectation], header: str) -> str:
    """The TOML text of a known-deviations file: `header` as comment lines, then one line per entry."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()] + ["", "[expected]"]
    for case_id, expectation in entries.items():
        outcome, reason = json.dumps(expectation.outcome), json.dumps(expectation.reason)
        lines.append(f"{json.dumps(case_id)} = {{ outcome = {outcome}, reason = {reason} }}")
    return "\n".join(lines) + "\n"


def header_of(path: Path) -> str:
    """The leading comment block of an existing file (without the ``#``), to keep it on rewrite."""
    if not path.is_file():
        return ""
    header = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        header.append(line[1:].removeprefix(" "))
    return "\n".join(header)
