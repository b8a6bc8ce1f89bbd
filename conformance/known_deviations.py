"""Known deviations of a target, kept as data: the cases expected to end other than PASS, each with a reason.

A file (named by a profile's ``known_deviations``, e.g. ``fixtures/expectations/<target>.toml``) has one line
per case in its ``[expected]`` table: ``"<results.json case id>" = { outcome = "FAIL", reason = "..." }``
(outcome FAIL, NON_STRICT or NOT_IMPLEMENTED, SKIPPED read from older files; the reason says what was observed
and why it is accepted), and optionally what it must have failed with (its fingerprint: ``findings``,
``mistakes``, ``unsupported``, ``message``, see conformance.fingerprints): an outcome that is the expected one
but does not match the entry's fingerprint is unexpected too. Every entry of an SDK run's file that expects
FAIL or NOT_IMPLEMENTED must have a fingerprint (:func:`check_fingerprints`). A run compares every case
outcome with its expectation (the file's entry, else PASS) and fails only on an unexpected one, an expected
failure that now passes included, so the file cannot rot. A SKIPPED case (the profile lacks what it needs: an
[alt] account, a bucket in a region) is never unexpected: it was not run, so it neither confirms nor
contradicts an entry.

``jss-conformance expectations update`` rewrites a file from the outcomes of a run; a new or changed entry
gets a *draft* reason, the first line of the case's observed message, marked ``draft = true``. A run that
loads a file still holding a draft stops with exit status 2 (unless ``--jss-allow-draft``): a reviewer reads
each draft, rewrites it if need be, and removes its ``draft`` key. A reason starting with
:data:`PLACEHOLDER_REASON` (written by older suite versions) counts as a draft too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from conformance import outcomes as oc
from conformance.fingerprints import KEYS as FINGERPRINT_KEYS
from conformance.fingerprints import Fingerprint, FingerprintError, fingerprint_from_message, fingerprint_of
from conformance.tomlfile import read_toml

#: The outcomes an entry may expect (an INFRA_ERROR is never a property of the target; SKIPPED is read from
#: older files, never written: a SKIPPED case is never unexpected).
EXPECTABLE = (oc.FAIL, oc.NON_STRICT, oc.NOT_IMPLEMENTED, oc.SKIPPED)
#: The ``expected.source`` of a case outside the target's wire ("dialect") or rulebook ("rules").
OUTSIDE_SOURCES = ("dialect", "rules")
#: The reason older suite versions wrote for a new entry: read as a draft.
PLACEHOLDER_REASON = "TODO: explain the observed outcome"
_KEYS = {"outcome", "reason"}
_OPTIONAL_KEYS = {"draft", *FINGERPRINT_KEYS}
#: How much of an observed message a drafted reason keeps.
DRAFT_LENGTH = 200


class KnownDeviationsError(ValueError):
    """A known-deviations file is unusable; the message is one line."""


@dataclass(frozen=True)
class Expectation:
    """The outcome expected of one case and why (`source`: "file", "dialect" (outside the wire), "rules"
    (outside the rulebook) or "default")."""

    outcome: str
    reason: str = ""
    source: str = "default"
    #: The reason is a draft (written by `expectations update` from the observed message, not reviewed).
    draft: bool = False
    #: What the case must have failed with (None: the outcome alone is checked).
    fingerprint: Fingerprint | None = None

    @property
    def is_deviation(self) -> bool:
        """True when something other than PASS is expected."""
        return self.outcome != oc.PASS

    def mismatch(self, outcome: str, message: str) -> str:
        """"" when `outcome` is the expected one and `message` matches the fingerprint (if any); else one line
        saying what differs (the outcome, or the fingerprint)."""
        if outcome != self.outcome:
            return f"{outcome}, expected {self.outcome}"
        if self.fingerprint is None:
            return ""
        return self.fingerprint.difference(message)

    def confirmed_by(self, outcome: str, message: str) -> bool:
        """`outcome` and `message` are what this expectation names (outcome and fingerprint)."""
        return not self.mismatch(outcome, message)


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
    def drafts(self) -> list[str]:
        """The ids of the entries whose reason is still a draft (``draft = true``, or the old placeholder)."""
        return sorted(i for i, e in self.entries.items() if is_draft(e))

    def to_payload(self) -> dict:
        """A JSON-able form for the xdist workers."""
        entries = {i: [e.outcome, e.reason, e.draft, e.fingerprint.to_payload() if e.fingerprint else None]
                   for i, e in self.entries.items()}
        return {"path": self.path, "entries": entries}

    @classmethod
    def from_payload(cls, payload: Mapping) -> KnownDeviations:
        """The inverse of :meth:`to_payload`."""
        entries = {i: Expectation(o, r, "file", bool(d), fingerprint_of(f or {}))
                   for i, (o, r, d, f) in payload["entries"].items()}
        return cls(entries, payload["path"])


def is_draft(expectation: Expectation) -> bool:
    """The entry's reason was drafted by `expectations update` and not reviewed yet."""
    return expectation.draft or expectation.reason.startswith(PLACEHOLDER_REASON)


