"""What a known deviation must have failed with: its fingerprint, matched against the observed message.

An entry of a known-deviations file (conformance.known_deviations) may name, besides its outcome, what the
case must have failed with; the outcome alone then confirms nothing (a driver that does nothing fails every
scenario too, for other reasons). The keys:

- ``findings = ["<id>", ...]``: exactly these clause or behaviour ids, as the first line of an SDK scenario's
  message names them (``scenario S: <id>; <id> (mistake m)``);
- ``mistakes = ["<name>", ...]``: exactly these diagnosed client mistakes (the ``(mistake ...)`` parts);
- ``unsupported = ["<step op>", ...]``: exactly these steps answered ``unsupported`` by the driver
  (``scenario S: unsupported <op>, <op>: ...``);
- ``message = "<regular expression>"``: found (re.search) in the case's message.

Every key given must match; an entry with none has no fingerprint (its outcome alone is checked, as before).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

#: The list keys of a fingerprint, matched as sets against what the message names.
LIST_KEYS = ("findings", "mistakes", "unsupported")
KEYS = (*LIST_KEYS, "message")
_SUMMARY = re.compile(r"(?:^|: )scenario \S+: (.*)$")
_UNSUPPORTED = re.compile(r"^unsupported(?: ([^:]*))?(?::|$)")
_FINDING = re.compile(r"^(?P<id>\S+?)(?: \(mistake (?P<mistakes>[^)]*)\))?$")


class FingerprintError(ValueError):
    """A fingerprint of a file is unusable (the message is one line, without the file's name)."""


@dataclass(frozen=True)
class Observed:
    """What a message names: the findings' ids, the diagnosed mistakes, the unsupported steps."""

    findings: frozenset[str] = frozenset()
    mistakes: frozenset[str] = frozenset()
    unsupported: frozenset[str] = frozenset()


def observe(message: str) -> Observed:
    """The ids, mistakes and unsupported steps the first line of an SDK scenario's message names
    (``scenario S: a (mistake m); b`` or ``scenario S: unsupported op, op: why``, after an exception's name
    such as ``AssertionError: ``); empty for any other."""
    first = message.strip().splitlines()[0] if message and message.strip() else ""
    match = _SUMMARY.search(first)
    if match is None:
        return Observed()
    summary = match.group(1)
    unsupported = _UNSUPPORTED.match(summary)
    if unsupported is not None:
        return Observed(unsupported=frozenset(_names(unsupported.group(1) or "")))
    findings, mistakes = set(), set()
    for part in summary.split(";"):
        finding = _FINDING.match(part.strip())
        if finding is None:
            continue
        findings.add(finding["id"])
        mistakes.update(_names(finding["mistakes"] or ""))
    return Observed(frozenset(findings), frozenset(mistakes))


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


@dataclass(frozen=True)
class Fingerprint:
    """What a case must have failed with (each field None: not asked)."""

    findings: frozenset[str] | None = None
    mistakes: frozenset[str] | None = None
    unsupported: frozenset[str] | None = None
    message: str | None = None

    def difference(self, message: str) -> str:
        """"" when `message` matches every key given, else one line saying what differs."""
        seen = observe(message)
        for key in LIST_KEYS:
            wanted = getattr(self, key)
            if wanted is not None and getattr(seen, key) != wanted:
                return f"{key} {_listed(getattr(seen, key))}, expected {_listed(wanted)}"
        if self.message is not None and re.search(self.message, message or "") is None:
            return f"the message does not match {self.message!r}"
        return ""

    def to_payload(self) -> dict:
        """A JSON-able form (results.json, xdist): the keys given."""
        payload: dict = {key: sorted(names) for key in LIST_KEYS if (names := getattr(self, key)) is not None}
        if self.message is not None:
            payload["message"] = self.message
        return payload


def _listed(names: frozenset[str]) -> str:
    return "; ".join(sorted(names)) or "none"


def fingerprint_of(entry: Mapping) -> Fingerprint | None:
    """The fingerprint of an entry (a file's table or a payload), None when it gives no key; a list that is
    not a list of non-empty strings, or a message that is no regular expression, is a FingerprintError."""
    given = {key: entry[key] for key in KEYS if key in entry}
    if not given:
        return None
    values: dict = {}
    for key in LIST_KEYS:
        if key not in given:
            continue
        names = given[key]
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise FingerprintError(f"{key} must be a list of non-empty strings")
        values[key] = frozenset(n.strip() for n in names)
    if "message" in given:
        pattern = given["message"]
        if not isinstance(pattern, str) or not pattern:
            raise FingerprintError("message must be a non-empty regular expression")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise FingerprintError(f"message is not a regular expression: {exc}") from None
        values["message"] = pattern
    return Fingerprint(**values)


def fingerprint_from_message(message: str) -> Fingerprint | None:
    """The fingerprint of an observed SDK scenario outcome (for `expectations update`): its findings and
    mistakes for a FAIL, its unsupported steps for a NOT_IMPLEMENTED; None when the message names none."""
    seen = observe(message)
    if seen.unsupported:
        return Fingerprint(unsupported=seen.unsupported)
    if seen.findings:
        return Fingerprint(findings=seen.findings, mistakes=seen.mistakes if seen.mistakes else None)
    return None