def check_drafts(known: KnownDeviations, *, allow_draft: bool) -> None:
    """KnownDeviationsError (one line: the file and how many drafts) when `known` still holds a draft
    reason, unless `allow_draft`."""
    drafts = known.drafts
    if drafts and not allow_draft:
        raise KnownDeviationsError(
            f"{known.path}: {len(drafts)} draft reason(s) not reviewed (draft = true): check each reason and "
            "remove its draft key, or run with --allow-draft"
        )


def check_fingerprints(known: KnownDeviations) -> None:
    """KnownDeviationsError (one line) when an entry expecting FAIL or NOT_IMPLEMENTED has no fingerprint: in
    an SDK run the outcome alone confirms nothing (a driver that does nothing fails every scenario too)."""
    bare = sorted(i for i, e in known.entries.items()
                  if e.outcome in (oc.FAIL, oc.NOT_IMPLEMENTED) and e.fingerprint is None)
    if bare:
        raise KnownDeviationsError(
            f"{known.path}: case {bare[0]} expects {known.entries[bare[0]].outcome} without saying what must "
            "fail (give findings, mistakes, unsupported or message; see README 'SDK gating')"
        )


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
        extra = sorted(set(entry) - _KEYS - _OPTIONAL_KEYS)
        if extra:
            raise KnownDeviationsError(
                f"{where} has unknown key {extra[0]!r} (allowed: outcome, reason, draft, "
                f"{', '.join(FINGERPRINT_KEYS)})"
            )
        for key in sorted(_KEYS):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise KnownDeviationsError(f"{where} needs a non-empty string {key!r}")
        draft = entry.get("draft", False)
        if not isinstance(draft, bool):
            raise KnownDeviationsError(f"{where}: draft must be true or false")
        outcome = entry["outcome"].strip()
        if outcome not in EXPECTABLE:
            raise KnownDeviationsError(f"{where}: outcome {outcome!r} is not one of {', '.join(EXPECTABLE)}")
        try:
            fingerprint = fingerprint_of(entry)
        except FingerprintError as exc:
            raise KnownDeviationsError(f"{where}: {exc}") from None
        entries[case_id] = Expectation(outcome, entry["reason"].strip(), "file", draft, fingerprint)
    return KnownDeviations(entries, str(path))


def is_unexpected(
    outcome: str, expected: Expectation, *, judged: bool, strict: bool = False, message: str = ""
) -> bool:
    """Whether `outcome` (with its `message`) fails the run against `expected`. `judged`: the run has a
    known-deviations file, so every outcome must be the expected one; otherwise (no file) only a FAIL (a
    NON_STRICT with `strict`) that is not expected counts, as before expectations existed. The expected
    outcome with a message that does not match the entry's fingerprint is unexpected. An INFRA_ERROR or
    INTERRUPTED is never judged here (neither is a property of the target), nor a SKIPPED case (not run: it
    confirms nothing)."""
    if outcome in (oc.INFRA_ERROR, oc.INTERRUPTED, oc.SKIPPED):
        return False
    if outcome == expected.outcome:
        return not expected.confirmed_by(outcome, message)
    if judged:
        return True
    return outcome == oc.FAIL or (strict and outcome == oc.NON_STRICT) or expected.outcome == oc.FAIL


def draft_reason(case: Mapping) -> str:
    """A draft reason for a case of results.json: the first line of its observed message, trimmed (or, without
    a message, the outcome)."""
    lines = (case.get("message") or "").strip().splitlines()
    first = lines[0].strip() if lines else ""
    if len(first) > DRAFT_LENGTH:
        first = first[: DRAFT_LENGTH - 3].rstrip() + "..."
    return first or f"observed {case['outcome']} (no message)"


#: Outcomes that say nothing about an entry: the case did not run to a verdict; its entry stays as it is.
_NOT_REACHED = (oc.SKIPPED, oc.INFRA_ERROR, oc.INTERRUPTED)


def updated_entries(
    previous: KnownDeviations, cases: Iterable[Mapping], *, fingerprints: bool = False
) -> dict[str, Expectation]:
    """The entries a file should hold after a run whose results.json `cases` are given: every FAIL, NON_STRICT
    or NOT_IMPLEMENTED outcome that the catalogue does not already expect (a case outside the target's
    dialect); an unchanged entry (same outcome, its fingerprint matched) keeps its reason, a new or changed
    one gets a draft reason from the observed message (a changed one quotes the old entry) and, with
    `fingerprints` (an SDK run), the fingerprint of what was observed (:func:`observed_fingerprint`). A case
    that passes loses its entry; a SKIPPED, INFRA_ERROR or INTERRUPTED case keeps it as it was (it did not run
    to a verdict); entries of cases the run did not have are kept; SKIPPED entries (older files) are dropped:
    SKIPPED is never unexpected."""
    entries = {i: e for i, e in previous.entries.items() if e.outcome != oc.SKIPPED}
    for case in cases:
        case_id, outcome = case["id"], case["outcome"]
        if outcome in _NOT_REACHED:
            continue
        expected = case.get("expected") or {}
        if outcome in (oc.PASS, oc.NOT_APPLICABLE) or expected.get("source") in OUTSIDE_SOURCES:
            entries.pop(case_id, None)
            continue
        old = entries.get(case_id)
        message = case.get("message") or ""
        if fingerprints and old is not None and old.fingerprint is None and old.outcome == outcome:
            # an entry of an older SDK file: its reason stays, the observed fingerprint is added (to review)
            entries[case_id] = replace(old, fingerprint=observed_fingerprint(case), draft=True)
            continue
        if old is not None and old.confirmed_by(outcome, message):
            continue
        reason = draft_reason(case)
        if old is not None:
            reason += f" (was {old.outcome}: {old.reason})"
        fingerprint = observed_fingerprint(case) if fingerprints else None
        entries[case_id] = Expectation(outcome, reason, "file", draft=True, fingerprint=fingerprint)
    return dict(sorted(entries.items()))


def observed_fingerprint(case: Mapping) -> Fingerprint:
    """The fingerprint of a results.json case as observed: the findings (and mistakes) or the unsupported
    steps its message names, else its message's first line (escaped, as a pattern)."""
    message = case.get("message") or ""
    found = fingerprint_from_message(message)
    if found is not None:
        return found
    first = message.strip().splitlines()[0] if message.strip() else ""
    return Fingerprint(message=re.escape(first) if first else "^$")


def render_file(entries: Mapping[str, Expectation], header: str) -> str:
    """The TOML text of a known-deviations file: `header` as comment lines, then one line per entry."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()] + ["", "[expected]"]
    for case_id, expectation in entries.items():
        outcome, reason = _toml_string(expectation.outcome), _toml_string(expectation.reason)
        draft = ", draft = true" if expectation.draft else ""
        printed = _fingerprint_text(expectation.fingerprint)
        line = f"{_toml_string(case_id)} = {{ outcome = {outcome}, {printed}reason = {reason}{draft} }}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _fingerprint_text(fingerprint: Fingerprint | None) -> str:
    """``findings = ["a", "b"], `` (every key the fingerprint gives), "" without one."""
    if fingerprint is None:
        return ""
    parts = []
    for key, value in fingerprint.to_payload().items():
        text = _toml_string(value) if isinstance(value, str) else f"[{', '.join(map(_toml_string, value))}]"
        parts.append(f"{key} = {text}, ")
    return "".join(parts)


def _toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; DEL, which TOML refuses raw, escaped too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


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
